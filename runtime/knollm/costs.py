"""Exact cost estimates (`Decimal`, USD) from catalog prices.

The rules, per request (then every amount is multiplied by `requests`):

* `input_tokens` is the whole prompt. `cached_input_tokens` (cache reads) and `cache_write_tokens` are parts of
  it: they are charged at `cache_read_per_mtok` / `cache_write_per_mtok` instead of `input_per_mtok`, and the
  rest at `input_per_mtok`. This is how OpenAI reports usage and how `genai-prices` decomposes it.
* `reasoning_tokens` are part of `output_tokens`: charged at `reasoning_per_mtok` when the data has it, else at
  the output price (reasoning is billed as output by most providers).
* Long-context tiers: when `input_tokens` exceeds a tier's `above_input_tokens`, the highest such tier's
  prices apply to *all* tokens of the request (the "cliff" model of Anthropic, Google and OpenAI, and
  genai-prices' `TieredPrices`). A price the tier does not state keeps its base value.
* `per_request` is added once per request when the data has it (a missing per-request price means no
  per-request fee); `per_image` is charged for `images` and is required only when `images > 0`.
* A price needed for a non-zero count that the data does not have raises `PriceUnknown`; nothing unknown is
  ever priced as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .errors import InvalidArgument, PriceUnknown
from .records import Comparison, CostBreakdown, Model, Pricing, Unpriced

MTOK = Decimal(1_000_000)
ZERO = Decimal(0)


def estimate_cost(
    model: Model,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int = 0,
    cache_write_tokens: int = 0,
    requests: int = 1,
    *,
    reasoning_tokens: int = 0,
    images: int = 0,
) -> CostBreakdown:
    """The exact cost of `requests` requests, each with this usage, on `model`. See the module docstring."""
    _check_usage(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests, reasoning_tokens,
                 images)
    pricing = model.pricing
    if pricing is None:
        raise PriceUnknown(model.id, "pricing")
    tier = pricing.tier_for(input_tokens) if pricing.tiers else None
    plain_input = input_tokens - cached_input_tokens - cache_write_tokens
    plain_output = output_tokens - reasoning_tokens

    def charge(component: str, tokens: int, fallback: str | None = None) -> Decimal:
        if tokens == 0:
            return ZERO
        rate = pricing.rate(component, input_tokens)
        if rate is None and fallback is not None:
            rate = pricing.rate(fallback, input_tokens)
        if rate is None:
            raise PriceUnknown(model.id, fallback or component)
        return rate * tokens / MTOK * requests

    input_cost = charge("input_per_mtok", plain_input)
    cache_read = charge("cache_read_per_mtok", cached_input_tokens)
    cache_write = charge("cache_write_per_mtok", cache_write_tokens)
    output = charge("output_per_mtok", plain_output)
    reasoning = charge("reasoning_per_mtok", reasoning_tokens, fallback="output_per_mtok")
    per_request = (pricing.per_request or ZERO) * requests
    image = _image_cost(model.id, pricing, images) * requests
    return CostBreakdown(
        model=model.id,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        cache_write_tokens=cache_write_tokens,
        requests=requests,
        input=input_cost,
        cache_read=cache_read,
        cache_write=cache_write,
        output=output,
        per_request=per_request,
        total=input_cost + cache_read + cache_write + output + reasoning + per_request + image,
        reasoning_tokens=reasoning_tokens,
        reasoning=reasoning,
        images=images,
        image=image,
        tier=tier.above_input_tokens if tier else None,
    )


def _image_cost(model_id: str, pricing: Pricing, images: int) -> Decimal:
    if images == 0:
        return ZERO
    if pricing.per_image is None:
        raise PriceUnknown(model_id, "per_image")
    return pricing.per_image * images


def _check_usage(
    input_tokens: int, output_tokens: int, cached: int, cache_write: int, requests: int, reasoning: int, images: int
) -> None:
    counts = {
        "input_tokens": input_tokens, "output_tokens": output_tokens, "cached_input_tokens": cached,
        "cache_write_tokens": cache_write, "requests": requests, "reasoning_tokens": reasoning, "images": images,
    }
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgument(f"{name} must be a whole number, not {value!r}")
        if value < 0:
            raise InvalidArgument(f"{name} must be zero or more, not {value}")
    if cached + cache_write > input_tokens:
        raise InvalidArgument(
            f"cached_input_tokens ({cached}) + cache_write_tokens ({cache_write}) are part of input_tokens and "
            f"cannot exceed it ({input_tokens})"
        )
    if reasoning > output_tokens:
        raise InvalidArgument(
            f"reasoning_tokens ({reasoning}) are part of output_tokens and cannot exceed it ({output_tokens})"
        )


def compare(
    models: Iterable[Model],
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int = 0,
    cache_write_tokens: int = 0,
    requests: int = 1,
    *,
    reasoning_tokens: int = 0,
    images: int = 0,
) -> Comparison:
    """Price one workload on every model: priced rows cheapest first (ties by id), the rest in `unpriced`.

    Invalid usage numbers raise `InvalidArgument` at once rather than marking every model unpriced.
    """
    _check_usage(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests, reasoning_tokens,
                 images)
    costs: list[CostBreakdown] = []
    unpriced: list[Unpriced] = []
    for model in models:
        try:
            costs.append(
                estimate_cost(model, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests,
                              reasoning_tokens=reasoning_tokens, images=images)
            )
        except PriceUnknown as exc:
            unpriced.append(Unpriced(model=model.id, component=exc.component, reason=str(exc)))
    costs.sort(key=lambda c: (c.total, c.model))
    return Comparison(costs=tuple(costs), unpriced=tuple(unpriced))
