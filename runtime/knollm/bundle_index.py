"""The bundle index: a file beside `catalog.json` (`catalog.json.idx`) that lets the runtime answer without parsing
the whole bundle.

The JSON bundle stays the published format; the index only says where things are in it and carries the columns
searches need, precomputed:

    KNOLLM-INDEX 1\\n
    <header: one line of JSON>\\n
    <sections, back to back>

The header holds the bundle's SHA-256 and size (an index whose bundle changed is stale and ignored: the catalog
then reads the JSON as before), the byte range in the bundle of every top-level value and of every model record
(parsed only when asked for), and the byte range in this file of each column (`knollm.columns`: one JSON list
per column, parsed on first use; prices as decimal strings). `ids` is every model id, one per line, so the first
lookup by id is a substring search instead of building a dict of every id.

The index is written by the compiler (`knollm-build`, with `build`), is deterministic (same bundle, same
bytes), and anything wrong with it (absent, stale, truncated, unreadable) only means the JSON is read instead.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

from . import bundle, columns, decode, textmatch
from .bundle_layout import LayoutError, scan
from .errors import BundleError

MAGIC = b"KNOLLM-INDEX 1\n"
SUFFIX = ".idx"


def path_for(bundle_path: Path) -> Path:
    """Where the index of a bundle lives: `catalog.json` -> `catalog.json.idx`."""
    return bundle_path.with_name(bundle_path.name + SUFFIX)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- writing ------------------------------------------------------------------------------------------------


def build(data: bytes) -> bytes | None:
    """The index of a bundle's bytes, or None when the bundle cannot be indexed (not a valid `1.1`+ bundle, a
    malformed record, an id with a line break): the runtime then reads the JSON, which reports the problem."""
    try:
        layout = scan(data)
        top = {key: bundle.loads(data[start:end]) for key, (start, end) in layout.top.items()}
        rows = _rows(data, layout.records, top)
    except (LayoutError, BundleError, ValueError, *decode.DECODE_ERRORS):
        return None
    if rows is None:
        return None
    sections: dict[str, bytes] = {"ids": "\n".join(rows["id"]).encode() + b"\n"}
    for name in columns.ALL_COLUMNS:
        values = rows[name]
        if name in columns.DECIMAL_COLUMNS:
            values = [None if v is None else str(v) for v in values]
        sections[name] = _dumps(values)
    offsets = array("Q", [n for pair in layout.records for n in pair])
    if sys.byteorder != "little":  # pragma: no cover - the file is little-endian everywhere
        offsets.byteswap()
    sections["records"] = offsets.tobytes()
    placed, at = {}, 0
    for name, body in sections.items():
        placed[name] = [at, at + len(body)]
        at += len(body)
    header = {"bundle_sha256": digest(data), "bundle_size": len(data), "models": len(layout.records),
              "upgrade": top["schema_version"] == "1.0",
              "top": {k: list(v) for k, v in layout.top.items()}, "sections": placed}
    return MAGIC + _dumps(header) + b"\n" + b"".join(sections.values())


def _dumps(value: Any) -> bytes:
    from orjson import OPT_SORT_KEYS, dumps

    return dumps(value, option=OPT_SORT_KEYS)


def _rows(data: bytes, ranges: list[tuple[int, int]], top: dict[str, Any]) -> dict[str, list[Any]] | None:
    """Every column, by decoding each record in turn (one record held at a time), as `Catalog` would decode it."""
    shallow = {**top, "models": []}
    bundle.check(shallow)  # the top-level checks; the records are checked one by one below
    upgrade = top["schema_version"] == "1.0"  # an old layout, rewritten record by record as the catalog does
    raw_families = top.get("families") or []
    families = {raw["id"]: decode.family(raw) for raw in raw_families}
    family_of = {offer: raw["id"] for raw in raw_families for offer in raw.get("offers") or ()}
    names = {raw["id"]: raw.get("name") or "" for raw in raw_families}
    rows: dict[str, list[Any]] = {name: [] for name in columns.ALL_COLUMNS}
    for start, end in ranges:
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
        for name, value in row.items():
            rows[name].append(value)
    return rows


def haystack_of(raw: dict[str, Any], family_of: Mapping[str, str], names: Mapping[str, str]) -> str:
    """The folded text free-text search matches for one raw model record: id, name, family id, family name,
    description, aliases (an old spelling of the id finds the model too)."""
    family = raw.get("family") or family_of.get(raw["id"]) or ""
    parts = (raw["id"], raw.get("name") or "", family, names.get(family, ""), raw.get("description") or "",
             " ".join(raw.get("aliases") or ()))
    return textmatch.haystack([p if isinstance(p, str) else "" for p in parts])


# -- reading ------------------------------------------------------------------------------------------------


class Index:
    """A valid index opened over its bundle's bytes: the lazy document and the columns."""

    def __init__(self, data: bytes, index: bytes, header: dict[str, Any], body: int) -> None:
        self._data = data
        self._index = index
        self._body = body
        self._sections: dict[str, list[int]] = header["sections"]
        self.size: int = header["models"]
        top = {k: (int(s), int(e)) for k, (s, e) in header["top"].items()}
        records = LazyRecords(data, self._section("records"), self.size, upgrade=header["upgrade"])
        self.document = LazyDocument(data, top, records)
        self.columns = columns.Columns(self.size, self._column)

    def _section(self, name: str) -> bytes:
        start, end = self._sections[name]
        return self._index[self._body + start: self._body + end]

    def _column(self, name: str) -> list[Any]:
        values: list[Any] = bundle.loads(self._section(name))
        if name in columns.DECIMAL_COLUMNS:
            return [None if v is None else Decimal(v) for v in values]
        return values

    def row_of(self, model_id: str) -> int | None:
        """The position of a model id, by a substring search over the id lines (no dict of every id)."""
        if "\n" in model_id:
            return None
        ids = self._section("ids")
        needle = model_id.encode()
        if ids.startswith(needle + b"\n"):
            return 0
        at = ids.find(b"\n" + needle + b"\n")
        return None if at < 0 else ids.count(b"\n", 0, at) + 1


def open_for(bundle_path: Path, data: bytes) -> Index | None:
    """The index beside `bundle_path` when it matches `data` (the bundle's bytes), else None."""
    try:
        index = path_for(bundle_path).read_bytes()
    except OSError:
        return None
    return parse(data, index)


def parse(data: bytes, index: bytes) -> Index | None:
    """An index over `data`, or None when it is not one, or is stale or damaged."""
    if not index.startswith(MAGIC):
        return None
    end = index.find(b"\n", len(MAGIC))
    try:
        header = bundle.loads(index[len(MAGIC): end])
        if header["bundle_size"] != len(data) or header["bundle_sha256"] != digest(data):
            return None
        body = end + 1
        if not all(0 <= s <= e <= len(index) - body for s, e in header["sections"].values()):
            return None
        if not all(0 <= s <= e <= len(data) for s, e in header["top"].values()):
            return None
        return Index(data, index, header, body)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class LazyRecords(Sequence[dict[str, Any]]):
    """The `models` list of the bundle, each record parsed from its bytes on first access and kept."""

    def __init__(self, data: bytes, offsets: bytes, size: int, *, upgrade: bool = False) -> None:
        self._data = data
        self._upgrade = upgrade  # a format 1.0 bundle: each record is rewritten as `bundle.upgrade_1_0` does
        self._offsets = array("Q")
        self._offsets.frombytes(offsets)
        if sys.byteorder != "little":  # pragma: no cover
            self._offsets.byteswap()
        self._parsed: dict[int, dict[str, Any]] = {}
        self._size = min(size, len(self._offsets) // 2)

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        record = self._parsed.get(index)
        if record is None:
            start, end = self._offsets[2 * index], self._offsets[2 * index + 1]
            record = self._parsed[index] = bundle.loads(self._data[start:end])
            if self._upgrade:
                bundle.upgrade_1_0([record])
        return record

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[i] for i in range(self._size))


class LazyDocument(Mapping[str, Any]):
    """The bundle document, each top-level value parsed from its bytes on first access and kept."""

    def __init__(self, data: bytes, top: dict[str, tuple[int, int]], models: LazyRecords) -> None:
        self._data = data
        self._top = top
        self._values: dict[str, Any] = {"models": models}

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            if key not in self._top:
                raise KeyError(key)
            start, end = self._top[key]
            self._values[key] = bundle.loads(self._data[start:end])
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("models", *self._top))

    def __len__(self) -> int:
        return len(self._top) + 1
