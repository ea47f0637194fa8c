"""The token-only fast path of `estimate_cost` against the general path, on many random prices and usages.

A zero count of a usage beyond tokens (`characters=0`) sends the same request through the general path: every
field must come out equal and with the same Decimal digits (compared as text), and an error must be the same."""

from __future__ import annotations

import dataclasses
import decimal
import pickle
import random
from decimal import Decimal as D
from typing import Any

import pytest

from knollm import estimate_cost
from knollm.costs import _PLAIN_FIELDS, _plain_token_cost, _token_cost
from knollm.errors import InvalidArgument, PriceUnknown
from knollm.records import CostBreakdown, Model, PriceTier, Pricing

# Ordinary prices and awkward ones: positive exponents, a zero with an exponent, more digits than the context.
PRICES = ("0", "0.15", "2.5", "3E+0", "15.000", "1E+7", "0E+3", "0.000001", "1.2345678901234567890123456789012")
COUNTS = (0, 0, 1, 7, 800, 12_000, 200_001, 10**30)


def random_price(rng: random.Random) -> D | None:
    return None if rng.random() < 0.3 else D(rng.choice(PRICES))


def random_pricing(rng: random.Random) -> Pricing:
    tiers = tuple(
        PriceTier(above_input_tokens=rng.choice((0, 100, 200_000)), input_per_mtok=random_price(rng),
                  output_per_mtok=random_price(rng), cache_read_per_mtok=random_price(rng),
                  cache_write_per_mtok=random_price(rng))
        for _ in range(rng.choice((0, 0, 1, 2)))
    )
    return Pricing(input_per_mtok=random_price(rng), output_per_mtok=random_price(rng),
                   cache_read_per_mtok=random_price(rng), cache_write_per_mtok=random_price(rng),
                   reasoning_per_mtok=random_price(rng), per_request=random_price(rng), tiers=tiers)


def random_usage(rng: random.Random) -> tuple[int, int, int, int, int, int]:
    input_tokens, output_tokens = rng.choice(COUNTS), rng.choice(COUNTS)
    cached = rng.choice((0, rng.randint(0, input_tokens)))
    cache_write = rng.choice((0, rng.randint(0, input_tokens - cached)))
    reasoning = rng.choice((0, rng.randint(0, output_tokens)))
    return input_tokens, output_tokens, cached, cache_write, rng.choice((0, 1, 1, 3, 10**9)), reasoning


def outcome(model: Model, counts: list[int], reasoning: int, **beyond_tokens: int) -> tuple[str, object]:
    """('ok', every field as text) or (error type, message)."""
    try:
        breakdown = estimate_cost(model, *counts, reasoning_tokens=reasoning, **beyond_tokens)
    except (InvalidArgument, PriceUnknown) as exc:
        return type(exc).__name__, str(exc)
    return "ok", {f.name: str(getattr(breakdown, f.name)) for f in dataclasses.fields(CostBreakdown)}


def test_the_fast_path_matches_the_general_path_on_random_prices_and_usages() -> None:
    rng = random.Random(18)
    taken = 0
    for case in range(3000):
        model = Model(id=f"p/m{case}", provider="p", model_id=f"m{case}", kind="chat", pricing=random_pricing(rng))
        *counts, reasoning = random_usage(rng)
        fast, general = outcome(model, counts, reasoning), outcome(model, counts, reasoning, characters=0)
        assert fast == general, (model.pricing, counts, reasoning)
        taken += _token_cost(model, *counts, reasoning) is not None
    assert taken > 1000  # the fast path answered a good share of the cases, not only the general one


@pytest.mark.parametrize("usage", [(-1, 0, 0, 0, 1, 0), (5, 5, 0, 0, -2, 0), (5, 5, 3, 3, 1, 0), (1, 1, 0, 0, 1, 2)])
def test_invalid_usage_is_left_to_the_general_path(usage: tuple[int, ...]) -> None:
    model = Model(id="p/m", provider="p", model_id="m", kind="chat",
                  pricing=Pricing(input_per_mtok=D("1"), output_per_mtok=D("2")))
    assert _token_cost(model, *usage) is None
    with pytest.raises(InvalidArgument):
        estimate_cost(model, *usage[:5], reasoning_tokens=usage[5])


@pytest.mark.parametrize("images", [False, 0.0])
def test_a_zero_image_count_that_is_not_an_int_is_refused_on_the_fast_path_too(images: object) -> None:
    model = Model(id="p/m", provider="p", model_id="m", kind="chat",
                  pricing=Pricing(input_per_mtok=D("1"), output_per_mtok=D("2")))
    with pytest.raises(InvalidArgument, match="images must be a whole number"):
        estimate_cost(model, 1, 1, images=images)  # type: ignore[arg-type]


def test_a_fast_breakdown_behaves_as_one_built_by_its_constructor() -> None:
    """Equality, hashing, repr, pickling and `dataclasses.replace` see the class defaults the fast path leaves out."""
    model = Model(id="p/m", provider="p", model_id="m", kind="chat",
                  pricing=Pricing(input_per_mtok=D("2.5"), output_per_mtok=D("10")))
    fast = estimate_cost(model, 12_000, 800)
    built = CostBreakdown(model="p/m", input_tokens=12_000, output_tokens=800, cached_input_tokens=0,
                          cache_write_tokens=0, requests=1, input=D("0.03"), cache_read=D(0), cache_write=D(0),
                          output=D("0.008"), per_request=D(0), total=D("0.038"))
    assert fast == built and hash(fast) == hash(built) and repr(fast) == repr(built)
    assert pickle.loads(pickle.dumps(fast)) == built
    assert dataclasses.replace(fast, requests=2) == dataclasses.replace(built, requests=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.total = D(1)  # type: ignore[misc]


def plain_outcome(model: Model, input_tokens: object, output_tokens: object) -> tuple[str, object]:
    """The usual call, `estimate_cost(model, input_tokens, output_tokens)`, as `outcome` words it."""
    try:
        breakdown = estimate_cost(model, input_tokens, output_tokens)  # type: ignore[arg-type]  # odd counts too
    except (InvalidArgument, PriceUnknown) as exc:
        return type(exc).__name__, str(exc)
    return "ok", {f.name: str(getattr(breakdown, f.name)) for f in dataclasses.fields(CostBreakdown)}


def test_the_plain_token_path_matches_the_general_path_on_random_prices_and_counts() -> None:
    """Only input and output tokens (the usual call): the shortest path, tiers (in force or not), missing and
    zero prices, per-request fees and counts beyond the context's digits included."""
    rng = random.Random(1818)
    taken = 0
    for case in range(3000):
        model = Model(id=f"p/m{case}", provider="p", model_id=f"m{case}", kind="chat", pricing=random_pricing(rng))
        input_tokens, output_tokens = rng.choice(COUNTS), rng.choice(COUNTS)
        general = outcome(model, [input_tokens, output_tokens], 0, characters=0)
        assert plain_outcome(model, input_tokens, output_tokens) == general, (model.pricing, input_tokens,
                                                                              output_tokens)
        taken += _plain_token_cost(model, input_tokens, output_tokens) is not None
    assert taken > 1000


ODD_PRICES = ("-0", "-2.5", "0E-9", "7E+25", "9.99999999999999999999999999999E+5", "123456789", "0.1")


def test_the_plain_token_path_follows_the_decimal_context() -> None:
    """Arithmetic in the caller's context, as the general path's (no result is cached across calls), also with
    prices no catalog has (negative, signed zeros, many digits): the same Decimals in every precision and
    rounding, signed zeros included."""
    rng = random.Random(7)
    roundings = (decimal.ROUND_HALF_EVEN, decimal.ROUND_FLOOR, decimal.ROUND_CEILING, decimal.ROUND_DOWN)
    for case in range(1500):
        prices = [D(rng.choice(ODD_PRICES + PRICES)) for _ in range(3)]
        pricing = Pricing(input_per_mtok=prices[0], output_per_mtok=prices[1],
                          per_request=prices[2] if rng.random() < 0.3 else None)
        model = Model(id=f"p/m{case}", provider="p", model_id=f"m{case}", kind="chat",
                      pricing=random_pricing(rng) if case % 3 == 0 else pricing)
        counts = rng.choice(COUNTS), rng.choice(COUNTS)
        with decimal.localcontext() as context:
            context.prec, context.rounding = rng.choice((1, 3, 9, 28, 40)), rng.choice(roundings)
            assert plain_outcome(model, *counts) == outcome(model, list(counts), 0, characters=0), (model, counts)


def test_the_plain_token_path_leaves_odd_counts_and_models_to_the_general_path() -> None:
    class Count(int):
        pass

    priced = Model(id="p/m", provider="p", model_id="m", kind="chat",
                   pricing=Pricing(input_per_mtok=D("2.5"), output_per_mtok=D("10")))
    bad_counts: tuple[Any, ...] = (True, -1, 1.0, Count(5))  # Any: not ints, or not plain ones, on purpose
    for bad in bad_counts:
        assert _plain_token_cost(priced, bad, 1) is None and _plain_token_cost(priced, 1, bad) is None
    assert plain_outcome(priced, True, 1)[0] == plain_outcome(priced, -1, 1)[0] == "InvalidArgument"
    assert plain_outcome(priced, Count(12_000), 800) == plain_outcome(priced, 12_000, 800)
    unpriced = Model(id="p/u", provider="p", model_id="u", kind="chat", pricing=None)
    output_unknown = Model(id="p/o", provider="p", model_id="o", kind="chat", pricing=Pricing(input_per_mtok=D(1)))
    assert plain_outcome(unpriced, 1, 1) == ("PriceUnknown", str(PriceUnknown("p/u", "pricing")))
    assert plain_outcome(output_unknown, 1, 1)[0] == "PriceUnknown"  # unknown is never priced as zero
    assert estimate_cost(output_unknown, 1, 0).output == 0  # no output tokens: nothing to price
    tiered = Model(id="p/t", provider="p", model_id="t", kind="chat", pricing=Pricing(
        input_per_mtok=D(1), output_per_mtok=D(2), tiers=(PriceTier(above_input_tokens=100, input_per_mtok=D(3)),)))
    assert _plain_token_cost(tiered, 101, 1) is None  # a tier in force: `_token_cost` prices it
    assert estimate_cost(tiered, 101, 1).tier == 100 and estimate_cost(tiered, 100, 1).tier is None


def test_the_plain_fields_are_those_without_a_default() -> None:
    assert list(_PLAIN_FIELDS) == [f.name for f in dataclasses.fields(CostBreakdown)
                                   if f.default is dataclasses.MISSING]
