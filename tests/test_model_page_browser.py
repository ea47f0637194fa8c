"""The model page (models/view/?id=...) and the links around it, in headless Chromium at desktop and phone sizes:
explorer -> model page -> family page -> provider page, the copy buttons, the not-found state, and the explorer's
switches that keep variants and flagged prices out of "cheapest" answers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from browser import explorer_dir, have_chromium, serve, watched_page
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
RAW = re.compile(r"\b(None|NaN|undefined|null)\b")

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")


@pytest.fixture(scope="module")
def served(fixture_site: Path):
    with watched_page(fixture_site) as tab:
        yield tab


@pytest.fixture(params=sorted(SIZES))
def page(served, request: pytest.FixtureRequest):
    context = served.chromium.new_context(viewport=SIZES[request.param], permissions=["clipboard-read",
                                                                                        "clipboard-write"])
    tab = context.new_page()
    tab.base, tab.errors = served.base, []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_click_through_explorer_model_family_provider(page) -> None:
    page.goto(page.base + "models/explorer/?find=llama-4-70b-instruct")
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    link = page.locator("#kx-explore tbody tr >> nth=0 >> a.kx-id")
    assert link.inner_text() == "hostco/llama-4-70b-instruct"
    link.click()
    page.wait_for_selector("#knollm-model[data-ready=true]")
    assert "/models/view/?id=hostco" in page.url
    article = page.inner_text("#knollm-model")
    assert "hostco/llama-4-70b-instruct" in article and "/M tokens" in article
    assert page.locator("article h1").count() == 1
    assert not RAW.search(article), RAW.search(article)
    assert no_overflow(page)
    page.locator("#knollm-model a[href*='/families/']").first.click()
    page.wait_for_url("**/families/llama-4-70b/")
    explorer = page.locator("article a[href*='explorer/?family=llama-4-70b']")
    assert explorer.count() == 1
    assert page.locator("article a[href*='tab=calculator'][href*='cfamily=llama-4-70b']").count() == 1
    assert page.locator("article a[href*='view/?id=hostco/llama-4-70b-instruct']").count() == 1
    page.locator("article table a[href*='/providers/hostco/']").first.click()
    page.wait_for_url("**/providers/hostco/")
    assert page.locator("article a[href*='models/view/?id=hostco/']").count() >= 2
    assert page.errors == []


def test_model_page_copy_buttons_and_snippet(page) -> None:
    page.goto(page.base + "models/view/?id=hostco/llama-4-70b-instruct")
    page.wait_for_selector("#knollm-model[data-ready=true]")
    page.get_by_role("button", name="Copy id").click()
    page.wait_for_function("document.querySelector('.kx-copied').textContent.includes('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == "hostco/llama-4-70b-instruct"
    page.locator("#knollm-model .kx-snippet button").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert 'catalog.get("hostco/llama-4-70b-instruct")' in copied
    assert no_overflow(page)


def test_unknown_id_shows_nearest_ids(page) -> None:
    page.goto(page.base + "models/view/?id=hostco/llama-4-70b-instrct")
    page.wait_for_selector("#knollm-model[data-ready=true]")
    assert page.inner_text("article h1") == "Model not found"
    assert page.locator("article h1").count() == 1  # the page's own heading, not a second one
    nearest = page.eval_on_selector_all(".kx-nearest a", "links => links.map(a => a.textContent)")
    assert nearest[0] == "hostco/llama-4-70b-instruct"
    page.locator(".kx-nearest a").first.click()
    page.wait_for_selector("#knollm-model[data-ready=true] .kx-model-id")
    assert page.inner_text(".kx-model-id") == "hostco/llama-4-70b-instruct"


def test_hostile_model_stays_text(page) -> None:
    page.goto(page.base + "models/view/?id=acme/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    page.wait_for_selector("#knollm-model[data-ready=true]")
    assert page.inner_text(".kx-model-id") == "acme/<img src=x onerror=alert(1)>"
    assert page.locator("#knollm-model img, #knollm-model script").count() == 0
    assert page.errors == []


# -- the explorer's switches, on the explorer fixture with one invented outlier flag -----------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json" data-model-url="view.html?id={id}"></div>
<script type="module" src="explorer.js"></script></body></html>"""


@pytest.fixture(scope="module")
def switches_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The explorer fixture with its cheapest regular chat price flagged; returns (site, flagged id)."""
    root = tmp_path_factory.mktemp("switches")
    compiled = compile_catalog(REPO / "catalog", REPO / "tests" / "fixtures" / "explorer")
    bundle = orjson.loads(bundle_bytes(compiled.bundle))
    regular = [m for m in bundle["models"] if not m.get("variant") and (m.get("pricing") or {}).get("input_per_mtok")]
    families = [m.get("family") for m in regular]
    regular = [m for m in regular if m.get("family") and families.count(m["family"]) >= 2]  # a cheaper-looking rival
    flagged = min(regular, key=lambda m: (Decimal(m["pricing"]["input_per_mtok"]), m["id"]))
    flagged["price_flags"] = [{"field": "input_per_mtok", "value": flagged["pricing"]["input_per_mtok"],
                               "peer_median": "100", "peers": 3, "ratio": "0.001"}]
    explorer_dir(root, bundle, PAGE)
    return root, flagged["id"]


def ids(tab) -> list[str]:
    return tab.eval_on_selector_all("#kx-explore tbody tr", "rows => rows.map(r => r.dataset.model)")


def test_switches_filter_and_price_sort_never_crowns_variants_or_flags(served, switches_site: tuple[Path, str]) -> None:
    site, flagged = switches_site
    with serve(site) as base:  # the module's browser: Playwright runs one sync instance at a time
        tab = served.chromium.new_page()
        tab.goto(base + "?sort=input")
        tab.wait_for_selector("#knollm-explorer[data-ready=true]")
        everything = ids(tab)
        assert flagged in everything
        regular = [i for i in everything if not tab.locator(f'tr[data-model="{i}"] .kx-variant').count()]
        assert everything[0] == regular[0] != flagged  # cheapest first is a regular, unflagged offer
        for label, key in (("Hide free variants", "novar"), ("Hide flagged", "noflag"), ("Priced only", "priced")):
            tab.get_by_label(label).check()
            tab.wait_for_function(f"location.search.includes('{key}=1')")
        shown = ids(tab)
        assert flagged not in shown and not any(i.endswith(":free") for i in shown)
        assert tab.locator("#kx-explore tbody .kx-variant").count() == 0
        cells = "rs => rs.map(r => [...r.querySelectorAll('td.kx-num')].slice(1, 3).map(c => c.textContent).join(' '))"
        prices = tab.eval_on_selector_all("#kx-explore tbody tr", cells)
        assert "$0 $0" not in prices  # a $0 offer is a free one: hidden with the variants
        tab.go_back()
        tab.wait_for_function("!location.search.includes('priced=1')")
        assert not tab.get_by_label("Priced only").is_checked()
        href = tab.locator("#kx-explore tbody tr >> nth=0 >> a.kx-id").get_attribute("href")
        assert href.startswith("view.html?id=")
        family = next(m for m in orjson.loads((site / "explorer.json").read_bytes())["models"]
                      if m[0] == flagged.split("/", 1)[1])[4]
        # the calculator over the flagged model's family never puts it first either
        name = orjson.loads((site / "explorer.json").read_bytes())["families"][family][0]
        tab.goto(f"{base}?tab=calculator&target=family&cfamily={name}")
        tab.wait_for_selector("#knollm-explorer[data-ready=true]")
        first = tab.locator("#kx-calculator tbody tr >> nth=0").get_attribute("data-model")
        assert first is not None and first != flagged
