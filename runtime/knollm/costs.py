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
* Usage beyond tokens, each charged only when non-zero and per request: `images` at `per_image`, or at the
  `image_prices` entry chosen by `image_size` / `image_quality` (when the model prices sizes or qualities
  apart, the choice must name one entry); `audio_input_seconds` / `audio_output_seconds` at
  `audio_input_per_hour` / `audio_output_per_hour`; `characters` at `per_mchar`; `queries` at `per_kquery`;
  `web_searches` at `web_search_per_k`. Audio costs are price x seconds / 3600, which need not be a finite
  decimal: they are rounded half-even to 12 decimal places (a trillionth of a dollar); every other amount is
  exact.
* A price needed for a non-zero count that the data does not have raises `PriceUnknown`; nothing unknown is
  ever priced as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from .errors import InvalidArgument, PriceUnknown
from .records import Comparison, CostBreakdown, ImagePrice, Model, PriceTier, Pricing, Unpriced

MTOK = Decimal(1_000_000)
ZERO = Decimal(0)
SECONDS_PER_HOUR = Decimal(3600)
AUDIO_PLACES = Decimal("1e-12")
# Usage count -> (price field, units the price is quoted per, `CostBreakdown` amount field) for the usage beyond
# tokens and images.
NON_TOKEN_USAGE = {
    "audio_input_seconds": ("audio_input_per_hour", SECONDS_PER_HOUR, "audio_input"),
    "audio_output_seconds": ("audio_output_per_hour", SECONDS_PER_HOUR, "audio_output"),
    "characters": ("per_mchar", MTOK, "character"),
    "queries": ("per_kquery", Decimal(1000), "query"),
    "web_searches": ("web_search_per_k", Decimal(1000), "web_search"),
}


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
    image_size: str | None = None,
    image_quality: str | None = None,
    **beyond_tokens: int,
) -> CostBreakdown:
    """The exact cost of `requests` requests, each with this usage, on `model`. See the module docstring.

    `beyond_tokens` takes the keys of `NON_TOKEN_USAGE` (`audio_input_seconds`, `characters`, `queries`, ...)."""
    # The usual call names the token counts only: every other argument is then its default object itself (an
    # equal value of another type, False or 0.0, fails `is` and takes the checks below).
    if cached_input_tokens is _NO_COUNT and cache_write_tokens is _NO_COUNT and requests is _ONE_REQUEST \
            and reasoning_tokens is _NO_COUNT and images is _NO_COUNT and image_size is None and image_quality is None \
            and not beyond_tokens:
        plain = _plain_token_cost(model, input_tokens, output_tokens)
        if plain is not None:
            return plain
    # `images` must be the int 0 itself: False or 0.0 are errors the general path words.
    if not beyond_tokens and type(images) is int and images == 0 and image_size is None and image_quality is None:
        fast = _token_cost(model, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests,
                           reasoning_tokens)
        if fast is not None:
            return fast
    for name, choice in (("image_size", image_size), ("image_quality", image_quality)):
        if choice is not None and not isinstance(choice, str):
            raise InvalidArgument(f"{name} must be text (e.g. '1024x1024', 'hd'), not {choice!r}")
    _check_usage(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests, reasoning_tokens,
                 images, **beyond_tokens)
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
    image = _image_cost(model.id, pricing, images, image_size, image_quality) * requests
    extra = {name: _usage_cost(model.id, pricing, name, beyond_tokens[name]) * requests
             for name in NON_TOKEN_USAGE if name in beyond_tokens}  # a fixed order: the first unknown is reported
    # Usage counts (int) and their costs (Decimal) keyed by field name: the dataclass checks names and the
    # NON_TOKEN_USAGE table pairs each count with its cost field, which a static type cannot express.
    usage_fields: dict[str, Any] = {**beyond_tokens, **{NON_TOKEN_USAGE[name][2]: c for name, c in extra.items()}}
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
        total=input_cost + cache_read + cache_write + output + reasoning + per_request + image + sum(extra.values()),
        reasoning_tokens=reasoning_tokens,
        reasoning=reasoning,
        images=images,
        image=image,
        tier=tier.above_input_tokens if tier else None,
        image_size=image_size,
        image_quality=image_quality,
        **usage_fields,
    )


_NO_COUNT = 0
_ONE_REQUEST = 1
"""`estimate_cost`'s defaults, compared by identity: CPython keeps one object per small int, so a caller's 0 or 1
is this very object (an equal number that is not, in another implementation, only takes the longer path)."""


def _plain_token_cost(model: Model, input_tokens: int, output_tokens: int) -> CostBreakdown | None:
    """`_token_cost` when only input and output tokens are counted (one request, no cache, no reasoning): the
    same Decimals with fewer steps, for the warm path. None leaves the request to `_token_cost` (a tier in force)
    or to the general path (bad counts, a missing price), which word the outcome."""
    if type(input_tokens) is not int or type(output_tokens) is not int or input_tokens | output_tokens < 0:
        return None
    pricing = model.pricing
    if pricing is None or (pricing.tiers and pricing.tier_for(input_tokens) is not None):
        return None
    input_rate, output_rate = pricing.input_per_mtok, pricing.output_per_mtok
    if input_tokens:
        if input_rate is None:
            return None
        input_cost = input_rate * input_tokens / MTOK
    else:
        input_cost = ZERO
    if output_tokens:
        if output_rate is None:
            return None
        output = output_rate * output_tokens / MTOK
    else:
        output = ZERO
    # The general path's total, input + cache_read + cache_write + output + reasoning + per_request + image + 0,
    # with its zero terms left out but the last: the same Decimal. Adding a zero keeps the value and only brings
    # the exponent to at most 0 (rounding to the precision if that needs more digits), which the last `+ ZERO`
    # does to the sum anyway; every amount here is a result of this context, so within its precision. (Checked
    # on random amounts in contexts of other precisions and roundings: tests/test_costs_fast_path.py.)
    # The fields from a copy of a template, one store each (copying beats building a 12-key dict; a multiple
    # assignment would build a tuple first): every field without a default, those with one left to the class.
    fields = _PLAIN_FIELDS.copy()
    per_request = pricing.per_request
    if per_request:  # x 1 rounds to the context as the general path does (a zero price, 0E+3 too, gives ZERO)
        per_request *= 1
        fields["per_request"] = per_request
        fields["total"] = input_cost + output + per_request + ZERO
    else:
        fields["total"] = input_cost + output + ZERO
    fields["model"] = model.id
    fields["input_tokens"] = input_tokens
    fields["output_tokens"] = output_tokens
    fields["input"] = input_cost
    fields["output"] = output
    breakdown = _new_object(CostBreakdown)
    _set_instance_dict(breakdown, fields)
    return breakdown


def _token_cost(
    model: Model, input_tokens: int, output_tokens: int, cached: int, cache_write: int, requests: int, reasoning: int,
) -> CostBreakdown | None:
    """The common case, tokens only, with the same arithmetic as `estimate_cost` in the same order (so the same
    Decimals) but without its general machinery: this is the warm path callers hit per request. None when the
    usage is anything but plain valid whole numbers or a price is missing: the general path then checks and
    reports exactly as before."""
    # bool and int subclasses too go to the general path, which words the error; `|` of ints is negative iff one is.
    if not (type(input_tokens) is int and type(output_tokens) is int and type(cached) is int
            and type(cache_write) is int and type(requests) is int and type(reasoning) is int) \
            or input_tokens | output_tokens | cached | cache_write | requests | reasoning < 0:
        return None
    pricing = model.pricing
    if pricing is None or cached + cache_write > input_tokens or reasoning > output_tokens:
        return None
    tier = pricing.tier_for(input_tokens) if pricing.tiers else None
    if tier is None:
        input_rate, read_rate = pricing.input_per_mtok, pricing.cache_read_per_mtok
        write_rate, output_rate = pricing.cache_write_per_mtok, pricing.output_per_mtok
    else:
        input_rate, read_rate, write_rate, output_rate = _tier_rates(pricing, tier)
    plain_input, plain_output = input_tokens - cached - cache_write, output_tokens - reasoning
    # Each amount as in `estimate_cost`: zero for no tokens, else rate x tokens / MTOK x requests; a missing rate
    # for a non-zero count leaves the wording of the error to the general path.
    if (plain_input and input_rate is None) or (cached and read_rate is None) or (cache_write and write_rate is None) \
            or (plain_output and output_rate is None):
        return None
    # (`is not None` again only for the type checker: a missing rate with a non-zero count has returned above.)
    input_cost = input_rate * plain_input / MTOK if plain_input and input_rate is not None else ZERO
    cache_read = read_rate * cached / MTOK if cached and read_rate is not None else ZERO
    cache_write_cost = write_rate * cache_write / MTOK if cache_write and write_rate is not None else ZERO
    output = output_rate * plain_output / MTOK if plain_output and output_rate is not None else ZERO
    reasoning_cost = ZERO
    if reasoning:
        rate = pricing.reasoning_per_mtok
        if rate is None:
            rate = output_rate
        if rate is None:
            return None
        reasoning_cost = rate * reasoning / MTOK
    if requests != 1:  # x 1 is exact on a result of the context (at most its precision in digits): the same Decimal
        input_cost, cache_read, cache_write_cost, output, reasoning_cost = (
            input_cost * requests, cache_read * requests, cache_write_cost * requests, output * requests,
            reasoning_cost * requests)
    # `(per_request or ZERO) * requests` as the general path: a missing or zero price (`0E+3` too) gives ZERO; a
    # price is multiplied even by 1 (raw data may have more digits than the context keeps).
    per_request = pricing.per_request * requests if pricing.per_request else ZERO
    # Every field without a default; those with one only when they differ (else the class default is read, equal
    # and with the same digits: reasoning_cost is ZERO when there is no reasoning).
    fields = {
        "model": model.id, "input_tokens": input_tokens, "output_tokens": output_tokens,
        "cached_input_tokens": cached, "cache_write_tokens": cache_write, "requests": requests,
        "input": input_cost, "cache_read": cache_read, "cache_write": cache_write_cost, "output": output,
        "per_request": per_request,
        "total": input_cost + cache_read + cache_write_cost + output + reasoning_cost + per_request + ZERO,
    }
    if reasoning:
        fields["reasoning_tokens"], fields["reasoning"] = reasoning, reasoning_cost
    if tier is not None:
        fields["tier"] = tier.above_input_tokens
    breakdown = _new_object(CostBreakdown)
    _set_field(breakdown, "__dict__", fields)
    return breakdown


_new_object = object.__new__
_set_field = object.__setattr__  # `CostBreakdown` is frozen: its own __setattr__ refuses
_set_instance_dict = CostBreakdown.__dict__["__dict__"].__set__  # `_set_field(b, "__dict__", d)` without its lookup
_PLAIN_FIELDS: dict[str, object] = {
    "model": "", "input_tokens": 0, "output_tokens": 0, "cached_input_tokens": 0, "cache_write_tokens": 0,
    "requests": 1, "input": ZERO, "cache_read": ZERO, "cache_write": ZERO, "output": ZERO, "per_request": ZERO,
    "total": ZERO,
}
"""Every field without a default, with the values `_plain_token_cost` leaves as they are (`per_request` when none)."""


_LEADING_FIELDS = ("model", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "requests",
                   "input", "cache_read", "cache_write", "output", "per_request", "total", "reasoning_tokens",
                   "reasoning")
"""The fields `_token_cost` always sets besides `tier`: every one without a default, then the reasoning pair."""


def _tier_rates(pricing: Pricing, tier: PriceTier) -> tuple[Decimal | None, Decimal | None, Decimal | None,
                                                            Decimal | None]:
    """The tier's token prices, each falling back to the base price the tier does not state (`Pricing.rate`)."""
    return (
        pricing.input_per_mtok if tier.input_per_mtok is None else tier.input_per_mtok,
        pricing.cache_read_per_mtok if tier.cache_read_per_mtok is None else tier.cache_read_per_mtok,
        pricing.cache_write_per_mtok if tier.cache_write_per_mtok is None else tier.cache_write_per_mtok,
        pricing.output_per_mtok if tier.output_per_mtok is None else tier.output_per_mtok,
    )


def _image_cost(model_id: str, pricing: Pricing, images: int, size: str | None, quality: str | None) -> Decimal:
    if images == 0:
        return ZERO
    return _image_price(model_id, pricing, size, quality) * images


def _image_price(model_id: str, pricing: Pricing, size: str | None, quality: str | None) -> Decimal:
    """The plain `per_image` unless a size or quality is asked for or only sized prices exist; a choice must
    name exactly one `image_prices` entry."""
    if size is None and quality is None and (pricing.per_image is not None or not pricing.image_prices):
        if pricing.per_image is None:
            raise PriceUnknown(model_id, "per_image")
        return pricing.per_image
    matches = [p for p in pricing.image_prices
               if (size is None or p.size == size) and (quality is None or p.quality == quality)]
    if len(matches) == 1:
        return matches[0].per_image
    wanted = ", ".join(f"{k}={v}" for k, v in (("size", size), ("quality", quality)) if v is not None)
    if not matches:
        raise PriceUnknown(model_id, f"image_prices[{wanted or 'any'}]")
    raise InvalidArgument(f"{model_id} prices images by size and quality; choose one of: {_choices(matches)}")


def _choices(prices: list[ImagePrice]) -> str:
    return "; ".join(f"size={p.size or 'any'} quality={p.quality or 'any'}" for p in prices)


def _usage_cost(model_id: str, pricing: Pricing, name: str, count: int) -> Decimal:
    if count == 0:
        return ZERO
    field, per, _ = NON_TOKEN_USAGE[name]
    price: Decimal | None = getattr(pricing, field)  # a field named by the NON_TOKEN_USAGE table
    if price is None:
        raise PriceUnknown(model_id, field)
    if per != SECONDS_PER_HOUR:
        return price * count / per  # a division by a power of ten: exact
    with localcontext() as exact:
        exact.prec = 80  # far more digits than any price times a count; then one rounding, half-even
        amount = price * count / per
    rounded = amount.quantize(AUDIO_PLACES, rounding=ROUND_HALF_EVEN)
    return amount if rounded == amount else rounded  # exact amounts keep their own digits


def _check_usage(
    input_tokens: int, output_tokens: int, cached: int, cache_write: int, requests: int, reasoning: int, images: int,
    **beyond_tokens: int,
) -> None:
    unknown = sorted(set(beyond_tokens) - set(NON_TOKEN_USAGE))
    if unknown:
        raise InvalidArgument(f"unknown usage {', '.join(unknown)}; known: {', '.join(NON_TOKEN_USAGE)}")
    counts = {
        "input_tokens": input_tokens, "output_tokens": output_tokens, "cached_input_tokens": cached,
        "cache_write_tokens": cache_write, "requests": requests, "reasoning_tokens": reasoning, "images": images,
        **beyond_tokens,
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
    image_size: str | None = None,
    image_quality: str | None = None,
    **beyond_tokens: int,
) -> Comparison:
    """Price one workload on every model: priced rows cheapest first (ties by id), the rest in `unpriced`.

    Invalid usage numbers raise `InvalidArgument` at once rather than marking every model unpriced.
    """
    _check_usage(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests, reasoning_tokens,
                 images, **beyond_tokens)
    costs: list[CostBreakdown] = []
    unpriced: list[Unpriced] = []
    for model in models:
        try:
            costs.append(
                estimate_cost(model, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests,
                              reasoning_tokens=reasoning_tokens, images=images, image_size=image_size,
                              image_quality=image_quality, **beyond_tokens)
            )
        except PriceUnknown as exc:
            unpriced.append(Unpriced(model=model.id, component=exc.component, reason=str(exc)))
        except InvalidArgument as exc:  # an image choice this model cannot resolve: unpriced here, not fatal
            unpriced.append(Unpriced(model=model.id, component="image_prices", reason=str(exc)))
    costs.sort(key=lambda c: (c.total, c.model))
    return Comparison(costs=tuple(costs), unpriced=tuple(unpriced))
