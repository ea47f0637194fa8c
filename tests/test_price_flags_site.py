"""Outlier price flags on the site: provider and family pages mark flagged prices, and so does the explorer
table (text and attributes only, checked in a real headless Chromium)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from browser import browser, explorer_dir, have_chromium, serve
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_site import site_files
from knollm_site.explorer_data import explorer_document

REPO = Path(__file__).resolve().parents[1]
SITE_FIXTURE = REPO / "tests" / "fixtures" / "site" / "bundle.json"
EXPLORER_FIXTURES = REPO / "tests" / "fixtures" / "explorer"
FLAG = {"field": "input_per_mtok", "value": "0.9", "peer_median": "0.055", "peers": 2, "ratio": "16.4"}
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json"></div><script type="module" src="explorer.js"></script>
</body></html>"""


def _flag(bundle: dict, model_id: str, flag: dict) -> dict:
    for model in bundle["models"]:
        if model["id"] == model_id:
            model["price_flags"] = [{**flag, "value": model["pricing"][flag["field"]]}]
    return bundle


def test_provider_and_family_pages_mark_flagged_prices(tmp_path: Path) -> None:
    bundle = _flag(json.loads(SITE_FIXTURE.read_text(encoding="utf-8")), "hostco/llama-4-70b-turbo", FLAG)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    files = {f.path: f.data.decode() for f in site_files(path) if not f.path.endswith((".gz", ".br"))}
    provider = next(text for name, text in files.items() if name.startswith("providers/hostco"))
    (row,) = [line for line in provider.splitlines() if "<code>llama-4-70b-turbo</code>" in line]
    assert "$0.90 ⚠ |" in row and row.count("⚠") == 1
    assert "⚠ marks a price more than 10x" in provider
    family = files["families/llama-4-70b.md"]
    (row,) = [line for line in family.splitlines() if "<code>llama-4-70b-turbo</code>" in line]
    assert row.count("⚠") == 1 and "⚠ marks a price more than 10x" in family
    unflagged = next(f.data.decode() for f in site_files(SITE_FIXTURE) if f.path == "families/llama-4-70b.md")
    assert "⚠" not in unflagged


def test_explorer_data_carries_flags() -> None:
    bundle = _flag(json.loads(SITE_FIXTURE.read_text(encoding="utf-8")), "hostco/llama-4-70b-turbo", FLAG)
    document = explorer_document(bundle)
    column = document["fields"].index("price_flags")
    rows = {row[0]: row[column] for row in document["models"]}
    assert rows["llama-4-70b-turbo"] == [["input_per_mtok", "16.4", "0.055", 2]]
    assert rows["llama-4-70b-instruct"] is None


@pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")
def test_the_explorer_marks_a_flagged_price(tmp_path: Path) -> None:
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", EXPLORER_FIXTURES).bundle))
    target = next(m for m in bundle["models"] if (m.get("pricing") or {}).get("input_per_mtok"))
    hostile = {**FLAG, "ratio": "<img src=x onerror=alert(1)>"}  # text in an attribute, never markup
    _flag(bundle, target["id"], hostile)
    explorer_dir(tmp_path, bundle, PAGE)
    with serve(tmp_path) as base, browser() as chromium:
        page = chromium.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/index.html#find={target['model_id']}")
        page.wait_for_selector(f"#kx-explore tbody tr[data-model='{target['id']}']")
        marks = page.eval_on_selector_all("#kx-explore .kx-flag", "nodes => nodes.map(n => [n.textContent, n.title])")
        assert marks == [[" ⚠", "<img src=x onerror=alert(1)>x the median ($0.055/M) at 2 other providers: check it"]]
        assert page.eval_on_selector_all("#kx-explore img", "nodes => nodes.length") == 0
        assert errors == []


def test_cheapest_answers_skip_flagged_prices(tmp_path: Path) -> None:
    """A flagged price is never crowned cheapest: not on the home/pricing/capabilities pages (paid_chat_models),
    not in the cheapest matrix, not as a family's ★ offer."""
    from knollm import Catalog
    from knollm_site import analysis
    from knollm_site.views import build_site_data, paid_chat_models

    best = paid_chat_models(Catalog.load(SITE_FIXTURE).models)[0]
    bundle = _flag(json.loads(SITE_FIXTURE.read_text(encoding="utf-8")), best.id, FLAG)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    catalog = Catalog.load(path)
    assert best.id not in {m.id for m in paid_chat_models(catalog.models)}
    assert best.id not in {m.id for _, cells in analysis.cheapest_matrix(catalog) for m in cells if m is not None}
    assert all(row.cheapest is None or row.cheapest.id != best.id for row in analysis.capability_rows(catalog))
    site = build_site_data(catalog)
    assert all(page.cheapest != best.id for page in site.families)
    assert catalog.cheapest().id != best.id and catalog.cheapest(include_flagged=True) is not None
