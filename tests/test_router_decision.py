"""The routing decision's fast paths agree with the slow ones: the inlined request cost equals
`knollm.estimate_cost` (tiers and per-request fees included), and health records read live equal the snapshot."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from knollm.costs import estimate_cost
from knollm.records import Model, PriceTier, Pricing
from knollm.router.choose import DEFAULT_OUTPUT_TOKENS, Needs, Option, cost_of
from knollm.router.health import HealthStore, SqliteHealthStore

D = Decimal


def priced(pricing: Pricing | None) -> Option:
    model = Model(id="p/m", provider="p", model_id="m", kind="chat", pricing=pricing)
    return Option("p/m", "p", "env:P", model)


PRICINGS = [
    Pricing(input_per_mtok=D("3"), output_per_mtok=D("15")),
    Pricing(input_per_mtok=D("0.075"), output_per_mtok=D("0.3"), per_request=D("0.0004")),
    Pricing(input_per_mtok=D("1.25"), output_per_mtok=D("10"),
            tiers=[PriceTier(above_input_tokens=200_000, input_per_mtok=D("2.5"), output_per_mtok=D("15"))]),
    Pricing(input_per_mtok=D("0"), output_per_mtok=D("0")),
]


def test_the_inlined_cost_equals_estimate_cost() -> None:
    for pricing in PRICINGS:
        for needs in (Needs(0, 0), Needs(1_000, 100), Needs(250_000, None), Needs(7, 3)):
            expected = estimate_cost(priced(pricing).model, needs.input_tokens,  # type: ignore[arg-type]
                                     needs.max_tokens or DEFAULT_OUTPUT_TOKENS).total
            assert cost_of(priced(pricing), needs) == expected, (pricing, needs)


def test_an_unknown_price_is_no_cost() -> None:
    assert cost_of(priced(None), Needs(10, 10)) is None
    assert cost_of(priced(Pricing(input_per_mtok=D("1"))), Needs(10, 10)) is None  # no output price
    assert cost_of(Option("x", "x", "k", None), Needs(10, 10)) is None
    assert cost_of(priced(PRICINGS[0]), Needs(-5, 10)) is None


def test_live_records_match_the_snapshot(tmp_path: Path) -> None:
    for store in (HealthStore(), SqliteHealthStore(tmp_path / "h.sqlite")):
        store.success("a", "env:A", 0.4)
        store.failure("b", "env:B", "ProviderUnavailable")
        records = store.records()
        assert sorted(records) == [("a", "env:A"), ("b", "env:B")]
        assert list(records.values()) == store.snapshot()
