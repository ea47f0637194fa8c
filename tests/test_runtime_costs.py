"""Runtime cost estimates: exact Decimals, cache and tier rules, clear errors for unknown prices."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import knollm
from knollm import Catalog, CostBreakdown, InvalidArgument, Model, ModelNotFound, PriceTier, PriceUnknown, Pricing
from knollm.costs import compare, estimate_cost

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
D = Decimal


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(FIXTURE)


def priced(**prices: object) -> Model:
    tiers = tuple(prices.pop("tiers", ()))  # type: ignore[arg-type]
    pricing = Pricing(**{k: D(str(v)) for k, v in prices.items()}, tiers=tiers)
    return Model(id="test/model", provider="test", model_id="model", kind="chat", pricing=pricing)


def test_basic_estimate_is_exact(catalog: Catalog) -> None:
    cost = knollm.estimate_cost(catalog.get("acme/acme-small"), input_tokens=1_234, output_tokens=567)
    assert isinstance(cost, CostBreakdown)
    assert cost.input == D("0.0003085")  # 1234 * 0.25 / 1e6
    assert cost.output == D("0.00070875")  # 567 * 1.25 / 1e6
    assert cost.total == D("0.00101725")
    assert cost.cache == cost.cache_read == cost.cache_write == 0
    assert cost.per_request == 0 and cost.tier is None
    assert cost.model == "acme/acme-small" and cost.requests == 1
    assert all(isinstance(v, Decimal) for v in (cost.input, cost.output, cost.total))


def test_cached_tokens_are_part_of_input(catalog: Catalog) -> None:
    model = catalog.get("acme/acme-large-2")
    cost = estimate_cost(model, 100_000, 1_000, cached_input_tokens=60_000, cache_write_tokens=10_000)
    assert cost.input == D("0.09")  # 30k * 3
    assert cost.cache_read == D("0.018")  # 60k * 0.3
    assert cost.cache_write == D("0.0375")  # 10k * 3.75
    assert cost.cache == D("0.0555")
    assert cost.output == D("0.015")
    assert cost.total == D("0.1605")


def test_tier_applies_to_the_whole_request_above_the_threshold(catalog: Catalog) -> None:
    model = catalog.get("acme/acme-large-2")
    at = estimate_cost(model, 200_000, 1_000)
    assert at.tier is None and at.input == D("0.6") and at.output == D("0.015")  # not above: base prices
    above = estimate_cost(model, 200_001, 1_000)
    assert above.tier == 200_000
    assert above.input == D("1.200006")  # 200001 * 6 / 1e6: every token at the tier price
    assert above.output == D("0.0225")  # 22.5 per M
    # The tier states no cache prices, so the base cache prices apply.
    cached = estimate_cost(model, 300_000, 0, cached_input_tokens=100_000, cache_write_tokens=100_000)
    assert cached.input == D("0.6") and cached.cache_read == D("0.03") and cached.cache_write == D("0.375")


def test_highest_applicable_tier_wins() -> None:
    model = priced(
        input_per_mtok=1, output_per_mtok=2,
        tiers=[PriceTier(1000, input_per_mtok=D(3)), PriceTier(100, input_per_mtok=D(2), output_per_mtok=D(5))],
    )
    assert model.pricing.tier_for(50) is None
    assert model.pricing.tier_for(101).above_input_tokens == 100
    assert model.pricing.tier_for(5000).above_input_tokens == 1000
    cost = estimate_cost(model, 5000, 1000)
    assert cost.input == D("0.015") and cost.output == D("0.002")  # tier 1000 has no output price: base
    assert model.pricing.rate("output_per_mtok", 500) == D(5)
    assert model.pricing.rate("per_request", 5000) is None


def test_requests_multiply_everything(catalog: Catalog) -> None:
    model = catalog.get("routr/meta/llama-4-70b")
    one = estimate_cost(model, 1000, 100)
    assert one.per_request == D("0.001")
    assert one.total == D("0.0005") + D("0.000075") + D("0.001")
    many = estimate_cost(model, 1000, 100, requests=1000)
    assert many.total == one.total * 1000
    assert many.per_request == D("1.000")
    assert estimate_cost(model, 1000, 100, requests=0).total == 0


def test_free_model_costs_exactly_zero(catalog: Catalog) -> None:
    assert estimate_cost(catalog.get("routr/free/tiny"), 10**6, 10**6).total == 0


def test_zero_usage_needs_no_prices(catalog: Catalog) -> None:
    embed = catalog.get("acme/acme-embed-1")
    assert estimate_cost(embed, 1_000_000, 0).total == D("0.1")


def test_reasoning_tokens(catalog: Catalog) -> None:
    model = catalog.get("acme/acme-reasoner")
    cost = estimate_cost(model, 0, 1000, reasoning_tokens=400)
    assert cost.output == D("0.0024") and cost.reasoning == D("0.0032") and cost.total == D("0.0056")
    fallback = estimate_cost(catalog.get("acme/acme-small"), 0, 1000, reasoning_tokens=1000)
    assert fallback.reasoning == D("0.00125") and fallback.output == 0  # billed as output


def test_images(catalog: Catalog) -> None:
    cost = estimate_cost(catalog.get("hostco/image-maker"), 0, 0, images=3, requests=2)
    assert cost.image == D("0.24") and cost.total == D("0.24")
    with pytest.raises(PriceUnknown, match="per_image"):
        estimate_cost(catalog.get("acme/acme-small"), 0, 0, images=1)


@pytest.mark.parametrize(
    ("model_id", "usage", "component"),
    [
        ("hostco/mystery-model", {}, "pricing"),
        ("acme/acme-embed-1", {"output_tokens": 1}, "output_per_mtok"),
        ("acme/acme-small", {"cached_input_tokens": 10}, "cache_read_per_mtok"),
        ("acme/acme-small", {"cache_write_tokens": 10}, "cache_write_per_mtok"),
        ("hostco/image-maker", {}, "input_per_mtok"),
    ],
)
def test_unknown_prices_are_errors_never_zero(catalog: Catalog, model_id: str, usage: dict, component: str) -> None:
    arguments = {"input_tokens": 100, "output_tokens": 0, **usage}
    with pytest.raises(PriceUnknown) as info:
        estimate_cost(catalog.get(model_id), **arguments)
    assert info.value.model == model_id
    assert info.value.component == component
    assert model_id in str(info.value)


@pytest.mark.parametrize(
    ("usage", "message"),
    [
        ({"input_tokens": -1}, "input_tokens must be zero or more"),
        ({"output_tokens": 1.5}, "output_tokens must be a whole number"),
        ({"requests": True}, "requests must be a whole number"),
        ({"cached_input_tokens": 80, "cache_write_tokens": 30}, "cannot exceed it (100)"),
        ({"reasoning_tokens": 20}, "reasoning_tokens (20) are part of output_tokens"),
    ],
)
def test_invalid_usage(catalog: Catalog, usage: dict, message: str) -> None:
    arguments = {"input_tokens": 100, "output_tokens": 10, **usage}
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        estimate_cost(catalog.get("acme/acme-large-2"), **arguments)


def test_catalog_estimate_cost_takes_ids(catalog: Catalog) -> None:
    by_id = catalog.estimate_cost("acme/acme-small", 1000, 1000)
    assert by_id == catalog.estimate_cost(catalog.get("acme/acme-small"), 1000, 1000)
    with pytest.raises(ModelNotFound):
        catalog.estimate_cost("acme/acme-smal", 1, 1)


def test_compare_family_cheapest_first(catalog: Catalog) -> None:
    comparison = catalog.compare(family="llama-4-70b", input_tokens=10_000, output_tokens=1_000)
    assert [c.model for c in comparison.costs] == [
        "routr/meta/llama-4-70b", "hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo"]
    totals = [c.total for c in comparison.costs]
    assert totals == sorted(totals)
    assert comparison.cheapest.model == "routr/meta/llama-4-70b"
    assert comparison.unpriced == ()


def test_compare_models_lists_unpriced(catalog: Catalog) -> None:
    comparison = catalog.compare(
        ["acme/acme-small", "hostco/mystery-model", catalog.get("acme/acme-embed-1"), "acme/acme-small"],
        family="acme-large", input_tokens=1000, output_tokens=100,
    )
    assert [c.model for c in comparison.costs] == ["acme/acme-small", "acme/acme-large-2", "routr/acme/acme-large-2"]
    assert [(u.model, u.component) for u in comparison.unpriced] == [
        ("hostco/mystery-model", "pricing"), ("acme/acme-embed-1", "output_per_mtok")]
    assert "no prices are known" in comparison.unpriced[0].reason


def test_compare_errors(catalog: Catalog) -> None:
    with pytest.raises(InvalidArgument, match="needs models or a family"):
        catalog.compare(input_tokens=1, output_tokens=1)
    with pytest.raises(InvalidArgument):
        compare(catalog.models, -1, 0)
    empty = compare([], 1, 1)
    assert empty.cheapest is None and empty.costs == ()


def test_cost_breakdown_serialises_decimals_as_strings(catalog: Catalog) -> None:
    data = knollm.to_data(catalog.estimate_cost("acme/acme-large-2", 250_000, 10))
    assert data["input"] == "1.5" and data["output"] == "0.000225" and data["total"] == "1.500225"
    assert data["tier"] == 200_000 and data["model"] == "acme/acme-large-2"


def test_the_token_only_fast_path_builds_the_same_breakdown_as_the_general_path() -> None:
    """`estimate_cost` answers plain token usage through a fast path; a zero count of a usage beyond tokens sends
    the same request through the general path, which must give the same fields with the same Decimal digits."""
    import dataclasses

    from knollm.costs import _LEADING_FIELDS, _token_cost

    assert tuple(f.name for f in dataclasses.fields(CostBreakdown))[: len(_LEADING_FIELDS)] == _LEADING_FIELDS
    tiered = Pricing(input_per_mtok=D("1.25"), output_per_mtok=D("10"), cache_read_per_mtok=D("0.125"),
                     cache_write_per_mtok=D("1.5625"), reasoning_per_mtok=D("12.5"), per_request=D("0.001"),
                     tiers=(PriceTier(above_input_tokens=200_000, input_per_mtok=D("2.50"), output_per_mtok=None),))
    plain = Pricing(input_per_mtok=D("3E+0"), output_per_mtok=D("15.000"))
    usages = ((12_000, 800, 0, 0, 1, 0), (250_000, 900, 1000, 24, 3, 100), (0, 0, 0, 0, 0, 0), (7, 3, 7, 0, 2, 3))
    cases = [(tiered, u) for u in usages] + [(plain, (12_000, 800, 0, 0, 1, 0)), (plain, (9, 5, 0, 0, 4, 5))]
    for pricing, usage in cases:
        model = cost_model(pricing)
        *counts, reasoning = usage
        fast = estimate_cost(model, *counts, reasoning_tokens=reasoning)
        general = estimate_cost(model, *counts, reasoning_tokens=reasoning, characters=0)
        assert fast == general
        assert {k: str(v) for k, v in vars_of(fast).items()} == {k: str(v) for k, v in vars_of(general).items()}
    assert _token_cost(cost_model(None), 1, 1, 0, 0, 1, 0) is None
    assert _token_cost(cost_model(plain), True, 1, 0, 0, 1, 0) is None  # the general path words the error
    assert _token_cost(cost_model(plain), 1, 1, 2, 0, 1, 0) is None
    assert _token_cost(cost_model(plain), 1, 1, 1, 0, 1, 0) is None  # no cache price: the general path raises
    assert _token_cost(cost_model(Pricing(reasoning_per_mtok=D("1"))), 0, 2, 0, 0, 1, 2) is not None
    assert _token_cost(cost_model(Pricing()), 0, 2, 0, 0, 1, 2) is None


def cost_model(pricing: Pricing | None) -> Model:
    return Model(id="p/m", provider="p", model_id="m", kind="chat", pricing=pricing)


def vars_of(breakdown: CostBreakdown) -> dict[str, object]:
    import dataclasses

    return {f.name: getattr(breakdown, f.name) for f in dataclasses.fields(breakdown)}
