"""What changed between two bundles: models and providers added or removed, prices (old → new, percent), context
windows and capabilities. Works on the bundles' JSON (a previous bundle may be of an older schema).

Every change is one flat record (the `catalog/history/` line format, see `history_record.py`):
`{"date", "kind", "provider", "model", "field", "old", "new", "percent"}`; prices and percents are decimal
strings, never floats; a price that appears or disappears has `old` or `new` null and no percent (unknown is
not zero).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("provider_added", "provider_removed", "model_added", "model_removed", "price", "context", "capability")
"""Change kinds, in the order a change list shows them."""
PERCENT = Decimal("0.01")

Change = dict[str, Any]


def diff_bundles(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    """Every change from `previous` to `current`, dated by the current bundle's data date, sorted."""
    date = str(current.get("data_date") or "")
    changes = _provider_changes(previous, current) + _model_changes(previous, current)
    for change in changes:
        change["date"] = date
    return sorted((_complete(c) for c in changes), key=sort_key)


def sort_key(change: Change) -> tuple[str, int, str, str, str]:
    """Date, kind (in `KINDS` order), provider, model, field: a total, stable order."""
    kind = change.get("kind")
    rank = KINDS.index(kind) if kind in KINDS else len(KINDS)
    return (str(change.get("date") or ""), rank, str(change.get("provider") or ""), str(change.get("model") or ""),
            str(change.get("field") or ""))


def _complete(change: Change) -> Change:
    base: Change = {"date": None, "kind": None, "provider": None, "model": None, "field": None, "old": None,
                    "new": None, "percent": None}
    base.update(change)
    return base


def _records(bundle: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    items = bundle.get(section)
    if not isinstance(items, list):
        return {}
    return {str(r["id"]): r for r in items if isinstance(r, dict) and isinstance(r.get("id"), str)}


def _provider_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    old, new = _records(previous, "providers"), _records(current, "providers")
    added = [{"kind": "provider_added", "provider": pid} for pid in sorted(set(new) - set(old))]
    return added + [{"kind": "provider_removed", "provider": pid} for pid in sorted(set(old) - set(new))]


def _model_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Change]:
    old, new = _records(previous, "models"), _records(current, "models")
    changes: list[Change] = []
    for mid in sorted(set(new) | set(old)):
        before, after = old.get(mid), new.get(mid)
        provider = str((after or before or {}).get("provider") or mid.split("/")[0])
        if before is None:
            changes.append({"kind": "model_added", "provider": provider, "model": mid})
        elif after is None:
            changes.append({"kind": "model_removed", "provider": provider, "model": mid})
        elif before != after:  # most models are unchanged: one C-level comparison skips them
            for change in _price_changes(before, after) + _other_changes(before, after):
                changes.append({"provider": provider, "model": mid, **change})
    return changes


def _prices(model: dict[str, Any]) -> dict[str, Decimal]:
    pricing = model.get("pricing")
    if not isinstance(pricing, dict):
        return {}
    found: dict[str, Decimal] = {}
    for key, value in pricing.items():
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            try:
                found[key] = Decimal(str(value))
            except InvalidOperation:
                continue
    return found


def _price_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    if before.get("pricing") == after.get("pricing"):
        return []
    old, new = _prices(before), _prices(after)
    changes: list[Change] = []
    for field in sorted(set(old) | set(new)):
        was, now = old.get(field), new.get(field)
        if was == now:
            continue
        changes.append({"kind": "price", "field": field, "old": _text(was), "new": _text(now),
                        "percent": percent(was, now)})
    return changes


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def percent(old: Decimal | None, new: Decimal | None) -> str | None:
    """The change in percent, two decimals (`"-20.00"`); None when either is unknown or the old price is zero."""
    if old is None or new is None or old == 0:
        return None
    return str(((new - old) / old * 100).quantize(PERCENT))


def _other_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    was, now = before.get("context_window"), after.get("context_window")
    if was != now:
        changes.append({"kind": "context", "field": "context_window", "old": was, "new": now})
    old_caps, new_caps = _caps(before), _caps(after)
    for name in sorted(set(old_caps) | set(new_caps)):
        if old_caps.get(name) != new_caps.get(name):
            changes.append({"kind": "capability", "field": name, "old": old_caps.get(name),
                            "new": new_caps.get(name)})
    return changes


def _caps(model: dict[str, Any]) -> dict[str, bool]:
    caps = model.get("capabilities")
    return {str(k): v for k, v in caps.items() if isinstance(v, bool)} if isinstance(caps, dict) else {}


def changes_document(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """`dist/changes.json`: both dates, counts per kind, and the changes."""
    changes = diff_bundles(previous, current)
    counts = {kind: sum(1 for c in changes if c["kind"] == kind) for kind in KINDS}
    return {"date": current.get("data_date"), "previous_date": previous.get("data_date"), "counts": counts,
            "changes": changes}
