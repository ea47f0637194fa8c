"""The built site as phone and desktop readers see it, in headless Chromium at 390 and 1400 px: no page scrolls
sideways (wide tables, the capability matrix and compare scroll inside their own box), no page shows "None",
"NaN" or "undefined", and the explorer folds its filters behind a button and keeps its priority columns on a
phone, with ids broken only after a "/" or a hyphen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import browser, have_chromium, serve

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")

WIDTHS = (390, 1400)
SAMPLE = 30
EXPLORER_VIEWS = ("models/explorer/", "models/explorer/?tab=matrix",
                  "models/explorer/?tab=compare&sel=hostco/llama-4-70b-instruct,routr/meta/llama-4-70b,"
                  "acme/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
                  "models/explorer/?tab=calculator&sel=hostco/llama-4-70b-instruct,routr/meta/llama-4-70b")
# NaN and undefined never belong on a page; None is an English word in prose ("None of the libraries ...") and in
# the API reference, so it counts as a raw value only where a value goes: alone on a line or in a cell, after a
# colon or a dollar sign ("home page: None", "$None").
RAW_WORDS = re.compile(r"\b(?:NaN|undefined)\b|(?:^|[:$(|\t]\s*)None\s*(?:$|[)|\t])", re.MULTILINE)
PRICE = re.compile(r"\$(\d[\d,]*(?:\.\d+)?)")
MAX_SIGNIFICANT = 6
# The page's text without code (Python examples rightly say None) and without the raw error toggles. A detached
# copy has no layout, so its innerText would glue cells together ("$15.00" + "2025-01"): text nodes are joined
# with tabs instead, as innerText separates table cells.
VISIBLE_TEXT = """() => {
  const body = document.querySelector("article") || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll("pre, code, details.knollm-raw, script, style").forEach((n) => n.remove());
  const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) parts.push(node.data);
  return parts.join("\t");
}"""
# Where a `.kx-id` wraps, the character before the break must be "/" or "-".
MID_WORD_BREAKS = """() => [...document.querySelectorAll("#kx-explore .kx-id")].flatMap((span) => {
  const text = span.textContent; const range = document.createRange(); const bad = [];
  let node = null; let top = null; let previous = "";
  const walker = document.createTreeWalker(span, NodeFilter.SHOW_TEXT);
  while ((node = walker.nextNode())) {
    for (let i = 0; i < node.length; i += 1) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect && top !== null && rect.top > top + 2 && !"/-".includes(previous)) bad.push(text);
      if (rect) top = rect.top;
      previous = node.data[i];
    }
  }
  return bad;
})"""


def sample_pages(site: Path) -> list[str]:
    """Up to SAMPLE built pages spread evenly over the sorted list (every section is represented)."""
    pages = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    pages = ["" if p == "." else p + "/" for p in pages]
    step = max(1, len(pages) / SAMPLE)
    return [pages[int(i * step)] for i in range(min(SAMPLE, len(pages)))]


def long_prices(text: str) -> list[str]:
    """Prices shown with more than MAX_SIGNIFICANT significant digits (`$0.18000000000000002`)."""
    found = []
    for match in PRICE.finditer(text):
        digits = re.sub(r"\D", "", match.group(1)).strip("0")
        if len(digits) > MAX_SIGNIFICANT:
            found.append(match.group(0))
    return found


@pytest.fixture(scope="module")
def visits(fixture_site: Path) -> dict[tuple[int, str], dict[str, object]]:
    """Every sampled page and explorer view at both widths: scroll width, visible text."""
    results: dict[tuple[int, str], dict[str, object]] = {}
    with serve(fixture_site) as base, browser() as chromium:
        for width in WIDTHS:
            context = chromium.new_context(viewport={"width": width, "height": 900})
            tab = context.new_page()
            for path in [*sample_pages(fixture_site), *EXPLORER_VIEWS]:
                tab.goto(base + path, wait_until="load")
                if path.startswith("models/explorer/"):
                    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
                scroll, inner = tab.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
                results[(width, path)] = {"scroll": scroll, "inner": inner, "text": tab.evaluate(VISIBLE_TEXT)}
            context.close()
    return results


def test_the_sample_covers_thirty_pages(fixture_site: Path) -> None:
    pages = sample_pages(fixture_site)
    assert len(pages) == min(SAMPLE, len(list(fixture_site.rglob("index.html"))))
    assert any(p.startswith("providers/") for p in pages) and any(p.startswith("families/") for p in pages)


def test_no_page_scrolls_sideways(visits) -> None:
    wide = [(width, path, v["scroll"]) for (width, path), v in visits.items() if v["scroll"] > v["inner"]]
    assert wide == []


def test_no_page_shows_raw_values(visits) -> None:
    raw = [(width, path, RAW_WORDS.findall(v["text"])) for (width, path), v in visits.items()
           if RAW_WORDS.search(v["text"])]
    assert raw == []


def test_prices_have_at_most_six_significant_digits(visits) -> None:
    long = {path: long_prices(v["text"]) for (_, path), v in visits.items() if long_prices(v["text"])}
    assert long == {}, f"prices with more than {MAX_SIGNIFICANT} significant digits"


@pytest.fixture()
def phone(fixture_site: Path):
    with serve(fixture_site) as base, browser() as chromium:
        context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        tab = context.new_page()
        tab.base = base
        yield tab
        context.close()


def test_phone_explorer_folds_filters_and_keeps_priority_columns(phone) -> None:
    phone.goto(phone.base + "models/explorer/?provider=hostco")
    phone.wait_for_selector("#knollm-explorer[data-ready=true]")
    toggle = phone.locator("#knollm-explorer .kx-filter-toggle")
    assert toggle.is_visible() and toggle.inner_text() == "Filters (1 set)"
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.locator("#kx-filters select[name=provider]").is_hidden()
    assert phone.locator("#knollm-explorer input[type=search]").is_visible()
    toggle.click()
    assert phone.locator("#kx-filters select[name=provider]").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    headers = phone.eval_on_selector_all("#kx-explore thead th", "cells => cells.filter(c => c.offsetParent)"
                                         ".map(c => c.textContent.replace(/[▲▼]/g, '').trim())")
    assert headers == ["Model", "Input $/M", "Output $/M", "Compare"]
    shown_wide = "cells => cells.filter(c => c.offsetParent).length"
    hidden_cells = phone.eval_on_selector_all("#kx-explore tbody td.kx-wide", shown_wide)
    assert hidden_cells == 0
    assert phone.evaluate(MID_WORD_BREAKS) == []
    table = phone.locator("#kx-explore table").bounding_box()
    assert table is not None and table["y"] < 844 * 2  # results within two screens, filters folded or not


def test_desktop_explorer_shows_filters_without_a_button(fixture_site: Path) -> None:
    with serve(fixture_site) as base, browser() as chromium:
        tab = chromium.new_page(viewport={"width": 1400, "height": 900})
        tab.goto(base + "models/explorer/")
        tab.wait_for_selector("#knollm-explorer[data-ready=true]")
        assert tab.locator("#knollm-explorer .kx-filter-toggle").is_hidden()
        assert tab.locator("#kx-filters select[name=provider]").is_visible()
        assert tab.locator("#kx-explore thead th").count() == tab.locator("#kx-explore thead th:visible").count()
