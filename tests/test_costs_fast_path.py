"""The token-only fast path of `estimate_cost` against the general path, on many random prices and usages.

A zero count of a usage beyond tokens (`characters=0`) sends the same request through the general path: every
field must come out equal and with the same Decimal digits (compared as text), and an error must be the same."""

from __future__ import annotations

import dataclasses
import pickle
import random
from decimal import Decimal as D

import pytest

from knollm import estimate_cost
from knollm.costs import _token_cost
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
