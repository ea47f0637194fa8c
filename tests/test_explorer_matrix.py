"""The explorer's capability matrix and wide panels in headless Chromium: a family whose offers disagree about a
capability shows how many declare it, never a plain ✓; the matrix and compare scroll inside their own box at
phone and desktop widths."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from browser import browser, explorer_dir, have_chromium, serve
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "explorer"
FAMILY = "llama-3-3-70b-instruct"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="explorer.css"></head><body><div id="knollm-explorer" data-src="explorer.json"
data-family-url="families/{id}/" data-provider-url="providers/{id}/"></div>
<script type="module" src="explorer.js"></script></body></html>"""

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The explorer fixture, with the offers of one family disagreeing about `reasoning` (one yes, others no)."""
    root = tmp_path_factory.mktemp("matrix")
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", FIXTURES).bundle))
    offers = [m for m in bundle["models"] if m.get("family") == FAMILY]
    assert len(offers) >= 3
    for i, model in enumerate(offers):
        model["capabilities"] = {**(model.get("capabilities") or {}), "reasoning": i == 0}
    explorer_dir(root, bundle, PAGE)
    return root


@pytest.fixture(scope="module")
def chromium(site: Path):
    with serve(site) as base, browser() as instance:
        instance.base = base
        yield instance


def _open(chromium, width: int, query: str):
    context = chromium.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto(chromium.base + "index.html" + query)
    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
    return context, tab


def test_disagreeing_offers_are_not_a_declared_tick(chromium) -> None:
    context, tab = _open(chromium, 1400, "?tab=matrix")
    try:
        headers = tab.eval_on_selector_all("#kx-matrix thead th", "cells => cells.map(c => c.textContent)")
        row = tab.locator(f"#kx-matrix tbody tr:has(a:text-is('{FAMILY}'))")
        cell = row.locator("td").nth(headers.index("reasoning") - 1)
        offers = cell.inner_text()
        assert offers.startswith("some (1/") and "✓" not in offers
        assert "1 offers declare it" in (cell.get_attribute("title") or "")
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1400])
@pytest.mark.parametrize("tab_name", ["matrix", "compare"])
def test_wide_panels_scroll_inside_their_box(chromium, width: int, tab_name: str) -> None:
    query = f"?tab={tab_name}&sel=" + ",".join(["acmecloud/acme/llama-3.3-70b-instruct",
                                                "bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo"])
    context, tab = _open(chromium, width, query)
    try:
        # Whatever the panel holds (300 families, six long ids), it may be wider than the screen, never the page.
        tab.evaluate(f"document.getElementById('kx-{tab_name}').append(Object.assign(document.createElement('div'),"
                     " {style: 'width: 3000px; height: 1px'}))")
        assert tab.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        assert tab.evaluate(f"document.getElementById('kx-{tab_name}').scrollWidth > innerWidth")
    finally:
        context.close()
