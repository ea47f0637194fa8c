"""Turning the bundle's JSON objects into records. Money strings become `Decimal(str)`, never floats.

Every value is checked on the way in, so a malformed bundle fails here, with the record and the dotted path of the
bad value (`DecodeError`, turned into a `BundleError` by the catalog), and never later as a `TypeError` in a query
or an `Overflow` in a cost estimate. A malformed record is an error, not skipped: a catalog that silently lost a
model would answer "unknown model" or a wrong "cheapest" without saying why.

Bounds: a price is 0 or a decimal from `MIN_PRICE` (1e-12) to below `MAX_PRICE` (1e9) USD per its unit, written in
at most `MAX_PRICE_TEXT` characters (negative zero is refused); a count (context window, tokens, peers) is a whole
number from 0 to `MAX_COUNT`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .records import (
    TOKEN_PRICES,
    Auth,
    Family,
    ImagePrice,
    Model,
    PriceFlag,
    PriceTier,
    Pricing,
    Provider,
    ProviderStatus,
    Upstream,
)

MAX_PRICE = Decimal(10**9)
"""The largest price read, USD per unit: far above any real price, low enough that no cost estimate overflows."""
MIN_PRICE = Decimal("1e-12")
"""The smallest non-zero price read: smaller ones are typos (`1e-999999` would print as a million digits)."""
_MIN_EXP, _MAX_EXP = MIN_PRICE.adjusted(), MAX_PRICE.adjusted()
_ZERO = Decimal(0)
MAX_PRICE_TEXT = 64
"""The longest price string read (a price is a short decimal; a 100k-digit string is not a price)."""
MAX_COUNT = 10**15
"""The largest count read (context window, token thresholds, model counts)."""


_TEXT, _OBJECT = frozenset({str}), frozenset({dict})


class DecodeError(ValueError):
    """A malformed value in a bundle record: `path` is its dotted path inside the record, `reason` what is wrong."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, InvalidOperation)
"""What a malformed record raises while decoding; callers turn these into a `BundleError`."""


def money(value: Any, *where: str) -> Decimal | None:
    """A price from the bundle: a decimal string (or, leniently, a JSON number) -> exact Decimal, within bounds.
    `where` are the parts of its dotted path, joined only for an error (this runs for every price of the bundle)."""
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DecodeError(_path(where), f"a price must be a decimal string, not {_shown(value)}")
        value = repr(value) if isinstance(value, float) else str(value)
    if len(value) > MAX_PRICE_TEXT:
        raise DecodeError(_path(where), f"a price must be a short decimal, not {len(value):,} characters")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise DecodeError(_path(where), f"a price must be a decimal, not {_shown(value)}") from None
    # adjusted() is the power of ten of the first digit: the bounds without a slower Decimal comparison
    if result.is_finite() and not result.is_signed():
        if _MIN_EXP <= result.adjusted() < _MAX_EXP:
            return result
        if not result:  # 0E-999999 is a zero that would print a million digits
            return _ZERO
    raise DecodeError(_path(where), f"a price must be 0 or from {MIN_PRICE} to below {MAX_PRICE:,} USD, "
                                    f"not {value!r}")


def _path(parts: tuple[str, ...]) -> str:
    return ".".join(parts) or "price"


def count(value: Any, path: str) -> int | None:
    """A whole number between 0 and `MAX_COUNT`, or None."""
    if value is None:
        return None
    if value.__class__ is not int or not 0 <= value <= MAX_COUNT:
        raise DecodeError(path, f"expected a whole number from 0 to {MAX_COUNT:,}, not {_shown(value)}")
    return value


def text(value: Any, path: str) -> str | None:
    """Text or None."""
    if value is not None and value.__class__ is not str:
        raise DecodeError(path, f"expected text or null, not {_shown(value)}")
    return value


def texts(value: Any, path: str) -> tuple[str, ...]:
    """A list of text (absent or null: empty)."""
    if not value:
        return ()
    if value.__class__ is not list or not set(map(type, value)) <= _TEXT:  # map(type): no Python-level loop
        raise DecodeError(path, f"expected a list of text, not {_shown(value)}")
    return tuple(value)


def flag(value: Any, path: str) -> bool | None:
    """true, false or null."""
    if value is not None and value.__class__ is not bool:
        raise DecodeError(path, f"expected true, false or null, not {_shown(value)}")
    return value


def mapping(value: Any, path: str, kind: type = str) -> dict[str, Any]:
    """An object whose values are all of `kind` (absent or null: empty). The parsed dict itself is returned."""
    if not value:
        return {}
    if value.__class__ is not dict or not set(map(type, value.values())) <= {kind}:
        raise DecodeError(path, f"expected an object of {kind.__name__} values, not {_shown(value)}")
    return value


def record(value: Any, path: str) -> dict[str, Any] | None:
    """A nested object, or None."""
    if value is not None and value.__class__ is not dict:
        raise DecodeError(path, f"expected an object, not {_shown(value)}")
    return value


def records(value: Any, path: str) -> list[dict[str, Any]]:
    """A list of objects (absent or null: empty)."""
    if not value:
        return []
    if value.__class__ is not list or not set(map(type, value)) <= _OBJECT:
        raise DecodeError(path, f"expected a list of objects, not {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    """A hostile value, shown short: its JSON type and the start of its text."""
    shown = repr(value)
    kind = {dict: "an object", list: "a list", str: "text", bool: "a boolean", int: "a number", float: "a number"}
    return f"{kind.get(value.__class__, type(value).__name__)} {shown[:40]}{'...' if len(shown) > 40 else ''}"


def pricing(raw: Any, path: str = "pricing") -> Pricing | None:
    raw = record(raw, path)
    if raw is None:
        return None
    get = raw.get
    tiers, images = get("tiers"), get("image_prices")
    return Pricing(
        **{name: money(get(name), path, name) for name in BASE_PRICES},
        tiers=tuple(_tier(t, f"{path}.tiers[{i}]") for i, t in enumerate(records(tiers, f"{path}.tiers")))
        if tiers else (),
        image_prices=tuple(_image_price(p, f"{path}.image_prices[{i}]")
                           for i, p in enumerate(records(images, f"{path}.image_prices"))) if images else (),
        **{name: money(get(name), path, name) for name in NON_TOKEN_PRICES},
    )


BASE_PRICES = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
               "reasoning_per_mtok", "per_request", "per_image")
NON_TOKEN_PRICES = ("input_audio_per_mtok", "output_audio_per_mtok", "audio_input_per_hour", "audio_output_per_hour",
                    "per_mchar", "per_kquery", "web_search_per_k")
"""Prices added in bundle 1.2; older bundles lack them (read as unknown)."""


def _tier(raw: dict[str, Any], path: str) -> PriceTier:
    above = count(raw.get("above_input_tokens"), f"{path}.above_input_tokens")
    if above is None:
        raise DecodeError(f"{path}.above_input_tokens", "a price tier needs its input-token threshold")
    return PriceTier(above_input_tokens=above, **{name: money(raw.get(name), path, name) for name in TOKEN_PRICES})


def _image_price(raw: dict[str, Any], path: str) -> ImagePrice:
    per_image = money(raw.get("per_image"), path, "per_image")
    if per_image is None:
        raise DecodeError(f"{path}.per_image", "an image price needs per_image")
    return ImagePrice(per_image=per_image, size=text(raw.get("size"), f"{path}.size"),
                      quality=text(raw.get("quality"), f"{path}.quality"))


_MODEL_TEXT = ("kind", "name", "quantization", "created", "deprecation_date", "description", "owned_by", "family",
               "knowledge_cutoff", "variant")
_TEXT_OR_NULL = frozenset({str, type(None)})


def model(raw: dict[str, Any], family: str | None = None) -> Model:
    """One model record; `family` fills in when the model object itself carries no `family` key.

    Fields are passed by name (a reordered record can never swap two values). This runs for every model of the
    bundle, so the text fields are checked at once, in C, and one by one only to name a bad one. The capability
    and provenance dicts are shared with the parsed document, which nothing else holds. `id`, `provider` and
    `model_id` were checked when the bundle was loaded (`bundle.check`).
    """
    get = raw.get
    if not set(map(type, map(get, _MODEL_TEXT))) <= _TEXT_OR_NULL:
        for key in _MODEL_TEXT:
            text(get(key), key)
    upstreams, flags = get("upstreams"), get("price_flags")
    return Model(
        id=raw["id"],
        provider=raw["provider"],
        model_id=raw["model_id"],
        kind=get("kind") or "other",
        name=get("name"),
        context_window=count(get("context_window"), "context_window"),
        max_output_tokens=count(get("max_output_tokens"), "max_output_tokens"),
        input_modalities=texts(get("input_modalities"), "input_modalities"),
        output_modalities=texts(get("output_modalities"), "output_modalities"),
        capabilities=mapping(get("capabilities"), "capabilities", bool),
        pricing=pricing(get("pricing")),
        quantization=get("quantization"),
        created=get("created"),
        deprecation_date=get("deprecation_date"),
        description=get("description"),
        owned_by=get("owned_by"),
        upstreams=tuple(_upstream(u, f"upstreams[{i}]") for i, u in enumerate(records(upstreams, "upstreams")))
        if upstreams else (),
        featured=bool(flag(get("featured"), "featured")),
        provenance=mapping(get("provenance"), "provenance"),
        sources=texts(get("sources"), "sources"),
        family=get("family", family),
        open_weights=flag(get("open_weights"), "open_weights"),
        knowledge_cutoff=get("knowledge_cutoff"),
        price_flags=tuple(_price_flag(f, f"price_flags[{i}]") for i, f in enumerate(records(flags, "price_flags")))
        if flags else (),
        aliases=texts(get("aliases"), "aliases"),  # bundles before aliases and variants have neither key
        variant=get("variant"),
    )


def required(raw: dict[str, Any], key: str, path: str = "") -> str:
    """Text that must be there (an id, a provider); `path` is the dotted path of `raw` inside the record."""
    value = raw.get(key)
    if value.__class__ is not str or not value:
        where = f"{path}.{key}" if path else key
        raise DecodeError(where, f"required text is {'missing' if value is None else _shown(value)}")
    return value


def _price_flag(raw: dict[str, Any], path: str) -> PriceFlag:
    value, median = money(raw.get("value"), path, "value"), money(raw.get("peer_median"), path, "peer_median")
    if value is None or median is None:
        raise DecodeError(path, "a price flag needs value and peer_median")
    peers = count(raw.get("peers"), f"{path}.peers") or 0
    return PriceFlag(field=required(raw, "field", path), value=value, peer_median=median, peers=peers,
                     ratio=str(text(raw.get("ratio"), f"{path}.ratio")))


def _upstream(raw: dict[str, Any], path: str) -> Upstream:
    return Upstream(
        provider=required(raw, "provider", path),
        status=text(raw.get("status"), f"{path}.status"),
        context_window=count(raw.get("context_window"), f"{path}.context_window"),
        pricing=pricing(raw.get("pricing"), f"{path}.pricing"),
        capabilities=mapping(raw.get("capabilities"), f"{path}.capabilities", bool),
    )


def provider(raw: dict[str, Any]) -> Provider:
    get = raw.get
    auth = record(get("auth"), "auth")
    status = record(get("status"), "status")
    return Provider(
        id=required(raw, "id"),
        name=text(get("name"), "name") or raw["id"],
        authored=bool(flag(get("authored"), "authored")),
        kind=text(get("kind"), "kind") or "unknown",
        api_kind=text(get("api_kind"), "api_kind"),
        homepage=text(get("homepage"), "homepage"),
        docs_url=text(get("docs_url"), "docs_url"),
        base_url=text(get("base_url"), "base_url"),
        models_path=text(get("models_path"), "models_path"),
        auth=Auth(header=required(auth, "header", "auth"), env_var=text(auth.get("env_var"), "auth.env_var"),
                  header_name=text(auth.get("header_name"), "auth.header_name")) if auth else None,
        free_tier=flag(get("free_tier"), "free_tier"),
        notes=text(get("notes"), "notes"),
        aliases=texts(get("aliases"), "aliases"),
        sources=dict(mapping(get("sources"), "sources")),
        status=_status(status) if status else None,
        model_count=count(get("model_count"), "model_count") or 0,
        priced_model_count=count(get("priced_model_count"), "priced_model_count") or 0,
    )


def _status(raw: dict[str, Any]) -> ProviderStatus:
    failed = flag(raw.get("failed"), "status.failed")
    if failed is None:
        raise DecodeError("status.failed", "a provider status needs failed: true or false")
    return ProviderStatus(failed=failed, last_attempt=text(raw.get("last_attempt"), "status.last_attempt"),
                          last_success=text(raw.get("last_success"), "status.last_success"),
                          last_error=text(raw.get("last_error"), "status.last_error"))


def family(raw: dict[str, Any]) -> Family:
    get = raw.get
    return Family(
        id=required(raw, "id"),
        name=text(get("name"), "name") or raw["id"],
        author=text(get("author"), "author"),
        open_weights=flag(get("open_weights"), "open_weights"),
        parameters=text(get("parameters"), "parameters"),
        provider_count=count(get("provider_count"), "provider_count") or 0,
        offers=texts(get("offers"), "offers"),
        cheapest=text(get("cheapest"), "cheapest"),
        largest_context=text(get("largest_context"), "largest_context"),
    )
