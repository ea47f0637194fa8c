"""Prices: which key is which price, in which unit, and conversion to exact USD per million tokens.

The same key means different units at different providers (`pricing.prompt` is USD per token at
OpenRouter and USD per million at Chutes), so a key without a unit in its name gets its unit from the
file it is in: the median of its positive values decides, since no token price is both above $0.001
per token ($1,000 per million) and below $0.001 per million tokens.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from . import fieldmap as fm
from . import nontoken
from .values import describe

PER_TOKEN_MEDIAN_CEILING = 1e-3
MAX_PER_MTOK = Decimal(1000)
MIN_NONZERO_PER_MTOK = Decimal("0.0001")
MAX_PER_UNIT = Decimal(100)
MIN_NONZERO_PER_UNIT = Decimal("0.000001")
"""A fee per request or per image below a millionth of a dollar is a unit error (a per-token price in the key)."""
RAW_MAX = Decimal("1e12")
RAW_MIN_NONZERO = Decimal("1e-12")
"""Every price number read from a source, in whatever unit it is written, is 0 or has a magnitude between
`RAW_MIN_NONZERO` and `RAW_MAX`; anything else (`1e28`, `"1E+400"`, `"1e-999999999"`) is a record problem.

The range is wider than any price in any unit we read: the largest conversion factor is 1e6 (per token, per
character) and the smallest 1e-6 (`per_mtok_1e-6`), so a number outside it lands outside every published
range (`MIN_NONZERO_PER_MTOK`..`MAX_PER_MTOK` for tokens, `MAX_PER_UNIT`, the `nontoken.BANDS`) under every
unit: rejecting it first changes no outcome. It keeps unit conversion exact in the default decimal context
(28 digits, exponents to +-999999), where `1e999999999 * 1e6` overflows and `1e-999999999 * 1e6` silently
underflows to a free price."""
UNIT_FACTORS = {"per_token": Decimal(1_000_000), "per_1k": Decimal(1000), "per_mtok": Decimal(1)}
SUB_DOLLAR_SCALES = {f"per_mtok_1e-{n}": Decimal(10) ** -n for n in range(2, 7)}
"""Listings that quote USD per million tokens in a sub-dollar unit (cents: 1e-2, 1/10,000 USD: 1e-4, ...)."""
PLAIN_EXPONENT_LIMIT = 1000
"""`plain_decimal` leaves numbers beyond 1e+-1000 as they are: the default context overflows at 1e+-999999."""
SCALES = {**UNIT_FACTORS, **SUB_DOLLAR_SCALES}
"""Every scale unit calibration may choose: name -> factor to USD per million tokens."""
TOKEN_COMPONENTS = ("input", "output", "cache_read", "cache_write", "reasoning")
UNIT_COMPONENTS = ("per_request", "per_image")
UNKNOWN_SENTINEL = Decimal(-1)
DOLLAR_MARKS = re.compile(r"^(?:US)?\$\s*|\s*USD$", re.IGNORECASE)
TIERED_COMPONENTS = ("input", "output", "cache_read", "cache_write")
PATH_CACHE = 65_536
"""Distinct key paths remembered: a listing repeats a few dozen paths over every entry (bounded, since a hostile
file may name a new key in each entry)."""


@dataclass(frozen=True, slots=True)
class PriceKey:
    """What one price key means."""

    component: str
    """input, output, cache_read, cache_write, reasoning, per_request, per_image, or a `nontoken` component."""
    unit: str | None
    """per_token, per_1k, per_mtok, per_unit, or a `nontoken` unit; None when the name does not say."""
    tier: int | None = None
    """Input-token threshold of a long-context tier."""


@lru_cache(maxsize=PATH_CACHE)
def is_price_path(path: str) -> bool:
    return bool(fm.PRICE_PATH.search(path))


@lru_cache(maxsize=PATH_CACHE)
def classify(path: str) -> PriceKey | None:
    """Return the meaning of a price path, or None when it is a price we do not publish."""
    segments = path.lower().split(".")
    leaf = segments[-1]
    if leaf in fm.OTHER_CURRENCY_LEAVES:
        return None
    if leaf in fm.CURRENCY_LEAVES and len(segments) > 1:
        leaf = segments[-2]  # price.input.usd -> input
    tier_match = fm.TIER.search(leaf)
    tier = int(tier_match.group(1)) * 1000 if tier_match else None
    if tier_match:
        leaf = leaf[: tier_match.start()]
    elif segment_tier := next((m for s in segments[:-1] if (m := fm.TIER_SEGMENT.match(s))), None):
        tier = int(segment_tier.group(1)) * 1000
    if (special := nontoken.classify(path, leaf)) is not None:
        return PriceKey(*special) if tier is None else None
    if any(word in leaf for word in fm.UNPUBLISHED_PRICE_WORDS):
        return None
    component = _component(leaf)
    if component is None or (tier is not None and component not in TIERED_COMPONENTS):
        return None
    return PriceKey(component, _unit(leaf, component), tier)


def _component(leaf: str) -> str | None:
    if "cache_read" in leaf or "cache_hit" in leaf or "cached" in leaf:
        return "cache_read"
    if "cache_creation" in leaf or "cache_write" in leaf:
        return "cache_write"
    if "reasoning" in leaf:
        return "reasoning"
    if "request" in leaf:
        return "per_request"
    if "image" in leaf:
        return "per_image"
    if "prompt" in leaf or "input" in leaf:
        return "input"
    if "completion" in leaf or "output" in leaf:
        return "output"
    return None


def _unit(leaf: str, component: str) -> str | None:
    if component in UNIT_COMPONENTS:
        return "per_unit"
    if "per_1k" in leaf or "1k_tokens" in leaf or "per_thousand" in leaf:
        return "per_1k"
    if re.search(r"per_(\w+_)?token", leaf) or leaf.endswith("_token_cost"):
        return "per_token"
    if "per_million" in leaf or "mtok" in leaf or "per_1m" in leaf:
        return "per_mtok"
    return None


def to_decimal(value: object) -> Decimal | None:
    """Parse a price value exactly. Floats are rounded to 12 significant digits to shed binary noise; a string
    may carry a dollar sign or a `USD` marker (`"$0.60"`, `"0.60 USD"`), which say the currency we publish."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(f"{value:.12g}")
    if isinstance(value, str):
        text = DOLLAR_MARKS.sub("", value.strip())
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None


def parse_price(value: object) -> tuple[Decimal | None, str | None]:
    """`to_decimal` with the range check: (number, None), (None, None) for no value, or (None, reason)."""
    if value is None or value == "":
        return None, None
    number = to_decimal(value)
    if number is None:
        return None, f"price is not a number: {describe(value)}"
    if not number.is_zero() and not RAW_MIN_NONZERO <= number.copy_abs() <= RAW_MAX:
        return None, (f"implausible price {describe(value)}: outside the range read (0, or {RAW_MIN_NONZERO:e} to "
                      f"{RAW_MAX:e} in any unit), a unit or typing error")
    return (Decimal(0) if number.is_zero() else number), None  # -0 is 0: never shown as $-0


_PARSED: dict[str, tuple[Decimal | None, str | None]] = {}
_PARSED_MAX = 65_536


def parse_price_text(value: object) -> tuple[Decimal | None, str | None]:
    """`parse_price`, remembered for text: a listing repeats the same few hundred price strings in every entry
    (Decimals are immutable, so one parsed value can be shared)."""
    if type(value) is not str:
        return parse_price(value)
    found = _PARSED.get(value)
    if found is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[value] = parse_price(value)
    return found


def detect_units(samples: dict[str, list[Decimal]]) -> dict[str, str]:
    """Per ambiguous price path: `per_token` when the median positive value is tiny, else `per_mtok`.

    Values are pooled over sibling keys (`pricing.prompt` with `pricing.completion`): one price object
    has one unit, and pooling keeps a single typo in a small file from flipping the unit of one key.
    """
    pooled: dict[str, list[float]] = {}
    for path, values in samples.items():
        pooled.setdefault(path.rpartition(".")[0], []).extend(float(v) for v in values if v > 0)
    units: dict[str, str] = {}
    for path in samples:
        positive = pooled[path.rpartition(".")[0]]
        tiny = bool(positive) and statistics.median(positive) < PER_TOKEN_MEDIAN_CEILING
        units[path] = "per_token" if tiny else "per_mtok"
    return units


def normalise(value: Decimal, key: PriceKey, unit: str) -> tuple[Decimal | None, str | None]:
    """Convert to the published unit. Returns (value, None), (None, None) for 'unknown', or (None, reason)."""
    if value == UNKNOWN_SENTINEL:
        return None, None
    if value < 0:
        return None, f"negative price {value}"
    if key.component in nontoken.FIELDS.keys() - nontoken.TOKEN_LIKE or key.component in nontoken.BARE_TIME:
        converted, reason = nontoken.normalise(value, key.component, unit)
        return (None, reason) if reason else (plain_decimal(converted), None)
    if unit == "per_unit":
        if value > MAX_PER_UNIT or 0 < value < MIN_NONZERO_PER_UNIT:
            return None, f"implausible price {plain_decimal(value)} USD per {key.component.removeprefix('per_')}"
        return plain_decimal(value), None
    converted = value * UNIT_FACTORS[unit]
    if converted > MAX_PER_MTOK or (0 < converted < MIN_NONZERO_PER_MTOK):
        return None, f"implausible price {plain_decimal(converted)} USD per million tokens (read {value} as {unit})"
    return plain_decimal(converted), None


def plain_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation; negative zero becomes 0."""
    if value.is_zero():
        return Decimal(0)
    if not value.is_finite() or abs(value.adjusted()) > PLAIN_EXPONENT_LIMIT:
        return value  # far outside RAW range (callers check it first): normalising could overflow the context
    normalised = value.normalize()
    if normalised != normalised.to_integral():
        return normalised
    try:
        return normalised.quantize(Decimal(1))
    except InvalidOperation:  # more digits than the context holds (a hostile 1e999999): keep the exponent
        return normalised


def provisional(value: Decimal, unit: str) -> tuple[Decimal | None, str | None]:
    """Like `normalise` for a token price, but without the plausibility check: that waits until unit
    calibration has settled the file's scale (`calibrate.py`)."""
    if value == UNKNOWN_SENTINEL:
        return None, None
    if value < 0:
        return None, f"negative price {value}"
    return plain_decimal(value * SCALES[unit]), None


def implausible(converted: Decimal, raw: Decimal, unit: str) -> str | None:
    """Why a token price in USD per million tokens cannot be right, or None."""
    if converted > MAX_PER_MTOK or (0 < converted < MIN_NONZERO_PER_MTOK):
        return f"implausible price {plain_decimal(converted)} USD per million tokens (read {raw} as {unit})"
    return None


def scaled(raw: Decimal, unit: str) -> Decimal:
    """`raw` in `unit`, exactly, in USD per million tokens."""
    return plain_decimal(raw * SCALES[unit])
