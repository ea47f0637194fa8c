"""A model's price comes whole from one source.

Prices are a record (input, output, cache, reasoning, per-unit prices and long-context tiers) that a source
states together; gluing one source's input price to another's output price produces prices nobody charges. So
the winning source (by `precedence.py`) gives the whole record. A component it lacks is filled from another
source only when every component both state agrees within 1% (so both describe the same price list);
otherwise the component stays unknown and a conflict is recorded. Every comparison also feeds the per-provider
agreement table of the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .drafts import Draft
from .ingest.nontoken import TIMED
from .precedence import won_by

TOLERANCE = Decimal("0.01")
TIERS = "pricing.tiers"
PRICE_PREFIXES = ("pricing.", TIMED)
"""Draft keys that belong to the price record (`timed.*`: per-time prices published once the kind is known)."""


@dataclass(slots=True)
class PriceChoice:
    """The price fields of one model, and what choosing them found."""

    values: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    compared: int = 0
    """Components another source also stated."""
    agreed: int = 0
    """Of those, components within 1% of the kept value."""
    conflicts: list[dict[str, str]] = field(default_factory=list)
    filled: list[dict[str, str]] = field(default_factory=list)
    """Components filled from a second source that agreed on every shared component."""


def price_record(draft: Draft) -> dict[str, Any]:
    return {k: v for k, v in draft.values.items() if k.startswith(PRICE_PREFIXES)}


def published_name(key: str) -> str:
    """The bundle field a price record key fills (`timed.audio_input_per_hour` -> `pricing.audio_input_per_hour`)."""
    return "pricing." + key.removeprefix(TIMED) if key.startswith(TIMED) else key


def differs(kept: Any, other: Any) -> bool:
    if not (isinstance(kept, Decimal) and isinstance(other, Decimal)):
        return bool(kept != other)  # e.g. per-size image price lists: equal or not
    scale = max(abs(kept), abs(other))
    return scale > 0 and abs(kept - other) / scale > TOLERANCE


def choose_prices(members: list[Draft]) -> PriceChoice:
    """`members` in precedence order (the first wins). Returns the model's `pricing.*` values."""
    choice = PriceChoice()
    priced = [(d, rec) for d in members if (rec := price_record(d))]
    if not priced:
        return choice
    winner, record = priced[0]
    choice.values = dict(record)
    choice.provenance = {key: winner.tag(key) for key in record}
    owners = dict.fromkeys(record, winner)
    for draft, other in priced[1:]:
        shared = sorted(k for k in other if k in choice.values and k != TIERS)
        disagree = [k for k in shared if differs(choice.values[k], other[k])]
        choice.compared += len(shared)
        choice.agreed += len(shared) - len(disagree)
        for name in disagree:
            choice.conflicts.append(_conflict(owners[name], draft, name, choice.values[name], other[name]))
        missing = sorted(k for k in other if k not in choice.values)
        if disagree or not shared or not missing:
            continue  # no evidence that both describe the same price list: nothing is glued on
        for name in missing:
            choice.values[name] = other[name]
            choice.provenance[name] = draft.tag(name)
            owners[name] = draft
            choice.filled.append({"model": f"{draft.provider}/{draft.model_id}", "field": published_name(name),
                                  "from": draft.source, "agreeing": ",".join(shared)})
    return choice


def _conflict(kept: Draft, other: Draft, name: str, kept_value: Any, other_value: Any) -> dict[str, str]:
    return {
        "model": f"{other.provider}/{other.model_id}", "field": published_name(name),
        "kept": f"{kept.source}={kept_value}", "other": f"{other.source}={other_value}",
        "kept_as_of": kept.as_of or "undated", "other_as_of": other.as_of or "undated",
        "won_by": won_by(kept, other), "action": "kept whole; other source's price not mixed in",
    }
