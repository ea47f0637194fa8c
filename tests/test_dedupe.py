"""Duplicate ids within a provider (case, punctuation, namespace and organisation prefixes) become one model
with `aliases`; providers contained in another at the same prices are reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from knollm import Catalog
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_records import Model, Pricing
from knollm_compiler.dedupe import dedupe, provider_overlaps
from knollm_compiler.drafts import Draft

REPO = Path(__file__).resolve().parents[1]


def _draft(model_id: str, source: str = "listing", provider: str = "hosta", **values: object) -> Draft:
    file = f"models_{provider}.json" if source == "listing" else f"{source}.json"
    return Draft(provider, model_id, source, file, dict(values))


def _ids(drafts: list[Draft]) -> list[str]:
    return [d.model_id for d in drafts]


def test_case_and_punctuation_join_and_the_listing_id_is_kept() -> None:
    result = dedupe([_draft("acme/widget-3-5", "litellm"), _draft("acme/Widget-3.5"), _draft("other")])
    assert _ids(result.drafts) == ["acme/Widget-3.5", "acme/Widget-3.5", "other"]
    assert result.drafts[0].source == "listing"  # the canonical id's own drafts first, for merge
    assert result.aliases == {("hosta", "acme/Widget-3.5"): ("acme/widget-3-5",)}
    (merge,) = result.merges
    assert merge.reason == "case or punctuation" and merge.model_id == "acme/Widget-3.5"


def test_an_organisation_prefix_joins_only_where_the_listing_uses_that_organisation() -> None:
    drafts = [_draft("acme/widget"), _draft("widget", "genai-prices"),
              _draft("us-east-1/gizmo", "litellm"), _draft("gizmo", "litellm")]
    result = dedupe(drafts)
    assert result.aliases == {("hosta", "acme/widget"): ("widget",)}  # `us-east-1` is no organisation here
    assert result.merges[0].reason == "organisation prefix"


def test_an_organisation_another_listing_names_as_publisher_counts_too() -> None:
    drafts = [_draft("acme/gizmo"),  # hosta's listing: acme publishes models
              _draft("acme/widget", "litellm", "hostb"), _draft("widget", "genai-prices", "hostb"),
              _draft("eu-west-1/widget", "litellm", "hostb")]
    result = dedupe(drafts)
    assert result.aliases == {("hostb", "acme/widget"): ("widget",)}


def test_two_organisations_with_one_bare_name_stay_apart() -> None:
    drafts = [_draft("acme/widget"), _draft("forks/widget"), _draft("widget", "litellm")]
    assert dedupe(drafts).aliases == {}


def test_a_namespace_the_listing_puts_before_every_id_is_not_part_of_the_name() -> None:
    listing = [_draft(f"accounts/hosta/models/m{i}") for i in range(4)] + [_draft("models/x")]
    result = dedupe([*listing, _draft("m1", "litellm"), _draft("x", "genai-prices")])
    assert result.aliases == {
        ("hosta", "accounts/hosta/models/m1"): ("m1",),
        ("hosta", "models/x"): ("x",),
    }
    assert {m.reason for m in result.merges} == {"namespace prefix"}


def test_look_alikes_of_one_listing_with_different_prices_stay_apart() -> None:
    price = "pricing.input_per_mtok"
    result = dedupe([_draft("Widget", **{price: Decimal(1)}), _draft("widget", **{price: Decimal(2)}),
                     _draft("Gadget", **{price: Decimal(1)}), _draft("gadget", **{price: Decimal(1)})])
    assert [k.aliases for k in result.kept_apart] == [("Widget", "widget")]
    assert result.aliases == {("hosta", "Gadget"): ("gadget",)}


def test_other_providers_are_never_joined() -> None:
    result = dedupe([_draft("widget"), _draft("Widget", provider="hostb")])
    assert result.aliases == {}


def _model(provider: str, model_id: str, price: str) -> Model:
    return Model(id=f"{provider}/{model_id}", provider=provider, model_id=model_id, kind="chat",
                 pricing=Pricing(input_per_mtok=Decimal(price), output_per_mtok=Decimal(price) * 2),
                 provenance={}, sources=())


def test_providers_contained_in_another_at_the_same_prices_are_reported() -> None:
    big = [_model("big", f"m{i}", "1") for i in range(10)]
    copy = [_model("copy", f"M{i}", "1") for i in range(10)]  # same ids up to case, same prices
    other = [_model("other", f"m{i}", "1" if i < 8 else "9") for i in range(10)]  # 80%: not reported
    small = [_model("small", "m1", "1")]  # too few models to say anything
    found = provider_overlaps(big + copy + other + small)
    assert {(o.provider, o.within, o.contained, o.models) for o in found} == {
        ("big", "copy", 10, 10), ("copy", "big", 10, 10),
    }


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snapshots = tmp_path_factory.mktemp("snap")
    _write(snapshots / "models_hosta.json", {"data": [
        {"id": "acme/widget-3.5", "context_length": 8192, "pricing": {"prompt": "0.0000008", "completion": "0.000004"}},
        {"id": "acme/gadget", "pricing": {"prompt": "0.000001", "completion": "0.000002"}},
    ]})
    _write(snapshots / "models_mapx.json", {
        "acme/widget-3-5": {"litellm_provider": "hosta", "input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06,
                            "max_output_tokens": 4096, "mode": "chat"},
        "gadget": {"litellm_provider": "hosta", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
                   "mode": "chat"},
    })
    result = compile_catalog(REPO / "catalog", snapshots)
    out = tmp_path_factory.mktemp("out") / "catalog.json"
    out.write_text(result.bundle.model_dump_json(exclude_defaults=True), encoding="utf-8")
    (out.parent / "report.txt").write_text(result.report_text, encoding="utf-8")
    return out


def test_the_build_merges_duplicates_and_reports_each(built: Path) -> None:
    bundle = json.loads(built.read_text(encoding="utf-8"))
    models = {m["id"]: m for m in bundle["models"] if m["provider"] == "hosta"}
    assert set(models) == {"hosta/acme/widget-3.5", "hosta/acme/gadget"}
    widget = models["hosta/acme/widget-3.5"]
    assert widget["aliases"] == ["acme/widget-3-5"]
    assert widget["pricing"]["input_per_mtok"] == "0.8"  # the listing's price, whole, by merge's own rules
    assert widget["max_output_tokens"] == 4096  # the other source's facts still fill in
    assert models["hosta/acme/gadget"]["aliases"] == ["gadget"]
    reasons = {d["model_id"]: d["reason"] for d in bundle["report"]["duplicates"]}
    assert reasons == {"acme/widget-3.5": "case or punctuation", "acme/gadget": "organisation prefix"}
    text = (built.parent / "report.txt").read_text(encoding="utf-8")
    assert "duplicates: 2 ids merged into 2 models (case or punctuation 1, organisation prefix 1)" in text


def test_the_runtime_finds_a_model_by_its_alias(built: Path) -> None:
    catalog = Catalog.load(built)
    assert catalog.get("hosta/acme/widget-3-5").id == "hosta/acme/widget-3.5"
    assert catalog.get("hosta/gadget").aliases == ("gadget",)
    assert catalog.get("hosta/acme/gadget").model_id == "acme/gadget"


def test_a_bundle_without_aliases_still_loads(built: Path, tmp_path: Path) -> None:
    bundle = json.loads(built.read_text(encoding="utf-8"))
    for model in bundle["models"]:
        model.pop("aliases", None)
        model.pop("variant", None)
    old = tmp_path / "old.json"
    _write(old, bundle)
    model = Catalog.load(old).get("hosta/acme/widget-3.5")
    assert model.aliases == () and model.variant is None


def test_search_and_the_cli_know_the_aliases(built: Path) -> None:
    catalog = Catalog.load(built)
    assert [m.id for m in catalog.search("widget-3-5")] == ["hosta/acme/widget-3.5"]
    env = {**os.environ, "KNOLLM_BUNDLE": str(built)}
    shown = subprocess.run([sys.executable, "-m", "knollm", "models", "show", "hosta/acme/widget-3-5"],
                           capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    assert "hosta/acme/widget-3.5" in shown and "acme/widget-3-5" in shown and "also answers to" in shown
