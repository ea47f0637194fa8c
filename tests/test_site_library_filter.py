"""The library comparison's filter inside the real built site, in headless Chromium: it filters rows by category
and features (also after Material's instant navigation), keeps the hostile fixture's strings as text, and the
page is complete without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import have_chromium, watched_page

ROWS = ".knollm-filter tbody tr"
VISIBLE = "rows => rows.filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())"

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def site(fixture_site: Path) -> Path:
    return fixture_site


@pytest.fixture(scope="module")
def browser_page(site: Path):
    with watched_page(site) as tab:
        yield tab


def test_filter_by_category_and_features(browser_page) -> None:
    page = browser_page
    page.goto(page.base + "libraries/compare/")
    page.wait_for_selector(".knollm-filter[data-filter-ready=true]")
    assert page.inner_text(".knollm-filter__status") == "4 of 4 libraries shown"
    options = page.eval_on_selector_all("select[name=category] option", "o => o.map(x => x.textContent)")
    assert options == ["All categories", "framework", "http-client", "official-sdk", "tool"]
    page.select_option("select[name=category]", "http-client")
    assert page.eval_on_selector_all(ROWS, VISIBLE) == ["HTTPX"]
    page.select_option("select[name=category]", "")
    page.check(".knollm-filter input[value=tools]")
    assert page.eval_on_selector_all(ROWS, VISIBLE) == ["Acme SDK", "Evil <script>alert(1)</script> Lib"]
    page.check(".knollm-filter input[value=vision]")
    assert page.eval_on_selector_all(ROWS, VISIBLE) == ["Acme SDK"]
    assert page.inner_text(".knollm-filter__status") == "1 of 4 libraries shown"
    page.click(".knollm-filter__controls button[type=reset]")
    page.wait_for_function("document.querySelector('.knollm-filter').dataset.shown === '4'")
    assert page.locator(".knollm-filter script, .knollm-filter img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


def test_filter_mounts_after_instant_navigation(browser_page) -> None:
    page = browser_page
    page.goto(page.base + "libraries/")
    page.click("nav.md-nav a[href$='compare/']")
    page.wait_for_selector(".knollm-filter[data-filter-ready=true]")
    assert page.locator(".knollm-filter__controls").count() == 1
    page.select_option("select[name=category]", "tool")
    assert page.eval_on_selector_all(ROWS, VISIBLE) == ["Tok"]
    assert page.errors == []


def test_the_table_is_complete_without_scripts(browser_page) -> None:
    context = browser_page.chromium.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(browser_page.base + "libraries/compare/")
        assert tab.locator(ROWS).count() == 4
        assert tab.locator(".knollm-filter__controls").count() == 0
        assert "Evil <script>alert(1)</script> Lib" in tab.inner_text(".knollm-filter table")
    finally:
        context.close()
