"""Merging drafts: precedence per field, tiers that travel with their base prices, price sanity rules."""

from __future__ import annotations

from decimal import Decimal

from knollm_compiler.drafts import Draft
from knollm_compiler.ingest.normalise import EntryNormaliser
from knollm_compiler.merge import merge
from knollm_compiler.problems import ProblemLog


def _draft(source: str, **values: object) -> Draft:
    return Draft("acme", "m-1", source, f"{source}.json", dict(values))


def test_higher_source_wins_field_by_field_and_conflicts_are_counted() -> None:
    result = merge([
        _draft("litellm", context_window=8000, **{"pricing.input_per_mtok": Decimal(3)}),
        _draft("listing", context_window=8192),
    ])
    (model,) = result.models
    assert model.context_window == 8192 and model.provenance["context_window"] == "listing"
    assert model.pricing.input_per_mtok == Decimal(3) and model.provenance["pricing.input_per_mtok"] == "litellm"
    assert [c["field"] for c in result.conflicts] == ["context_window"]  # 2.3% apart


def test_tiers_come_only_from_the_source_of_the_base_prices() -> None:
    tiers = {128_000: {"input_per_mtok": Decimal(0)}}
    result = merge([
        _draft("genai-prices", **{"pricing.input_per_mtok": Decimal("0.1")}),
        _draft("litellm", **{"pricing.input_per_mtok": Decimal("0.2"), "pricing.tiers": tiers}),
    ])
    (model,) = result.models
    assert model.pricing.input_per_mtok == Decimal("0.1") and model.pricing.tiers == ()


def test_tier_cheaper_than_base_is_dropped_with_a_problem() -> None:
    log = ProblemLog("models_acme.json")
    normaliser = EntryNormaliser("models_acme.json", "acme", "listing", log)
    entry = {"id": "m-1", "input_cost_per_token": 1e-07, "input_cost_per_token_above_128k_tokens": 0.0,
             "output_cost_per_token": 4e-07, "output_cost_per_token_above_128k_tokens": 8e-07}
    draft = normaliser.normalise("m-1", entry, "acme")
    assert draft.values["pricing.tiers"] == {128_000: {"output_per_mtok": Decimal("0.8")}}
    assert [p.path for p in log.problems] == ["pricing.tiers.128000.input_per_mtok"]


def test_zero_reasoning_price_means_billed_as_output() -> None:
    log = ProblemLog("models_acme.json")
    normaliser = EntryNormaliser("models_acme.json", "acme", "listing", log)
    normaliser.learn_units([{"pricing": {"prompt": "0.000001", "completion": "0.000002"}}])
    draft = normaliser.normalise("m-1", {"id": "m-1", "pricing": {
        "prompt": "0.000001", "completion": "0.000002", "internal_reasoning": "0"}}, "acme")
    assert "pricing.reasoning_per_mtok" not in draft.values
    assert draft.values["pricing.output_per_mtok"] == Decimal(2)


