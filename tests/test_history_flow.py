"""Done-when flow: fetch from the fake providers, build from the fetched snapshots, fetch again with changed prices,
build with --previous --record-history: changes.json, history lines, Catalog.history, `knollm changes`."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from fetch_helpers import CATALOG, fetch
from knollm import Catalog
from knollm.cli import main as knollm_main
from knollm.testing import CANARY_KEYS, FakeProvider
from knollm.testing.fake_listing import ListingOptions
from knollm_compiler.build_cli import main as build_main

FIRST = {"m-a": ("0.000001", "0.000002"), "m-b": ("0.000003", "0.000004"), "m-c": ("0.000001", "0.000001")}
SECOND = {"m-a": ("0.0000015", "0.000002"), "m-b": ("0.000003", "0.000004"), "m-d": ("0.000005", "0.000005")}


def build(catalog: Path, snapshots: Path, out: Path, *extra: str) -> None:
    argv = ["--catalog", str(catalog), "--snapshots", str(snapshots), "--out", str(out), "--quiet",
            "--no-genai-prices", "--no-models-dev", *extra]
    assert build_main(argv) == 0


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two fetch+build rounds against the fake providers; returns the work folder."""
    work = tmp_path_factory.mktemp("flow")
    catalog = work / "catalog"
    shutil.copytree(CATALOG, catalog, ignore=shutil.ignore_patterns("history", "snapshots"))
    snapshots = work / "snap"
    with FakeProvider(keys=set(CANARY_KEYS), models=sorted(FIRST)) as server:
        server.listing = ListingOptions(page_size=2, prices=FIRST, context={"m-a": 8192})
        assert fetch(work, server, snapshots) == 0
        build(catalog, snapshots, work / "one")
        server.models = sorted(SECOND)
        server.listing = ListingOptions(page_size=2, prices=SECOND, context={"m-a": 32768})
        assert fetch(work, server, snapshots) == 0
    build(catalog, snapshots, work / "two", "--previous", str(work / "one" / "catalog.json"), "--record-history")
    return work


def test_the_bundle_lists_what_was_fetched(two_builds: Path) -> None:
    catalog = Catalog.load(two_builds / "one" / "catalog.json")
    model = catalog.get("openai/m-a")
    assert model.pricing is not None and model.pricing.input_per_mtok == Decimal("1")
    assert {"anthropic/m-c", "gemini/models/m-b", "openai/m-c"} <= {m.id for m in catalog}


def test_changes_json_has_prices_models_and_context(two_builds: Path) -> None:
    document = json.loads((two_builds / "two" / "changes.json").read_text())
    changes = document["changes"]
    price = [c for c in changes if c["kind"] == "price" and c["model"] == "openai/m-a"]
    assert price == [{"date": document["date"], "kind": "price", "provider": "openai", "model": "openai/m-a",
                      "field": "input_per_mtok", "old": "1", "new": "1.5", "percent": "50.00"}]
    assert {c["model"] for c in changes if c["kind"] == "model_added"} >= {"openai/m-d", "anthropic/m-d"}
    assert {c["model"] for c in changes if c["kind"] == "model_removed"} >= {"openai/m-c", "gemini/models/m-c"}
    assert [c["new"] for c in changes if c["kind"] == "context" and c["model"] == "openai/m-a"] == [32768]
    assert document["counts"]["price"] == len([c for c in changes if c["kind"] == "price"])


def test_history_lines_are_recorded_once_and_sorted(two_builds: Path) -> None:
    lines = (two_builds / "catalog" / "history" / "changes.jsonl").read_text().splitlines()
    assert lines and len(lines) == len(set(lines))
    assert '"field":"input_per_mtok","old":"1","new":"1.5","percent":"50.00"' in "\n".join(lines)
    assert (two_builds / "two" / "history.jsonl").read_text().splitlines() == lines
    keys = [(json.loads(x)["date"], x) for x in lines]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)


def test_catalog_history_and_cli(two_builds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = two_builds / "two" / "catalog.json"
    history = Catalog.load(bundle).history("openai/m-a")
    prices = [c for c in history if c.kind == "price"]
    assert [(c.old, c.new, c.percent) for c in prices] == [(Decimal("1"), Decimal("1.5"), Decimal("50.00"))]
    assert Catalog.load(bundle).history("openai/m-c")[-1].kind == "model_removed"
    assert knollm_main(["changes", "--bundle", str(bundle), "--provider", "openai", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["provider"] for c in listed} == {"openai"} and any(c["kind"] == "price" for c in listed)
    assert knollm_main(["models", "show", "openai/m-a", "--bundle", str(bundle)]) == 0
    assert "input_per_mtok 1 → 1.5 (+50.00%)" in capsys.readouterr().out
    assert knollm_main(["changes", "--bundle", str(bundle), "--since", "2000-01-01", "--kind", "price"]) == 0
    assert "change(s), newest first" in capsys.readouterr().out


def test_feed_entries_and_chart_points_of_the_flow(two_builds: Path) -> None:
    import xml.etree.ElementTree as ET

    from knollm_site.change_pages import atom_feed, price_index, price_series, site_changes

    catalog = Catalog.load(two_builds / "two" / "catalog.json")
    recorded = site_changes(catalog)
    feed = ET.fromstring(atom_feed(recorded, "https://example.org/"))
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") or "" for e in feed]
    assert any(t.endswith("openai: 4 change(s)") for t in titles)
    series = price_series([catalog.get("openai/m-a")], price_index(recorded))
    assert [p[1] for p in series[0].points] == [Decimal("1"), Decimal("1.5")]
