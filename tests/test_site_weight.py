"""Page weight in headless Chromium: a first visit downloads neither the site-search index nor the sitemap; the
index comes on first use of the search box, and search then works; tables stay out of the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import browser, have_chromium, serve

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


def test_search_index_keeps_tables_out(fixture_site: Path) -> None:
    docs = json.loads((fixture_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert not [d["location"] for d in docs if "<table" in d["text"] or "<td" in d["text"]]
    generated = [d for d in docs if d["location"].startswith(("providers/", "families/"))]
    assert generated and all("#" not in d["location"] for d in generated)  # first section only
    assert any(d["location"] == "providers/hostco/" for d in docs)


@pytest.mark.parametrize("width", [390, 1400])
def test_first_visit_fetches_no_index_or_sitemap_until_search(fixture_site: Path, width: int) -> None:
    with serve(fixture_site) as base, browser() as chromium:
        context = chromium.new_context(viewport={"width": width, "height": 900})
        tab = context.new_page()
        requested: list[str] = []
        tab.on("request", lambda request: requested.append(request.url))
        tab.goto(base + "providers/hostco/", wait_until="networkidle")
        tab.wait_for_timeout(300)
        assert not [u for u in requested if "search_index" in u or "sitemap" in u]
        if width < 960:  # Material's phone header: the search opens from its icon
            tab.click("label[for=__search]")
        tab.locator("[data-md-component=search-query]").press_sequentially("hostco", delay=20)
        tab.wait_for_selector(".md-search-result__item", timeout=10_000)
        assert any(u.endswith("search/search_index.json") for u in requested)
        assert "hostco" in tab.inner_text(".md-search-result").lower()
        context.close()
