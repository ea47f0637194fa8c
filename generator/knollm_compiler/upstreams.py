"""Router listings (Hugging Face's router) list, per model, the providers they route to. The model's own
context, prices and tool support are then those of its live routes, declared by the listing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from knollm.comparable import comparable_price

from .ingest.normalise import PRICE_FIELDS


def summarise_upstreams(values: dict[str, Any]) -> frozenset[str]:
    """Fill model-level context, prices and capabilities from live upstreams, where not declared; return the keys
    filled, so the merge tags them `derived` and the report does not count them as declared."""
    before = set(values)
    routes = values.get("upstreams") or []
    live = [r for r in routes if r.get("status") in (None, "live")] or routes
    contexts = [r["context_window"] for r in live if r.get("context_window")]
    if contexts and "context_window" not in values:
        values["context_window"] = max(contexts)
    priced = [r for r in live if "pricing.input_per_mtok" in r and "pricing.output_per_mtok" in r]
    if priced and not any(k.startswith("pricing.") for k in values):
        cheapest = min(priced, key=lambda r: (_blended(r), r["provider"]))
        for key in (f"pricing.{name}" for name in PRICE_FIELDS.values()):
            if key in cheapest:
                values[key] = cheapest[key]
    for capability in sorted({k for r in live for k in r if k.startswith("capabilities.")}):
        if capability not in values:
            values[capability] = any(r.get(capability) for r in live)
    return frozenset(values.keys() - before)


def _blended(route: dict[str, Any]) -> Decimal:
    """The route's comparable price (both prices are known here: `priced` requires them)."""
    price = comparable_price(route["pricing.input_per_mtok"], route["pricing.output_per_mtok"])
    assert price is not None
    return price
