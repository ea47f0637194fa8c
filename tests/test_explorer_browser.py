"""The model explorer in a real headless Chromium: search, filters, sort, URL round-trip, compare,
calculator values against the Python runtime, and hostile strings that must stay text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import orjson
import pytest

from browser import browser, explorer_dir, have_chromium, serve
from knollm import Catalog, estimate_cost
from knollm.errors import InvalidArgument, PriceUnknown
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "explorer"
USAGES = [(2000, 500, 0), (250_000, 4000, 0), (12_000, 800, 4000), (1, 1, 0), (0, 3, 0)]

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")

PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json" data-family-url="families/{id}/"
data-provider-url="providers/{id}/"></div><script type="module" src="explorer.js"></script></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("explorer")
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", FIXTURES).bundle))
    explorer_dir(root, bundle, PAGE, with_bundle=True)
    return root


@pytest.fixture(scope="module")
def served(site: Path):
    with serve(site) as base, browser() as chromium:
        yield base, chromium


@pytest.fixture(scope="module")
def page(served):
    base, chromium = served
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.base = base
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def _open(page, query: str = "") -> None:
    page.goto(page.base + "index.html" + query)
    page.wait_for_selector("#knollm-explorer[data-ready=true]")


def _ids(page) -> list[str]:
    return page.eval_on_selector_all("#kx-explore tbody tr", "rows => rows.map(r => r.dataset.model)")


def test_hostile_strings_stay_text(page) -> None:
    _open(page, "?find=evil")
    assert set(_ids(page)) == {"hostile/evil/img-model", "hostile/evil/script-model"}
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#knollm-explorer img, #knollm-explorer script").count() == 0
    assert "<script>window.__pwned=3</script>" in page.inner_text("#kx-explore tbody")
    _open(page, "?tab=compare&sel=hostile/evil/img-model")
    assert "onerror" in page.inner_text("#kx-compare")
    assert page.evaluate("window.__pwned") is None and page.errors == []


def test_search_is_fuzzy_and_partial(page) -> None:
    _open(page, "?find=lama")  # a typo
    assert "acmecloud/acme/llama-3.3-70b-instruct" in _ids(page)
    _open(page, "?find=r1-05")  # part of an id
    assert _ids(page) == ["bytehost/deepseek-ai/DeepSeek-R1-0528"]


def test_each_filter(page) -> None:
    free = "bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo:free"  # a variant is still a model the filters see
    checks = {
        "?provider=bytehost": {"bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo", free,
                               "bytehost/deepseek-ai/DeepSeek-R1-0528", "bytehost/BAAI/bge-large-en-v1.5"},
        "?kind=embedding": {"acmecloud/acme/bge-large-en", "bytehost/BAAI/bge-large-en-v1.5"},
        "?cap=tools": {"acmecloud/acme/llama-3.3-70b-instruct"},
        "?inmod=image": {"acmecloud/acme/qwen2.5-vl-72b-instruct"},
        "?ctx=500000": {"acmecloud/acme/long-context-pro"},
        "?maxin=0.6&kind=chat": {"acmecloud/acme/llama-3.3-70b-instruct", free},
        "?maxout=0.8&provider=acmecloud": {"acmecloud/acme/llama-3.3-70b-instruct", "acmecloud/acme/bge-large-en"},
        "?family=llama-3-3-70b-instruct": {"acmecloud/acme/llama-3.3-70b-instruct",
                                           "bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo", free},
        "?open=yes&provider=acmecloud": {"acmecloud/acme/llama-3.3-70b-instruct",
                                         "acmecloud/acme/qwen2.5-vl-72b-instruct", "acmecloud/acme/bge-large-en"},
        "?outmod=embedding": {"acmecloud/acme/bge-large-en", "bytehost/BAAI/bge-large-en-v1.5"},
    }
    for query, expected in checks.items():
        _open(page, query)
        assert set(_ids(page)) == expected, query


def test_sort_and_url_round_trip_and_back_button(page) -> None:
    _open(page, "?provider=acmecloud")
    page.click("button[data-sort=input]")
    ascending = _ids(page)
    assert ascending[0] == "acmecloud/acme/bge-large-en" and ascending[-1] == "acmecloud/acme/mystery-model"
    assert "sort=input" in page.url
    page.click("button[data-sort=input]")
    assert "dir=desc" in page.url and _ids(page)[0] == "acmecloud/acme/long-context-pro"
    page.fill("input[name=find]", "qwen")
    page.wait_for_function("location.search.includes('find=qwen')")  # the address follows a keystroke's rows
    assert _ids(page) == ["acmecloud/acme/qwen2.5-vl-72b-instruct"] and "find=qwen" in page.url
    shared = page.url
    _open(page, "?" + shared.split("?", 1)[1])
    assert _ids(page) == ["acmecloud/acme/qwen2.5-vl-72b-instruct"]
    assert page.input_value("input[name=find]") == "qwen" and page.input_value("select[name=provider]") == "acmecloud"
    page.go_back()
    page.wait_for_function("!location.search.includes('find=qwen')")
    assert "dir=desc" in page.url and len(_ids(page)) == 5


def test_keyboard_only_search_and_compare(page) -> None:
    _open(page)
    page.focus("input[name=find]")
    page.keyboard.type("deepseek")
    assert _ids(page) == ["bytehost/deepseek-ai/DeepSeek-R1-0528"]
    for _ in range(120):  # tab forward to the row's compare box, then tick it with the space bar
        if page.evaluate("document.activeElement.classList.contains('kx-pick')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.wait_for_function("location.search.includes('sel=')")
    assert "sel=bytehost/deepseek-ai/DeepSeek-R1-0528" in unquote(page.url)


def test_compare_side_by_side(page) -> None:
    sel = "acmecloud/acme/llama-3.3-70b-instruct,bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo"
    _open(page, f"?tab=compare&sel={sel}")
    headers = page.eval_on_selector_all("#kx-compare thead th", "cells => cells.map(c => c.textContent)")
    assert headers == ["Model", *sel.split(",")]
    text = page.inner_text("#kx-compare")
    assert "Input $/M" in text and "$0.59" in text and "$0.88" in text and "131,072" in text
    assert "acmecloud, bytehost" in text  # providers offering the same family
    _open(page, "?tab=compare&sel=voxhost/vox-paint,voxhost/vox-stt,voxhost/vox-search-chat")
    other = page.inner_text("#kx-compare tr:has(th:text-is('Other prices'))")
    assert "image 1024x1024 hd $0.08" in other and "image 1792x1024 standard $0.08" in other
    assert "audio in $0.36/hour" in other and "web search $10.00/1K" in other and "audio tokens in $40.00/M" in other


def test_calculator_matches_python_runtime_exactly(page, site: Path) -> None:
    catalog = Catalog.from_dict(orjson.loads((site / "catalog.json").read_bytes()))
    models = [m for m in catalog.search() if m.pricing is not None]
    golden = {}
    for model in models:
        for it, ot, ct in USAGES:
            try:
                total = estimate_cost(model, it, ot, cached_input_tokens=ct).total
            except PriceUnknown as exc:
                golden[f"{model.id}|{it}|{ot}|{ct}"] = f"unknown:{exc.component}"
                continue
            golden[f"{model.id}|{it}|{ot}|{ct}"] = _canonical(total)
    _open(page)
    computed = page.evaluate(
        """async (usages) => {
          const { decode } = await import('./data.js');
          const { estimateCost } = await import('./cost.js');
          const { toText } = await import('./decimal.js');
          const data = decode(await (await fetch('explorer.json')).json());
          const out = {};
          for (const m of data.models) {
            if (!m.pricing) continue;
            for (const [it, ot, ct] of usages) {
              const r = estimateCost(m.pricing, { inputTokens: it, outputTokens: ot, cachedTokens: ct });
              out[`${m.id}|${it}|${ot}|${ct}`] = r.unknown ? `unknown:${r.unknown}` : toText(r.total);
            }
          }
          return out;
        }""",
        [list(u) for u in USAGES],
    )
    assert computed == golden
    assert any(v.startswith("unknown") for v in golden.values()) and len(golden) >= 40
    # The tier of long-context-pro applies above 200k input tokens, in both.
    assert golden["acmecloud/acme/long-context-pro|250000|4000|0"] == "0.685"


BEYOND_USAGES = [
    {"images": 1}, {"images": 2, "image_size": "1024x1024"}, {"images": 1, "image_quality": "hd"},
    {"images": 1, "image_size": "64x64"}, {"audio_input_seconds": 7}, {"audio_input_seconds": 3601, "requests": 3},
    {"audio_output_seconds": 5}, {"characters": 1234, "requests": 2}, {"queries": 7},
    {"web_searches": 3, "input_tokens": 1000, "output_tokens": 10},
]
JS_NAMES = {"images": "images", "image_size": "imageSize", "image_quality": "imageQuality",
            "audio_input_seconds": "audioInputSeconds", "audio_output_seconds": "audioOutputSeconds",
            "characters": "characters", "queries": "queries", "web_searches": "webSearches", "requests": "requests",
            "input_tokens": "inputTokens", "output_tokens": "outputTokens"}


def _python_beyond(model, usage: dict) -> str:
    extra = dict(usage)
    tokens = extra.pop("input_tokens", 0), extra.pop("output_tokens", 0)
    try:
        return _canonical(estimate_cost(model, *tokens, **extra).total)
    except PriceUnknown as exc:
        return f"unknown:{exc.component}"
    except InvalidArgument:
        return "unknown:image_prices"


def test_calculator_matches_python_beyond_tokens(page, site: Path) -> None:
    catalog = Catalog.from_dict(orjson.loads((site / "catalog.json").read_bytes()))
    models = [m for m in catalog.search() if m.pricing is not None]
    golden = {f"{m.id}|{i}": _python_beyond(m, usage) for m in models for i, usage in enumerate(BEYOND_USAGES)}
    _open(page)
    js_usages = [{JS_NAMES[k]: v for k, v in {"input_tokens": 0, "output_tokens": 0, **u}.items()}
                 for u in BEYOND_USAGES]
    computed = page.evaluate(
        """async (usages) => {
          const { decode } = await import('./data.js');
          const { estimateCost } = await import('./cost.js');
          const { toText } = await import('./decimal.js');
          const data = decode(await (await fetch('explorer.json')).json());
          const out = {};
          for (const m of data.models) {
            if (!m.pricing) continue;
            usages.forEach((usage, i) => {
              const r = estimateCost(m.pricing, usage);
              out[`${m.id}|${i}`] = r.unknown ? `unknown:${r.unknown}` : toText(r.total);
            });
          }
          return out;
        }""",
        js_usages,
    )
    assert computed == golden
    assert golden["voxhost/vox-stt-odd|4"] == "0.000816666667"  # 0.42/hour x 7 s, rounded half-even
    assert golden["voxhost/vox-paint|1"] == "unknown:image_prices" and golden["voxhost/vox-paint|2"] == "0.08"
    assert golden["voxhost/vox-paint|3"] == "unknown:image_prices[size=64x64]"
    assert golden["voxhost/vox-tts|7"] == "0.03702" and golden["voxhost/vox-rerank|8"] == "0.014"
    assert golden["acmecloud/acme/llama-3.3-70b-instruct|8"] == "unknown:per_kquery"  # never priced as zero


def test_calculator_shows_inputs_for_the_prices_the_models_have(page) -> None:
    _open(page, "?tab=calculator&sel=voxhost/vox-tts,voxhost/vox-paint&chars=1000&isz=1792x1024&img=1&it=0&ot=0")
    names = page.eval_on_selector_all("#kx-calculator form [name]", "nodes => nodes.map(n => n.name)")
    assert "chars" in names and "img" in names and "isz" in names and "iql" in names
    assert "q" not in names and "ain" not in names and "ws" not in names
    rows = page.eval_on_selector_all(
        "#kx-calculator tbody tr", "rows => rows.map(r => [r.dataset.model, ...[...r.cells].map(c => c.textContent)])")
    by_model = {row[0]: row[1:] for row in rows}
    assert by_model["voxhost/vox-tts"][-1] == "unknown: no image price for size=1792x1024"
    assert by_model["voxhost/vox-paint"][-1] == "unknown: no per-character price"
    _open(page, "?tab=calculator&sel=voxhost/vox-tts&chars=1000&it=0&ot=0")
    rows = page.eval_on_selector_all(
        "#kx-calculator tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert rows == [["voxhost/vox-tts", "$0.015", "$15.00", "$450.00", "–", "$0.015"]]
    assert page.errors == []


def test_calculator_page_values_per_day_and_month(page) -> None:
    sel = "acmecloud/acme/llama-3.3-70b-instruct,acmecloud/acme/mystery-model,bytehost/deepseek-ai/DeepSeek-R1-0528"
    _open(page, f"?tab=calculator&sel={sel}&it=12000&ot=800&ct=4000&rpd=1000")
    rows = page.eval_on_selector_all(
        "#kx-calculator tbody tr", "rows => rows.map(r => [r.dataset.model, ...[...r.cells].map(c => c.textContent)])")
    assert rows[0][0] == "acmecloud/acme/llama-3.3-70b-instruct"  # cheapest first
    # 8000 * 0.59 + 4000 * 0.3 + 800 * 0.79 per million = 0.006552 per request
    assert rows[0][2:5] == ["$0.006552", "$6.552", "$196.56"]
    unknown = {row[0]: row[2] for row in rows[1:]}
    assert unknown == {"acmecloud/acme/mystery-model": "unknown: no prices",
                       "bytehost/deepseek-ai/DeepSeek-R1-0528": "unknown: no cache read price"}
    page.select_option("select[name=preset]", "rag")
    page.wait_for_function("location.search.includes('it=8000')")


def test_family_offers_in_calculator_and_capability_matrix(page) -> None:
    _open(page, "?tab=calculator&target=family&cfamily=llama-3-3-70b-instruct")
    models = page.eval_on_selector_all("#kx-calculator tbody tr", "rows => rows.map(r => r.dataset.model)")
    free = "bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo:free"  # $0, but a variant: after the regular offers
    assert models == ["acmecloud/acme/llama-3.3-70b-instruct", "bytehost/meta-llama/Llama-3.3-70B-Instruct-Turbo", free]
    assert page.inner_text("#kx-calculator tr[data-variant=free] th") == f"{free} (free)"
    _open(page, "?tab=matrix")
    assert "llama-3-3-70b-instruct" in page.inner_text("#kx-matrix")
    page.select_option("select[name=mprov]", "hostile")
    page.wait_for_function("location.search.includes('mprov=hostile')")
    assert "0 of 0 families" in page.inner_text("#kx-matrix")


def test_narrow_viewport_and_dark_scheme(served) -> None:
    base, chromium = served
    context = chromium.new_context(viewport={"width": 375, "height": 740}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(base + "index.html")
    tab.wait_for_selector("#knollm-explorer[data-ready=true]")
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # the table scrolls inside its own box, the page does not
    context.close()


def _canonical(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def test_price_sort_agrees_with_the_catalog(page, site: Path) -> None:
    """One comparable price: the explorer's first row under the price sort is the runtime's cheapest offer."""
    catalog = Catalog.load(site / "catalog.json")
    checked = 0
    for family in catalog.families():
        regular = [m for m in catalog.offers(family, include_flagged=False) if m.pricing is not None]
        if len(regular) < 2 or family.cheapest is None:
            continue
        assert catalog.offers(family)[0].id == family.cheapest
        _open(page, f"?family={family.id}&sort=price&noflag=1")
        assert _ids(page)[0] == catalog.offers(family, include_flagged=False)[0].id, family.id
        checked += 1
    assert checked >= 1
