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


def test_explorer_data_is_split_and_precompressed(fixture_site: Path) -> None:
    """The explorer's data URL is a head (the default view's first rows) naming the first part (`rows`: the columns
    of the first view) and the second (`more`); every data file has gzip and Brotli copies with the same bytes,
    and the two parts together hold every column of the one-file document."""
    import gzip

    import brotli
    import orjson

    from knollm_site.explorer_data import MORE_FIELDS, MORE_FILE, ROWS_FILE, default_order, explorer_document

    api = fixture_site / "api" / "v1"
    head = orjson.loads((api / "explorer.json").read_bytes())
    first = orjson.loads((api / ROWS_FILE).read_bytes())
    second = orjson.loads((api / MORE_FILE).read_bytes())
    assert head["rows"] == ROWS_FILE and head["more"] == first["more"] == MORE_FILE
    assert second["fields"] == list(MORE_FIELDS) and not set(first["fields"]) & set(MORE_FIELDS)
    for name in ("explorer.json", ROWS_FILE, MORE_FILE, "catalog.json", "catalog.schema.json"):
        assert gzip.decompress((api / f"{name}.gz").read_bytes()) == (api / name).read_bytes()
        assert brotli.decompress((api / f"{name}.br").read_bytes()) == (api / name).read_bytes()
    whole = explorer_document(orjson.loads((api / "catalog.json").read_bytes()))
    assert len(first["models"]) == len(second["models"]) == len(whole["models"])
    for row, part, tail in zip(whole["models"], first["models"], second["models"], strict=True):
        by_name = dict(zip(whole["fields"], row, strict=True))
        assert [by_name[f] for f in first["fields"]] == part
        assert [by_name[f] for f in MORE_FIELDS] == tail
    at = head["fields"].index("row")
    assert [row[at] for row in head["models"]] == default_order(first)[: len(head["models"])]
    model_id = first["fields"].index("model_id")
    assert [row[model_id] for row in head["models"]] == [first["models"][row[at]][model_id] for row in head["models"]]


def test_explorer_paints_rows_before_the_second_part(fixture_site: Path) -> None:
    """The first rows need only the first part: with the second part held back, rows still appear."""
    with serve(fixture_site) as base, browser() as chromium:
        context = chromium.new_context(viewport={"width": 390, "height": 800})
        tab = context.new_page()
        tab.route("**/explorer-more.json", lambda route: None)  # never answered
        tab.goto(base + "models/explorer/")
        tab.wait_for_selector("#knollm-explorer[data-first-rows=true] #kx-explore tbody tr")
        assert tab.get_attribute("#knollm-explorer", "data-ready") is None
        context.close()
