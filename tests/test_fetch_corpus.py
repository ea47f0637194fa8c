"""Real-corpus tier for the fetcher: every real listing, served in pages and merged again by `merge_pages`, comes
out with the same records and fields, so a paginated fetch writes what the build already reads."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from corpus import CORPUS, CORPUS_TIER
from knollm.client.paged_listing import ListingRequest, Paging, entries_key, merge_pages, next_params

pytestmark = CORPUS_TIER
CURSOR = ListingRequest("x", "", paging=Paging("cursor"))
TOKEN = ListingRequest("x", "", paging=Paging("page_token"))


def _listings() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("models_*.json")) if CORPUS.is_dir() else []


def _pages(document: dict[str, Any], key: str, plan: ListingRequest, size: int) -> list[dict[str, Any]]:
    entries = document[key]
    chunks = [entries[i:i + size] for i in range(0, len(entries), size)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks):
        page = {**document, key: chunk}
        last = number == len(chunks) - 1
        if plan is CURSOR:
            page.update({"has_more": not last, "last_id": f"cursor-{number}"})
        elif not last:
            page["nextPageToken"] = f"token-{number}"
        pages.append(page)
    return pages


@pytest.mark.parametrize("name", _listings())
def test_real_listings_survive_paging_and_merging(name: str) -> None:
    document = orjson.loads((CORPUS / name).read_bytes())
    assert merge_pages(ListingRequest("x", ""), [document])[0] == document
    if not isinstance(document, dict) or (key := entries_key(document)) is None or not isinstance(
            document.get(key), list):
        return
    for plan in (CURSOR, TOKEN):
        pages = _pages(document, key, plan, 100)
        assert all(next_params(plan, page) for page in pages[:-1]) and next_params(plan, pages[-1]) is None
        merged, count = merge_pages(plan, pages)
        assert merged[key] == document[key] and count == len(document[key])
        assert {k: v for k, v in merged.items() if k != key} == {
            k: v for k, v in document.items() if k not in (key, "has_more", "last_id", "nextPageToken")}
