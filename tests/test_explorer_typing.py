"""Typing into the explorer's search box the way a reader does, key by key and quickly, in a real headless
Chromium at desktop and phone sizes, over enough models that filtering runs in many slices (slices.js; the page
makes them tiny with data-slice-ms): the rows shown at the end are the final query's, no older query's rows are
drawn after a newer one's, and a shared link's first rows (its exact matches, drawn before the near spellings
are looked for) are the first rows of its whole result. No timing assertions: bench/bench_explorer.py times it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from browser import crowded, explorer_server, have_chromium, rows_preload_script, sized_tab
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "explorer"
SIZES = [pytest.param({"width": 1280, "height": 900}, id="desktop"),
         pytest.param({"width": 390, "height": 844}, id="phone")]
# Names that typed words find as typed, by a near spelling only (qwem for qwen), or not at all.
STEMS = ("llama-3.3-70b", "lamma-3-8b", "qwen3-coder", "qwem-7b", "mistral-small", "gemma-2-9b")
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body>{rows_preload_script()}<div id="knollm-explorer" data-src="explorer.json" data-slice-ms="0.05"></div>
<script type="module" src="explorer.js"></script></body></html>"""
# Every draw of the table, in order: the query and whether its rows were complete; and every count line.
RECORDER = """
window.__draws = [];
window.__counts = [];
document.addEventListener("kx-rows", (e) => {
  const rows = [...document.querySelectorAll("#kx-explore tbody tr")].slice(0, 8).map((r) => r.dataset.model);
  window.__draws.push({ find: e.detail.find, complete: e.detail.complete, rows });
}, true);
new MutationObserver(() => {
  const count = document.querySelector(".kx-count");
  const last = window.__counts[window.__counts.length - 1];
  if (count && last !== count.textContent) window.__counts.push(count.textContent);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""
# The rows of a query computed at once (data.js select, no slices) from a fresh copy of the same data.
REFERENCE = """async (query) => {
  const { loadData, select } = await import("./data.js");
  const { readState } = await import("./state.js");
  const data = await (await loadData("explorer.json")).complete;
  return select(data, readState("?find=" + encodeURIComponent(query))).map((m) => m.id);
}"""

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", FIXTURES).bundle))
    # 2,400 more models named after STEMS, so that searches find many, by typo too.
    names = (f"crowd/{STEMS[i % len(STEMS)]}-v{i:04d}" for i in range(2400))
    with explorer_server(tmp_path_factory.mktemp("typing"), crowded(bundle, ((n, n) for n in names)), PAGE) as served:
        yield served


@pytest.fixture(params=SIZES)
def tab(served, request):
    with sized_tab(served, request.param, RECORDER) as page:
        yield page


def open_explorer(page, query: str = "") -> None:
    page.goto(page.base + "index.html" + query)
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    settle(page)


def settle(page) -> None:
    """Wait until no filtering runs and the frame after the last draw has passed."""
    page.wait_for_function("!document.querySelector('#knollm-explorer').dataset.filtering")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")


def shown(page) -> tuple[int, list[str]]:
    """(the number of result rows, the ids of the first drawn rows)."""
    total = int(page.get_attribute("#kx-explore table", "aria-rowcount")) - 1
    ids = page.eval_on_selector_all("#kx-explore tbody tr", "rows => rows.map(r => r.dataset.model)")
    return total, ids


def assert_rows_are(page, query: str) -> None:
    expected = page.evaluate(REFERENCE, query)
    total, ids = shown(page)
    assert total == len(expected), query
    assert ids == expected[: len(ids)] and ids, query
    assert page.evaluate("window.__knollmExplorer.drawnFind") == query


def typed_order(draws: list[dict[str, Any]], typed: list[str]) -> list[int]:
    """For each complete draw, the place of its query among the values the box held, in typing order."""
    return [typed.index(d["find"]) for d in draws if d["complete"] and d["find"] in typed]


def test_quick_typing_ends_with_the_last_query_rows_and_never_goes_back(tab) -> None:
    open_explorer(tab)
    box = tab.locator("input[name=find]")
    box.click()
    tab.evaluate("window.__draws = []")
    query = "llama 3.3 70b"
    box.press_sequentially(query)  # no delay: keys come faster than the filtering's slices
    settle(tab)
    assert box.input_value() == query
    assert_rows_are(tab, query)
    draws = tab.evaluate("window.__draws")
    order = typed_order(draws, [query[:n] for n in range(1, len(query) + 1)])
    assert order == sorted(order) and order[-1] == len(query) - 1  # no stale rows after newer ones
    assert "find=llama+3.3+70b" in tab.url or "find=llama%203.3%2070b" in tab.url


def test_deleting_and_retyping_shows_the_final_query(tab) -> None:
    open_explorer(tab)
    box = tab.locator("input[name=find]")
    box.click()
    box.press_sequentially("qwen")
    for _ in range(3):
        box.press("Backspace")
    box.press_sequentially("lama")  # in llama as typed
    settle(tab)
    assert box.input_value() == "qlama"
    assert_rows_are(tab, "qlama")
    box.press("Control+a")
    box.press_sequentially("lamma 3")
    settle(tab)
    assert_rows_are(tab, "lamma 3")
    assert "/crowd/lamma-3-8b" in shown(tab)[1][0]


def test_a_query_that_finds_nothing_says_so(tab) -> None:
    open_explorer(tab)
    box = tab.locator("input[name=find]")
    box.click()
    box.press_sequentially("zzzzqqqq")
    settle(tab)
    assert shown(tab) == (0, [])
    assert "Nothing matches every word" in tab.inner_text(".kx-empty")


def test_shared_link_draws_its_exact_matches_first_then_every_row(tab) -> None:
    tab.goto(tab.base + "index.html?find=qwen")
    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
    settle(tab)
    assert_rows_are(tab, "qwen")
    total, ids = shown(tab)
    draws = tab.evaluate("window.__draws")
    first = next(d for d in draws if d["find"] == "qwen")
    # The first rows drawn (the exact matches, before near spellings such as qwem are looked for) are the first
    # rows of the whole result: later rows only follow them.
    assert first["rows"] == ids[: len(first["rows"])]
    counts = tab.evaluate("window.__counts")
    assert not first["complete"] and first["rows"]  # tiny slices: the exact matches are drawn first
    assert any(line.endswith("best matches first; looking for near spellings…") for line in counts)
    assert counts[-1].startswith(f"{total:,} of ") and "looking" not in counts[-1]
    # Drawn again when the second part lands: the complete rows stay until the new complete rows replace them.
    complete = [i for i, d in enumerate(draws) if d["complete"]]
    assert all(d["complete"] for d in draws[complete[0]:])
    assert any("/crowd/qwem-7b" in i for i in tab.evaluate(REFERENCE, "qwen"))  # found by a near spelling


ROWS_FETCHES = """performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/explorer-rows.json"))
  .map((e) => e.initiatorType)"""


def test_a_shared_view_fetches_every_row_once_from_the_page_preload(tab) -> None:
    # The page's inline script starts the fetch before the module runs; the module's fetch takes that response
    # (one request: a preload the module did not match would be fetched twice).
    open_explorer(tab, "?find=qwen")
    assert tab.evaluate(ROWS_FETCHES) == ["link"]
    assert_rows_are(tab, "qwen")
    open_explorer(tab, "?tab=compare")
    assert tab.evaluate(ROWS_FETCHES) == ["link"]
    # The default view's first rows come from the head: its rows are fetched by the module, after them.
    open_explorer(tab, "?tab=explore&sel=x")
    assert tab.evaluate(ROWS_FETCHES) == ["fetch"]
