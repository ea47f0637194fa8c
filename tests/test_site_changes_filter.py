"""The "What changed" page's filters inside the real built site, in headless Chromium at desktop and phone size:
a change-type menu (added, removed, price, context, capability) and a provider menu, used as a reader would
(keyboard and selection), together and reset; the hostile fixture's strings stay text and the page does not
scroll sideways on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import have_chromium, watched_page

PAGE = "models/changes/"
ROWS = ".knollm-filter tbody tr"
# (type, provider, model) of the rows left visible
VISIBLE = "rows => rows.filter(r => !r.hidden).map(r => [1, 2, 3].map(i => r.cells[i].textContent.trim()))"
READY = ".knollm-filter[data-filter-ready=true]"

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def browser_page(fixture_site: Path):
    with watched_page(fixture_site) as tab:
        yield tab


def shown(page) -> list[list[str]]:
    rows: list[list[str]] = page.eval_on_selector_all(ROWS, VISIBLE)
    return rows


def test_type_and_provider_menus_filter_together(browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(page.base + PAGE)
    page.wait_for_selector(READY)
    assert page.inner_text(".knollm-filter__status") == "8 of 8 changes shown"
    types = page.eval_on_selector_all("select[name=type] option", "o => o.map(x => x.textContent)")
    assert types == ["All types", "added", "capability", "price"]
    providers = page.eval_on_selector_all("select[name=provider] option", "o => o.map(x => x.value)")
    assert providers[0] == "" and {"acme", "routr"} <= set(providers) and len(providers) == 4
    assert page.get_by_label("Type").is_visible() and page.get_by_label("Provider").is_visible()

    page.select_option("select[name=type]", "price")
    assert [row[0] for row in shown(page)] == ["price"] * 5
    page.select_option("select[name=provider]", "routr")
    assert shown(page) == [["price", "routr", "routr/acme/acme-large-2"]]
    assert page.inner_text(".knollm-filter__status") == "1 of 8 changes shown"
    page.select_option("select[name=type]", "added")
    assert shown(page) == []
    page.select_option("select[name=provider]", "")
    assert [row[0] for row in shown(page)] == ["added", "added"]
    page.click(".knollm-filter__controls button[type=reset]")
    page.wait_for_function("document.querySelector('.knollm-filter').dataset.shown === '8'")
    assert page.eval_on_selector("select[name=type]", "s => s.value") == ""
    assert page.locator(".knollm-filter script, .knollm-filter img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


def test_keyboard_choice_of_a_provider(browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(page.base + PAGE)
    page.wait_for_selector(READY)
    page.focus("select[name=provider]")
    page.keyboard.type("routr")
    page.wait_for_function("document.querySelector('.knollm-filter').dataset.shown === '1'")
    assert [row[1] for row in shown(page)] == ["routr"]
    assert page.errors == []


def test_filters_work_on_a_phone_without_sideways_scrolling(browser_page) -> None:
    context = browser_page.chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                                has_touch=True)
    try:
        tab = context.new_page()
        tab.goto(browser_page.base + PAGE)
        tab.wait_for_selector(READY)
        for name in ("type", "provider"):
            box = tab.locator(f"select[name={name}]").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        tab.select_option("select[name=provider]", "acme")
        tab.select_option("select[name=type]", "capability")
        assert [row[:2] for row in shown(tab)] == [["capability", "acme"]]
        assert tab.inner_text(".knollm-filter__status") == "1 of 8 changes shown"
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_the_page_is_complete_without_scripts(browser_page) -> None:
    context = browser_page.chromium.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(browser_page.base + PAGE)
        assert tab.locator(ROWS).count() == 8
        assert tab.locator(".knollm-filter__controls").count() == 0
    finally:
        context.close()
