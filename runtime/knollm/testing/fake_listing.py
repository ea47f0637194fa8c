"""Model listings of the fake provider beyond one plain page: pagination, prices, context windows, a huge body.

Set `FakeProvider.listing` (a `ListingOptions`) to turn them on; by default listings are one plain page.

- `page_size`: pages as each API does. Anthropic: `?limit=N&after_id=ID`, answers carry `has_more`, `first_id`,
  `last_id`. Gemini: `?pageSize=N&pageToken=T`, answers carry `nextPageToken`. OpenAI: one page, as the real
  API. The smaller of `page_size` and the request's own limit wins.
- `prices`: model id -> (input, output) USD per token as decimal strings, listed OpenRouter-style
  (`pricing.prompt`, `pricing.completion`); `context`: model id -> context window (`context_length`).
- `huge_bytes`: the answer is a valid listing padded to this many bytes, sent chunked without a length (so only a
  client that counts what it reads can stop early).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake_handler import Dialect

CHUNK = 1024 * 1024


@dataclass(slots=True)
class ListingOptions:
    page_size: int | None = None
    prices: dict[str, tuple[str, str]] = field(default_factory=dict)
    context: dict[str, int] = field(default_factory=dict)
    huge_bytes: int = 0

    @property
    def plain(self) -> bool:
        """True when listings are the dialect's plain single page."""
        return not (self.page_size or self.prices or self.context or self.huge_bytes)


def page(options: ListingOptions, dialect: Dialect, models: list[str], query: dict[str, str]) -> dict[str, Any]:
    """The listing page the request asks for, decorated with prices and context windows."""
    if options.page_size is None or dialect.name == "openai":  # OpenAI's own /models is one page
        body = dialect.listing(models)
    elif dialect.name == "gemini":
        body = _gemini_page(options.page_size, dialect, models, query)
    else:
        body = _cursor_page(options.page_size, dialect, models, query)
    for entry in _entries(body):
        model = str(entry.get("id") or entry.get("name", "")).removeprefix("models/")
        if model in options.prices:
            prompt, completion = options.prices[model]
            entry["pricing"] = {"prompt": prompt, "completion": completion}
        if model in options.context:
            entry["context_length"] = options.context[model]
    return body


def _size(page_size: int, query: dict[str, str], name: str) -> int:
    asked = query.get(name, "")
    return max(1, min(page_size, int(asked))) if asked.isdigit() else page_size


def _cursor_page(page_size: int, dialect: Dialect, models: list[str], query: dict[str, str]) -> dict[str, Any]:
    after = query.get("after_id")
    start = models.index(after) + 1 if after in models else 0
    chunk = models[start:start + _size(page_size, query, "limit")]
    body = dialect.listing(chunk)
    body.update({"has_more": start + len(chunk) < len(models), "first_id": chunk[0] if chunk else None,
                 "last_id": chunk[-1] if chunk else None})
    return body


def _gemini_page(page_size: int, dialect: Dialect, models: list[str], query: dict[str, str]) -> dict[str, Any]:
    token = query.get("pageToken", "")
    start = int(token) if token.isdigit() else 0
    end = start + _size(page_size, query, "pageSize")
    body = dialect.listing(models[start:end])
    if end < len(models):
        body["nextPageToken"] = str(end)
    return body


def _entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    found = body.get("data") if isinstance(body.get("data"), list) else body.get("models")
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def huge_chunks(dialect: Dialect, models: list[str], size: int) -> Iterator[bytes]:
    """A listing of about `size` bytes as a generator of chunks: the plain listing with a long padding field."""
    head = json.dumps(dialect.listing(models))[:-1].encode() + b', "padding": "'
    tail = b'"}'
    yield head
    left = max(0, size - len(head) - len(tail))
    block = b"x" * CHUNK
    while left > 0:
        yield block[: min(CHUNK, left)]
        left -= CHUNK
    yield tail
