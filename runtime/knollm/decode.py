"""Turning the bundle's JSON objects into records. Money strings become `Decimal(str)`, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .records import Auth, Family, Model, PriceTier, Pricing, Provider, ProviderStatus, Upstream

_MONEY = (
    "input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
    "reasoning_per_mtok", "per_request", "per_image",
)
_TIER_MONEY = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok")
DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, InvalidOperation)
"""What a malformed record raises while decoding; callers turn these into a `BundleError`."""


def money(value: Any) -> Decimal | None:
    """A price from the bundle: a decimal string (or, leniently, a JSON number) -> exact Decimal."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"price must be a decimal string, not {value!r}")
    if isinstance(value, float):
        value = repr(value)
    result = Decimal(value if isinstance(value, str | int) else str(value))
    if not result.is_finite() or result < 0:
        raise ValueError(f"price must be a finite, non-negative decimal, not {value!r}")
    return result


def pricing(raw: dict[str, Any] | None) -> Pricing | None:
    if raw is None:
        return None
    tiers = tuple(
        PriceTier(above_input_tokens=int(t["above_input_tokens"]), **{k: money(t.get(k)) for k in _TIER_MONEY})
        for t in raw.get("tiers") or ()
    )
    return Pricing(**{k: money(raw.get(k)) for k in _MONEY}, tiers=tiers)


def model(raw: dict[str, Any], family: str | None = None) -> Model:
    """One model record; `family` fills in when the model object itself carries no `family` key."""
    return Model(
        id=raw["id"],
        provider=raw["provider"],
        model_id=raw["model_id"],
        kind=raw.get("kind") or "other",
        name=raw.get("name"),
        context_window=raw.get("context_window"),
        max_output_tokens=raw.get("max_output_tokens"),
        input_modalities=tuple(raw.get("input_modalities") or ()),
        output_modalities=tuple(raw.get("output_modalities") or ()),
        capabilities=dict(raw.get("capabilities") or {}),
        pricing=pricing(raw.get("pricing")),
        quantization=raw.get("quantization"),
        created=raw.get("created"),
        deprecation_date=raw.get("deprecation_date"),
        description=raw.get("description"),
        owned_by=raw.get("owned_by"),
        upstreams=tuple(_upstream(u) for u in raw.get("upstreams") or ()),
        featured=bool(raw.get("featured", False)),
        provenance=dict(raw.get("provenance") or {}),
        sources=tuple(raw.get("sources") or ()),
        family=raw.get("family", family),
    )


def _upstream(raw: dict[str, Any]) -> Upstream:
    return Upstream(
        provider=raw["provider"],
        status=raw.get("status"),
        context_window=raw.get("context_window"),
        pricing=pricing(raw.get("pricing")),
        capabilities=dict(raw.get("capabilities") or {}),
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
