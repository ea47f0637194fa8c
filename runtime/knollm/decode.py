"""Turning the bundle's JSON objects into records. Money strings become `Decimal(str)`, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .records import (
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

DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, InvalidOperation)
"""What a malformed record raises while decoding; callers turn these into a `BundleError`."""


def money(value: Any) -> Decimal | None:
    """A price from the bundle: a decimal string (or, leniently, a JSON number) -> exact Decimal."""
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"price must be a decimal string, not {value!r}")
        value = repr(value) if isinstance(value, float) else value
    result = Decimal(value)
    if not result.is_finite() or result < 0:
        raise ValueError(f"price must be a finite, non-negative decimal, not {value!r}")
    return result


def pricing(raw: dict[str, Any] | None) -> Pricing | None:
    if raw is None:
        return None
    get = raw.get
    tiers = tuple(
        PriceTier(int(t["above_input_tokens"]), money(t.get("input_per_mtok")), money(t.get("output_per_mtok")),
                  money(t.get("cache_read_per_mtok")), money(t.get("cache_write_per_mtok")))
        for t in get("tiers") or ()
    )
    return Pricing(
        money(get("input_per_mtok")), money(get("output_per_mtok")), money(get("cache_read_per_mtok")),
        money(get("cache_write_per_mtok")), money(get("reasoning_per_mtok")), money(get("per_request")),
        money(get("per_image")), tiers,
        image_prices=tuple(ImagePrice(_required(money(i.get("per_image"))), _text(i.get("size")),
                                      _text(i.get("quality"))) for i in get("image_prices") or ()),
        **{name: money(get(name)) for name in NON_TOKEN_PRICES},
    )


NON_TOKEN_PRICES = ("input_audio_per_mtok", "output_audio_per_mtok", "audio_input_per_hour", "audio_output_per_hour",
                    "per_mchar", "per_kquery", "web_search_per_k")
"""Prices added in bundle 1.2; older bundles lack them (read as unknown)."""


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected text or null, not {value!r}")
    return value


def _required(value: Decimal | None) -> Decimal:
    if value is None:
        raise ValueError("image price without per_image")
    return value


def model(raw: dict[str, Any], family: str | None = None) -> Model:
    """One model record; `family` fills in when the model object itself carries no `family` key.

    Fields are passed positionally in `Model`'s field order (this runs for every model of the bundle). The
    capability and provenance dicts are shared with the parsed document, which nothing else holds.
    """
    get = raw.get
    upstreams = get("upstreams")
    return Model(
        raw["id"],
        raw["provider"],
        raw["model_id"],
        get("kind") or "other",
        get("name"),
        get("context_window"),
        get("max_output_tokens"),
        tuple(get("input_modalities") or ()),
        tuple(get("output_modalities") or ()),
        get("capabilities") or {},
        pricing(get("pricing")),
        get("quantization"),
        get("created"),
        get("deprecation_date"),
        get("description"),
        get("owned_by"),
        tuple(_upstream(u) for u in upstreams) if upstreams else (),
        bool(get("featured", False)),
        get("provenance") or {},
        tuple(get("sources") or ()),
        get("family", family),
        get("open_weights"),
        get("knowledge_cutoff"),
        tuple(_price_flag(f) for f in flags) if (flags := get("price_flags")) else (),
        tuple(get("aliases") or ()),  # bundles before aliases and variants have neither key
        get("variant"),
    )


def _price_flag(raw: dict[str, Any]) -> PriceFlag:
    value, median = money(raw["value"]), money(raw["peer_median"])
    if value is None or median is None:
        raise ValueError(f"price flag without value or peer median: {raw!r}")
    return PriceFlag(str(raw["field"]), value, median, int(raw["peers"]), str(raw["ratio"]))


def _upstream(raw: dict[str, Any]) -> Upstream:
    return Upstream(
        provider=raw["provider"],
        status=raw.get("status"),
        context_window=raw.get("context_window"),
        pricing=pricing(raw.get("pricing")),
        capabilities=raw.get("capabilities") or {},
    )


def provider(raw: dict[str, Any]) -> Provider:
    auth = raw.get("auth")
    status = raw.get("status")
    return Provider(
        id=raw["id"],
        name=raw.get("name") or raw["id"],
        authored=bool(raw.get("authored", False)),
        kind=raw.get("kind") or "unknown",
        api_kind=raw.get("api_kind"),
        homepage=raw.get("homepage"),
        docs_url=raw.get("docs_url"),
        base_url=raw.get("base_url"),
        models_path=raw.get("models_path"),
        auth=Auth(header=auth["header"], env_var=auth.get("env_var"), header_name=auth.get("header_name"))
        if auth
        else None,
        free_tier=raw.get("free_tier"),
        notes=raw.get("notes"),
        aliases=tuple(raw.get("aliases") or ()),
        sources=dict(raw.get("sources") or {}),
        status=ProviderStatus(
            failed=bool(status["failed"]),
            last_attempt=status.get("last_attempt"),
            last_success=status.get("last_success"),
            last_error=status.get("last_error"),
        )
        if status
        else None,
        model_count=int(raw.get("model_count") or 0),
        priced_model_count=int(raw.get("priced_model_count") or 0),
    )


def family(raw: dict[str, Any]) -> Family:
    return Family(
        id=raw["id"],
        name=raw.get("name") or raw["id"],
        author=raw.get("author"),
        open_weights=raw.get("open_weights"),
        parameters=raw.get("parameters"),
        provider_count=int(raw.get("provider_count") or 0),
        offers=tuple(raw.get("offers") or ()),
        cheapest=raw.get("cheapest"),
        largest_context=raw.get("largest_context"),
    )
