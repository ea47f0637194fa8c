"""One search, two implementations: the runtime's `Catalog.search` and the explorer's search.js must fold, split
and rank alike. tests/fixtures/search/cases.json is the shared corpus; the browser half types each query key by
key (as a reader does, never filling the box at once) at desktop and phone widths."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from browser import browser, explorer_dir, have_chromium, serve
from knollm import Catalog
from knollm.textmatch import fold, query_words
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "search"
CASES = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
WIDTHS = (1400, 390)
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json"></div><script type="module" src="explorer.js"></script>
</body></html>"""
needs_chromium = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", FIXTURES).bundle))
    explorer_dir(root, bundle, PAGE, with_bundle=True)
    return root / "catalog.json"


@pytest.mark.parametrize(("text", "folded"), CASES["fold"])
def test_python_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("text", "words"), CASES["words"])
def test_python_words(text: str, words: list[str]) -> None:
    assert query_words(text) == words


@pytest.mark.parametrize(("query", "top"), CASES["top"])
def test_runtime_search_top_results(bundle_path: Path, query: str, top: list[str]) -> None:
    found = [m.id for m in Catalog.load(bundle_path).search(query)]
    assert found[: len(top)] == top


@pytest.fixture(scope="module")
def served(bundle_path: Path):
    with serve(bundle_path.parent) as base, browser() as chromium:
        yield base, chromium


def _tab(served, width: int):
    base, chromium = served
    context = chromium.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(base + "index.html")
    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
    return context, tab, errors


def _ids(tab) -> list[str]:
    return tab.eval_on_selector_all("#kx-explore tbody tr", "rows => rows.map(r => r.dataset.model)")


@needs_chromium
def test_javascript_folds_and_splits_like_python(served) -> None:
    context, tab, errors = _tab(served, 1400)
    script = """async ([folds, words]) => {
      const { makeRules } = await import('./search.js');
      const rules = makeRules((await (await fetch('explorer.json')).json()).search);
      return [folds.map(([t]) => rules.fold(t)), words.map(([t]) => rules.words(t))];
    }"""
    folded, split = tab.evaluate(script, [CASES["fold"], CASES["words"]])
    assert folded == [f for _, f in CASES["fold"]]
    assert split == [w for _, w in CASES["words"]]
    assert errors == []
    context.close()


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_typed_queries_find_the_same_top_results(served, width: int) -> None:
    context, tab, errors = _tab(served, width)
    box = tab.locator("input[name=find]")
    for query, top in CASES["top"]:
        box.click()
        box.press("Control+a")
        box.press("Backspace")
        box.press_sequentially(query)
        assert box.input_value() == query  # what was typed stays, spaces included
        assert _ids(tab)[: len(top)] == top, query
    assert errors == []
    context.close()


@needs_chromium
def test_empty_result_names_the_filter_and_the_nearest_models(served) -> None:
    context, tab, errors = _tab(served, 1400)
    base = tab.url
    tab.goto(base + "?kind=embedding")
    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
    tab.locator("input[name=find]").press_sequentially("gpt 4o")
    assert _ids(tab) == []
    note = tab.inner_text(".kx-empty")
    assert "“gpt 4o” matches 3 models" in note and "kind = embedding leaves out 3" in note
    assert "routehub/openai/gpt-4o" in note
    tab.goto(base)
    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
    tab.locator("input[name=find]").press_sequentially("deepseek r2 coder")
    note = tab.inner_text(".kx-empty")
    assert "Nothing matches every word" in note
    assert tab.locator(".kx-empty a.kx-near").first.inner_text() == "routehub/deepseek/deepseek-coder"
    assert errors == []
    context.close()
