"""The explorer inside the real built site, in headless Chromium: it mounts on its page (directly and after
following a navigation link; Material's instant navigation is off, the script still supports it), links rows
to the site's provider and family pages, and keeps the hostile fixture's strings as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import have_chromium, watched_page

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def site(fixture_site: Path) -> Path:
    return fixture_site


@pytest.fixture(scope="module")
def page(site: Path):
    with watched_page(site) as tab:
        yield tab


def test_explorer_page_mounts_and_links_into_the_site(page) -> None:
    page.goto(page.base + "models/explorer/?find=llama")
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    ids = page.eval_on_selector_all("#kx-explore tbody tr", "rows => rows.map(r => r.dataset.model)")
    assert set(ids) == {"hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo", "routr/meta/llama-4-70b"}
    family_link = page.locator("#kx-explore tbody tr >> nth=0 >> a[href*='families/']")
    href = family_link.get_attribute("href")
    family_link.click()
    page.wait_for_selector("article h1")
    assert "/families/" in page.url and href.rstrip("/").split("/")[-1] in page.url
    page.go_back()
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    provider = page.locator("#kx-explore tbody tr >> nth=0 >> a[href*='providers/']")
    provider.click()
    page.wait_for_url("**/providers/routr/")  # the first row: the shortest id starting with "llama"


def test_explorer_mounts_after_instant_navigation(page) -> None:
    page.goto(page.base + "models/")
    page.click("nav.md-nav a[href$='explorer/']")
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    assert page.locator("#kx-explore tbody tr").count() >= 10


def test_hostile_fixture_strings_stay_text_in_the_site(page) -> None:
    page.goto(page.base + "models/explorer/?find=onerror")
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    assert "acme/<img src=x onerror=alert(1)>" in page.inner_text("#kx-explore tbody")
    assert page.locator("#knollm-explorer img, #knollm-explorer script").count() == 0
    page.goto(page.base + "models/explorer/?tab=compare&sel=acme/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


def test_explorer_page_loads_its_modules_as_one_file(site: Path) -> None:
    html = (site / "models" / "explorer" / "index.html").read_text(encoding="utf-8")
    assert "assets/explorer/explorer.bundle.js" in html and "assets/explorer/explorer.js" not in html
    assert (site / "assets" / "explorer" / "explorer.bundle.js").is_file()
