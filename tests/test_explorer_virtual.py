"""The explorer's results table draws only the rows in view (rows.js), at desktop and phone sizes: the whole
result set is reachable by scrolling and by keyboard, screen readers get the table's size and each row's place,
and a new search while scrolled starts again at the top."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from browser import crowded, explorer_server, have_chromium, sized_tab
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "explorer"
EXTRA = 600
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json"></div><script type="module" src="explorer.js"></script>
</body></html>"""
SIZES = [pytest.param({"width": 1280, "height": 900}, id="desktop"),
         pytest.param({"width": 390, "height": 844}, id="phone")]

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


def many_models(bundle: dict[str, Any]) -> dict[str, Any]:
    """The fixture bundle with EXTRA more models (copies of its first, each with its own id and name): each name is
    its id's last segment without the ":free" (written as a code in the data)."""
    return crowded(bundle, ((f"bulk/model-{i:04d}:free" if i % 2 else f"bulk/model-{i:04d}", f"model-{i:04d}")
                            for i in range(EXTRA)))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", FIXTURES).bundle))
    with explorer_server(tmp_path_factory.mktemp("virtual"), many_models(bundle), PAGE) as served:
        yield served


@pytest.fixture(params=SIZES)
def tab(served, request):
    with sized_tab(served, request.param) as page:
        page.goto(page.base + "index.html")
        page.wait_for_selector("#knollm-explorer[data-ready=true]")
        yield page


def drawn(page) -> list[tuple[str, int]]:
    return page.eval_on_selector_all("#kx-explore tbody tr", "rows => rows.map(r => [r.dataset.model, "
                                     "Number(r.getAttribute('aria-rowindex'))])")


def total(page) -> int:
    return int(page.get_attribute("#kx-explore table", "aria-rowcount")) - 1


def test_only_rows_in_view_are_drawn_and_the_last_is_reachable(tab) -> None:
    count = total(tab)
    assert count > EXTRA
    rows = drawn(tab)
    assert 5 < len(rows) < 80  # a window, not every row
    assert [place for _, place in rows] == list(range(2, 2 + len(rows)))  # the header row is 1
    tab.eval_on_selector("#kx-explore .kx-scroll", "box => { box.scrollTop = box.scrollHeight; }")
    tab.wait_for_function(f"[...document.querySelectorAll('#kx-explore tbody tr')].some("
                          f"r => r.getAttribute('aria-rowindex') === '{count + 1}')")
    rows = drawn(tab)
    assert len(rows) < 80 and rows[-1][1] == count + 1
    last = tab.locator(f"#kx-explore tbody tr[aria-rowindex='{count + 1}']")
    box, scroller = last.bounding_box(), tab.locator("#kx-explore .kx-scroll").bounding_box()
    assert box and scroller and box["y"] + box["height"] <= scroller["y"] + scroller["height"] + 1


def test_rows_have_one_height_and_coded_names_show(tab) -> None:
    heights = tab.eval_on_selector_all("#kx-explore tbody tr",
                                       "rows => rows.map(r => r.getBoundingClientRect().height)")
    assert max(heights) - min(heights) < 1
    tab.fill("input[name=find]", "bulk model 0003")
    tab.wait_for_function("document.querySelector('#kx-explore tbody tr').dataset.model.endsWith('model-0003:free')")
    row = tab.locator("#kx-explore tbody tr").first  # the best match first; near spellings follow
    assert row.locator("th small").last.inner_text() == "model-0003"  # name code 2: the id's last segment, no ":"


def test_arrow_keys_and_tab_walk_past_the_drawn_window(tab) -> None:
    tab.locator("#kx-explore tbody tr >> nth=0 >> a.kx-id").focus()
    steps = 60
    for _ in range(steps):
        tab.keyboard.press("ArrowDown")
    place = tab.evaluate("document.activeElement.closest('tr').getAttribute('aria-rowindex')")
    assert place == str(2 + steps)
    assert tab.evaluate("document.activeElement.classList.contains('kx-id')")
    focused = tab.evaluate("document.activeElement.getBoundingClientRect().bottom")
    bottom = tab.evaluate("document.querySelector('#kx-explore .kx-scroll').getBoundingClientRect().bottom")
    assert focused <= bottom + 1  # scrolled into view
    tab.keyboard.press("ArrowUp")
    assert tab.evaluate("document.activeElement.closest('tr').getAttribute('aria-rowindex')") == str(1 + steps)
    before = tab.evaluate("document.activeElement.closest('tr').getAttribute('aria-rowindex')")
    for _ in range(12):  # Tab moves through each row's links and its compare box, row after row
        tab.keyboard.press("Tab")
    after = tab.evaluate("document.activeElement.closest('tr') && document.activeElement.closest('tr')"
                         ".getAttribute('aria-rowindex')")
    assert after is not None and int(after) > int(before)


def test_a_new_search_while_scrolled_starts_at_the_top(tab) -> None:
    tab.eval_on_selector("#kx-explore .kx-scroll", "box => { box.scrollTop = box.scrollHeight / 2; }")
    tab.wait_for_function("Number(document.querySelector('#kx-explore tbody tr').getAttribute('aria-rowindex')) > 50")
    tab.fill("input[name=find]", "bulk model 01")  # "01" occurs in 115 of the numbers 0000-0599
    tab.wait_for_function("document.querySelector('#kx-explore tbody tr').getAttribute('aria-rowindex') === '2'")
    assert tab.eval_on_selector("#kx-explore .kx-scroll", "box => box.scrollTop") == 0
    ids = [model for model, _ in drawn(tab)]
    assert ids and all("01" in model.rsplit("-", 1)[1] for model in ids)
    assert total(tab) == sum("01" in f"{i:04d}" for i in range(EXTRA))
