"""The column sections of the bundle index (`knollm.bundle_index`): every model record decoded as `Catalog` would
decode it, its column values (`knollm.columns`) turned into JSON a chunk of records at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import bundle, columns, decode, textmatch

__all__ = ["ROWS_PER_CHUNK", "column_sections", "haystack_of"]


def column_sections(data: bytes, ranges: list[tuple[int, int]], top: dict[str, Any]) -> dict[str, bytes] | None:
    """Every column as its JSON list, by decoding each record in turn, as `Catalog` would decode it. The values
    are turned into JSON a chunk of records at a time: far smaller than 100k rows of Python objects, and one
    `orjson.dumps` per chunk and column rather than one per value."""
    from orjson import OPT_SORT_KEYS, dumps

    shallow = {**top, "models": []}
    bundle.check(shallow)  # the top-level checks; the records are checked one by one below
    upgrade = top["schema_version"] == "1.0"  # an old layout, rewritten record by record as the catalog does
    raw_families = top.get("families") or []
    families = {raw["id"]: decode.family(raw) for raw in raw_families}
    family_of = {offer: raw["id"] for raw in raw_families for offer in raw.get("offers") or ()}
    names = {raw["id"]: raw.get("name") or "" for raw in raw_families}
    rows: dict[str, bytearray] = {name: bytearray(b"[") for name in columns.ALL_COLUMNS}
    chunk: list[dict[str, Any]] = []
    for number, (start, end) in enumerate(ranges, 1):
        raw = bundle.loads(data[start:end])
        if upgrade and isinstance(raw, dict):
            bundle.upgrade_1_0([raw])
        if not bundle.is_model(raw) or "\n" in raw["id"] or bundle.index_problem([raw], []):
            return None
        model = decode.model(raw, None if "family" in raw else family_of.get(raw["id"]))
        family = families.get(model.family) if model.family else None
        open_weights = model.open_weights if model.open_weights is not None else (
            family.open_weights if family else None)
        row = columns.model_row(model, family.name.lower() if family else "", open_weights,
                                haystack_of(raw, family_of, names))
        for name in columns.DECIMAL_COLUMNS:
            row[name] = None if row[name] is None else str(row[name])
        chunk.append(row)
        if number % ROWS_PER_CHUNK == 0 or number == len(ranges):
            for name, values in rows.items():  # (a list's items, as each is dumped alone)
                values += dumps([row[name] for row in chunk], option=OPT_SORT_KEYS)[1:-1] + b","
            chunk.clear()
    return {name: bytes(_closed(rows.pop(name))) for name in columns.ALL_COLUMNS}  # each bytearray let go in turn


ROWS_PER_CHUNK = 2_000


def _closed(values: bytearray) -> bytearray:
    """`[` + items each followed by a comma, with the last comma (if any) made the closing bracket."""
    if values.endswith(b","):
        values[-1:] = b"]"
    else:
        values += b"]"
    return values


def haystack_of(raw: dict[str, Any], family_of: Mapping[str, str], names: Mapping[str, str]) -> str:
    """The folded text free-text search matches for one raw model record: id, name, family id, family name,
    description, aliases (an old spelling of the id finds the model too)."""
    family = raw.get("family") or family_of.get(raw["id"]) or ""
    parts = (raw["id"], raw.get("name") or "", family, names.get(family, ""), raw.get("description") or "",
             " ".join(raw.get("aliases") or ()))
    return textmatch.haystack([p if isinstance(p, str) else "" for p in parts])
