"""Unit calibration and outlier flags on own fixtures (tests/fixtures/units: invented families and prices).

`models_refhost.json` names its units (`input_per_million`); every other listing quotes the same families
with unit-less keys in a different unit, so only agreement with the reference can settle the scale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from knollm_compiler.bundle_records import Model, Pricing
from knollm_compiler.calibrate import render_units
from knollm_compiler.outliers import flag_outliers

UNITS = "units"
LISTINGS = {
    "models_pertoken.json": "per_token", "models_perthousand.json": "per_1k", "models_permillion.json": "per_mtok",
    "models_centsco.json": "per_mtok_1e-2", "models_basispoint.json": "per_mtok_1e-4",
}


@pytest.fixture
def built(add_fixture: Callable[..., object], compile_snapshots: Callable[..., object]):  # type: ignore[no-untyped-def]
    for name in ("models_refhost.json", *LISTINGS, "models_scrambled.json", "models_misstated.json",
                 "models_loneco.json", "models_loneunit.json"):
        add_fixture(UNITS, name)
    return compile_snapshots()


def _evidence(built, file: str):  # type: ignore[no-untyped-def]
    return [e for e in built.bundle.report.units if e.file == file]


@pytest.mark.parametrize(("file", "scale"), sorted(LISTINGS.items()))
def test_each_unit_is_found_by_peers(built, file: str, scale: str) -> None:  # type: ignore[no-untyped-def]
    (evidence,) = _evidence(built, file)
    assert (evidence.group, evidence.scale, evidence.method, evidence.flagged) == ("pricing", scale, "peers", False)
    assert evidence.peers == (14 if file == "models_basispoint.json" else 12)  # 6 families x 2 (+ a route)
    assert Decimal("0.5") < Decimal(evidence.ratio_after) < 2
    assert built.source(file).price_units["pricing.prompt"] == scale
    provider = file.removeprefix("models_").removesuffix(".json")
    assert built.model(f"{provider}/orbit-7b").pricing.input_per_mtok == Decimal("0.1")
    assert built.model(f"{provider}/orbit-70b").pricing.output_per_mtok == Decimal("0.96")


def test_tiers_and_routes_follow_the_group_scale(built) -> None:  # type: ignore[no-untyped-def]
    tiered = built.model("basispoint/orbit-70b").pricing
    assert tiered.tiers[0].above_input_tokens == 128_000 and tiered.tiers[0].input_per_mtok == Decimal("1.2")
    (route,) = built.model("basispoint/quasar-8x7b").upstreams
    assert (route.pricing.input_per_mtok, route.pricing.output_per_mtok) == (Decimal("0.4"), Decimal("0.6"))


def test_a_file_no_scale_fits_is_flagged_and_its_prices_left_unknown(built) -> None:  # type: ignore[no-untyped-def]
    (evidence,) = _evidence(built, "models_scrambled.json")
    assert evidence.scale is None and evidence.flagged and evidence.note.startswith("peers disagree")
    assert built.model("scrambled/orbit-7b").pricing is None
    problems = built.problems("models_scrambled.json")
    assert len(problems) == 12
    assert {(p["record"], p["path"], p["severity"]) for p in problems} >= {
        ("orbit-7b", "pricing.prompt", "dropped"), ("lumen-405b", "pricing.completion", "dropped")}
    assert all(p["reason"].startswith("price unit unknown, value ") for p in problems)
    assert built.source("models_scrambled.json").price_units["pricing.prompt"] == "unknown"


def test_without_peers_typical_prices_decide_or_flag(built) -> None:  # type: ignore[no-untyped-def]
    (lone,) = _evidence(built, "models_loneco.json")
    assert (lone.scale, lone.method, lone.peers, lone.flagged) == ("per_1k", "bands", 0, False)
    assert built.model("loneco/solitaire-27b").pricing.output_per_mtok == Decimal("1.5")
    assert built.model("loneco/solitaire-embed").pricing.input_per_mtok == Decimal("0.02")
    (unit,) = _evidence(built, "models_loneunit.json")
    assert (unit.scale, unit.method, unit.flagged) == (None, "bands", True)
    assert built.model("loneunit/hermitage-9b").pricing is None
    assert len(built.problems("models_loneunit.json")) == 4


def test_a_stated_unit_peers_contradict_is_flagged(built) -> None:  # type: ignore[no-untyped-def]
    (evidence,) = _evidence(built, "models_misstated.json")
    assert (evidence.scale, evidence.method, evidence.flagged) == ("per_token", "stated", True)
    assert evidence.ratio_after == "1000000" and "off the stated unit" in evidence.note
    reasons = {p["reason"] for p in built.problems("models_misstated.json")}
    assert "implausible price 100000 USD per million tokens (read 0.1 as per_token)" in reasons
    (ref,) = _evidence(built, "models_refhost.json")  # its only stated peers are the implausible ones above
    assert (ref.scale, ref.method, ref.flagged, ref.peers, ref.ratio_after) == ("per_mtok", "stated", False, 0, None)


def test_the_text_report_has_one_line_per_calibrated_group(built) -> None:  # type: ignore[no-untyped-def]
    lines = render_units(built.bundle.report.units)
    assert lines[0] == "unit calibration:"
    assert any("models_basispoint.json pricing: per_mtok_1e-4 by peers (14 peers" in line for line in lines)
    assert any("models_scrambled.json" in line and "FLAGGED" in line for line in lines)
    assert not any("models_refhost.json" in line for line in lines)  # stated and confirmed: bundle only


def test_outliers_carry_a_flag(built) -> None:  # type: ignore[no-untyped-def]
    (flag,) = built.model("permillion/lumen-405b").price_flags
    assert (flag.field, flag.value, flag.peers) == ("input_per_mtok", Decimal(60), 5)
    assert flag.peer_median == Decimal("3.3") and flag.ratio == "18.2"
    assert built.model("pertoken/lumen-405b").price_flags == ()
    report = built.bundle.report.price_flags
    assert report.count == 1 and report.flags == 1
    assert report.examples[0]["model"] == "permillion/lumen-405b"
    text = built.result.report_text
    assert "price flags: 1 models (1 prices) more than 10x" in text
    assert "  ! permillion/lumen-405b input_per_mtok 60 vs peer median 3.3 (5 providers, 18.2x)" in text
    assert "  unit models_centsco.json pricing: per_mtok_1e-2 by peers (12 peers" in text


def _offer(provider: str, model_id: str, price: str) -> Model:
    variant = {":free": "free", ":batch": "batch"}.get(model_id[model_id.find(":"):]) if ":" in model_id else None
    return Model(id=f"{provider}/{model_id}", provider=provider, model_id=model_id, kind="chat", family="fam",
                 pricing=Pricing(input_per_mtok=Decimal(price)), provenance={}, sources=(), variant=variant)


def test_flags_need_agreeing_peers_and_skip_variants() -> None:
    models, report = flag_outliers([_offer("a", "m", "0.2"), _offer("b", "m", "75"), _offer("c", "m", "0.15")])
    flagged = {m.id: [f.ratio for f in m.price_flags] for m in models if m.price_flags}
    assert flagged == {"b/m": ["429"]}  # a and c are not flagged: their peers ($75, $0.2) agree on nothing
    models, report = flag_outliers([_offer("a", "m", "2"), _offer("b", "m:free", "0.01"), _offer("c", "m:batch", "0.1"),
                                    _offer("d", "m", "2.2"), _offer("e", "m", "0")])
    assert report.count == 0  # variants and $0 are neither peers nor flagged; one real peer is too few
    models, report = flag_outliers([_offer("a", "m", "2"), _offer("b", "m", "1.8"), _offer("d", "m", "0.1")])
    assert [m.id for m in models if m.price_flags] == ["d/m"] and report.examples[0]["peer_median"] == "1.9"


def test_hostile_price_values_give_problems_not_exceptions(snapshots, compile_snapshots) -> None:  # type: ignore[no-untyped-def]
    entries = [{"id": f"h-{i}", "pricing": {"prompt": value, "completion": "1"}}
               for i, value in enumerate(["1e999999", "1e-999999", "-0", "0.5", 1e308, "1E+5", "abc"])]
    (snapshots / "models_hostile.json").write_text(json.dumps({"data": entries}), encoding="utf-8")
    built = compile_snapshots()
    (evidence,) = _evidence(built, "models_hostile.json")
    assert evidence.method == "bands"
    assert built.model("hostile/h-3").pricing.input_per_mtok == Decimal("0.5")
    reasons = {p["record"]: p["reason"] for p in built.problems("models_hostile.json")}
    assert reasons["h-0"].startswith("implausible price") and reasons["h-6"].startswith("price is not a number")


def test_flags_compare_only_prices_that_price_the_same_thing() -> None:
    """Models billed by other units, and the output price of models that make images or audio, are neither
    peers nor flagged: their per-token prices are not comparable with the family's text prices."""
    def offer(provider: str, price: str, kind: str = "chat", output: tuple[str, ...] = ("text",)) -> Model:
        return Model(id=f"{provider}/m", provider=provider, model_id="m", kind=kind, family="fam",  # type: ignore[arg-type]
                     output_modalities=output, pricing=Pricing(output_per_mtok=Decimal(price)),  # type: ignore[arg-type]
                     provenance={}, sources=())

    peers = [offer("a", "2.5"), offer("b", "2.6"), offer("c", "2.4")]
    models, report = flag_outliers([*peers, offer("img", "30", output=("text", "image"))])
    assert report.count == 0
    models, report = flag_outliers([*peers, offer("stt", "0.01", kind="audio")])
    assert report.count == 0
    models, report = flag_outliers([*peers, offer("odd", "30")])
    assert [m.id for m in models if m.price_flags] == ["odd/m"]


def test_a_map_only_price_is_flagged_against_one_provider_that_declares_its_own() -> None:
    """One other provider is enough when it declares its own price and this one comes only from a map."""
    def offer(provider: str, price: str, source: str) -> Model:
        return Model(id=f"{provider}/m", provider=provider, model_id="m", kind="chat", family="fam",
                     pricing=Pricing(input_per_mtok=Decimal(price)),
                     provenance={"pricing.input_per_mtok": source}, sources=())

    models, _ = flag_outliers([offer("lab", "0.075", "listing"), offer("reseller", "0.004688", "litellm")])
    flagged = {m.id: m.price_flags for m in models if m.price_flags}
    assert list(flagged) == ["reseller/m"] and flagged["reseller/m"][0].peers == 1
    models, _ = flag_outliers([offer("lab", "0.075", "litellm"), offer("reseller", "0.004688", "litellm")])
    assert not any(m.price_flags for m in models)  # two maps: no provider's word to prefer
    models, _ = flag_outliers([offer("lab", "0.075", "listing"), offer("host", "0.004688", "listing")])
    assert not any(m.price_flags for m in models)  # both declare their own price: one peer is too few
