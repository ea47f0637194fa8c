"""The bundle index: a file beside `catalog.json` (`catalog.json.idx`) that lets the runtime answer without parsing
the whole bundle.

The JSON bundle stays the published format; the index only says where things are in it and carries the columns
searches need, precomputed:

    KNOLLM-INDEX 1\\n
    <header: one line of JSON>\\n
    <sections, back to back>

The header holds the bundle's SHA-256 and size (an index whose bundle changed is stale and ignored: the catalog
then reads the JSON as before), the byte range in the bundle of every top-level value and of every model record
(parsed only when asked for), and the byte range and SHA-256 of each section of this file: the columns
(`knollm.columns`: one JSON list per column, parsed on first use; prices as decimal strings), `ids` (every model
id, one per line, so the first lookup by id is a substring search instead of building a dict of every id),
`family_ids`, `records` (the record ranges, little-endian 64-bit pairs), `suggest_ids` / `suggest_shorts` (the
neighbour orders 'did you mean' searches, `knollm.suggest`, as positions) and the lines 'did you mean' reads instead
of building dicts of every id (`knollm.spellings`), each with `<name>_at`, where its lines start.

The index is written by the compiler (`knollm-build`, with `build`), is deterministic (same bundle, same
bytes). Anything wrong with it at load (absent, stale, truncated, unreadable) only means the JSON is read
instead; a section damaged later is a `BundleError` naming the index when that section is first read.
"""

from __future__ import annotations

import hashlib
import operator
import os
import sys
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import Any, overload

from . import bundle, columns, decode, safefile
from .bundle_layout import LayoutError, scan
from .errors import BundleError
from .index_columns import column_sections
from .index_columns import haystack_of as haystack_of  # (read by catalog_store from here)
from .spellings import IndexedSpellings, spelling_sections
from .suggest import Orders, neighbour_orders, pool_names

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
    parts = _parts(lambda: data)
    return None if parts is None else b"".join(parts)


def build_file(bundle_path: Path) -> list[bytes] | None:
    """`build` of the bundle file at `bundle_path`, as the pieces to write one after the other (never joined:
    at 100k models that is 95 MB); the bundle's bytes are let go once its columns are taken."""
    return _parts(bundle_path.read_bytes)


def _parts(read: Callable[[], bytes]) -> list[bytes] | None:
    data = read()  # the only reference here: dropped once the rows and the digest are taken
    try:
        layout = scan(data)
        top = {key: bundle.loads(data[start:end]) for key, (start, end) in layout.top.items()}
        rows = column_sections(data, layout.records, top)
    except (LayoutError, BundleError, ValueError, *decode.DECODE_ERRORS):
        return None
    if rows is None:
        return None
    header: dict[str, Any] = {"bundle_sha256": digest(data), "bundle_size": len(data), "models": len(layout.records)}
    del data
    ids: list[str] = bundle.loads(rows["id"])
    sections: dict[str, bytes] = {"ids": "".join(f"{i}\n" for i in ids).encode()}
    sections["family_ids"] = _dumps(sorted(raw["id"] for raw in top.get("families") or ()))
    model_ids: list[str] = bundle.loads(rows["model_id"])
    pools = pool_names(ids, ((local or model_id) for model_id, local in zip(ids, model_ids, strict=True)))
    for pool, names in pools.items():  # what a first unknown id would otherwise sort
        sections[f"suggest_{pool}"] = _positions(chain.from_iterable(neighbour_orders(names)))
    for name, (body, starts) in spelling_sections(ids, model_ids, pools).items():
        sections[name], sections[f"{name}_at"] = body, _positions(starts)
    del pools, model_ids
    sections.update(rows)  # the columns, in `columns.ALL_COLUMNS` order
    sections["records"] = _positions(chain.from_iterable(layout.records))
    placed, at = {}, 0
    for name, body in sections.items():
        placed[name] = [at, at + len(body)]
        at += len(body)
    header.update(digests={name: digest(body) for name, body in sections.items()},
                  upgrade=top["schema_version"] == "1.0", ids_sorted=all(map(operator.lt, ids, ids[1:])),
                  top={k: list(v) for k, v in layout.top.items()}, sections=placed)
    return [MAGIC, _dumps(header) + b"\n", *sections.values()]


def _positions(numbers: Iterable[int]) -> bytes:
    """Whole numbers as little-endian 64-bit integers."""
    values = array("Q", numbers)
    if sys.byteorder != "little":  # pragma: no cover - the file is little-endian everywhere
        values.byteswap()
    return values.tobytes()


def _read_positions(data: bytes) -> array[int]:
    values = array("Q")
    values.frombytes(data)
    if sys.byteorder != "little":  # pragma: no cover
        values.byteswap()
    return values


def _dumps(value: Any) -> bytes:
    from orjson import OPT_SORT_KEYS, dumps

    return dumps(value, option=OPT_SORT_KEYS)


# -- reading ------------------------------------------------------------------------------------------------


class FileSlices:
    """Byte ranges of one open file, read when asked for (`os.pread`): the file is never held whole in memory.

    The descriptor stays open for the catalog's life (closed with it), so a bundle replaced on disk meanwhile (the
    compiler renames a new file into place) is not mixed with the one that was checked."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self._fd, self.size = safefile.open_regular(path, max_bytes)
        self._closer = weakref.finalize(self, os.close, self._fd)

    def read(self, start: int, end: int) -> bytes:
        """Bytes `start:end`; a `BundleError` when the file can no longer give them (cut short, unreadable)."""
        chunks, at = [], start
        try:
            while at < end:
                chunk = os.pread(self._fd, end - at, at)
                if not chunk:
                    break
                chunks.append(chunk)
                at += len(chunk)
        except OSError as exc:
            raise BundleError(f"cannot read the file any more: {exc.strerror or exc}", str(self.path)) from None
        if at < end:
            raise BundleError("the file was cut short since it was loaded; load the catalog again", str(self.path))
        return b"".join(chunks)

    def digest(self) -> str:
        """SHA-256 of the whole file, a megabyte at a time."""
        state, at = hashlib.sha256(), 0
        while chunk := os.pread(self._fd, 1 << 20, at):
            state.update(chunk)
            at += len(chunk)
        return state.hexdigest()


class Index:
    """A valid index over its bundle: the lazy document and the columns."""

    def __init__(self, source: FileSlices, index: FileSlices, header: dict[str, Any], body: int) -> None:
        self._index = index
        self._body = body
        self._sections: dict[str, list[int]] = header["sections"]
        self._digests: dict[str, str] = header["digests"]
        self._ids: bytes | None = None
        self._kept: dict[str, bytes] = {}  # sections `mentions` searches, read once
        self._ids_lowered: bytes | None = None  # b"\n" + the id lines lower-cased; b"" when they are not ASCII
        self.size: int = header["models"]
        top = {k: (int(s), int(e)) for k, (s, e) in header["top"].items()}
        records = LazyRecords(source, self._section("records"), self.size, upgrade=header["upgrade"])
        self.document = LazyDocument(source, top, records)
        self.columns = columns.Columns(self.size, self._column, id_sorted=header["ids_sorted"] is True)

    def _section(self, name: str) -> bytes:
        """One section, checked against its SHA-256 in the header (read once: the caller keeps what it needs)."""
        start, end = self._sections[name]
        body = self._index.read(self._body + start, self._body + end)
        if digest(body) != self._digests.get(name):
            raise BundleError(f"its index is damaged (section {name!r}); rebuild it with knollm-build or delete "
                              f"{self._index.path.name}", str(self._index.path))
        return body

    def _column(self, name: str) -> list[Any]:
        values: list[Any] = _parsed(self._section(name), self._index.path)
        if name in columns.DECIMAL_COLUMNS:
            return [None if v is None else Decimal(v) for v in values]
        return values

    def family_ids(self) -> set[str]:
        """Every family id (the families themselves stay unparsed: asking whether an unknown id names a family
        should not parse them all)."""
        return set(_parsed(self._section("family_ids"), self._index.path))

    def suggest_orders(self, pool: str) -> Orders | None:
        """The precomputed neighbour orders of a suggestion pool (`knollm.suggest.neighbour_orders`)."""
        if f"suggest_{pool}" not in self._sections:
            return None
        positions = _read_positions(self._section(f"suggest_{pool}"))
        size = len(positions) // 3
        return positions[:size], positions[size: 2 * size], positions[2 * size:]

    def spellings(self) -> IndexedSpellings | None:
        """The lower-cased ids, local ids and suggestion pools' names, when the compiler wrote them."""
        wanted = [f"{name}{at}" for name in ("ids_lower", "shorts", "shorts_lower", "suggest_ids_names",
                                             "suggest_shorts_names") for at in ("", "_at")]
        if not all(name in self._sections for name in wanted):
            return None
        return IndexedSpellings(self._section, _read_positions)

    def mentions(self, name: str, text: str) -> bool:
        """False only when no value of column `name` (kept as JSON) contains the string `text`: a byte search
        for its JSON spelling (the writer's own `_dumps`, so escapes match) in the unparsed section."""
        if name not in self._kept:
            self._kept[name] = self._section(name)
        return _dumps(text) in self._kept[name]

    def has_lowered(self, lowered: str) -> bool:
        """False only when no model id lower-cases to `lowered`; ids that are not all ASCII always say True
        (`str.lower` of non-ASCII letters can give ASCII ones, which a byte-wise lower-casing would miss)."""
        if self._ids is None:
            self._ids = self._section("ids")
        if self._ids_lowered is None:
            self._ids_lowered = b"\n" + self._ids.lower() if self._ids.isascii() else b""
        if not lowered.isascii():  # (then not in ASCII lines; and a lone surrogate, no id has, cannot be encoded)
            return not self._ids_lowered
        return not self._ids_lowered or b"\n" + lowered.encode() + b"\n" in self._ids_lowered

    def row_of(self, model_id: str) -> int | None:
        """The position of a model id, by a substring search over the id lines (no dict of every id)."""
        if "\n" in model_id or not _encodable(model_id):
            return None
        if self._ids is None:
            self._ids = self._section("ids")
        ids, needle = self._ids, model_id.encode()
        if ids.startswith(needle + b"\n"):
            return 0
        at = ids.find(b"\n" + needle + b"\n")
        return None if at < 0 else ids.count(b"\n", 0, at) + 1


def _encodable(text: str) -> bool:
    """False for text holding a lone surrogate (no bundle id does: the parser refuses them)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def open_for(bundle_path: Path) -> Index | None:
    """The index beside the bundle at `bundle_path` when both can be read and the index matches the bundle's
    bytes; else None (the caller then reads the JSON, which reports any problem with the bundle itself)."""
    try:
        max_bytes = safefile.configured_max_bytes()
        index = FileSlices(path_for(bundle_path), max_bytes)
        header, body = _header(index)
        if header is None:
            return None
        source = FileSlices(bundle_path, max_bytes)
        if header["bundle_size"] != source.size or header["bundle_sha256"] != source.digest():
            return None
        if not all(0 <= s <= e <= index.size - body for s, e in header["sections"].values()):
            return None
        if not all(0 <= s <= e <= source.size for s, e in header["top"].values()):
            return None
        return Index(source, index, header, body)
    except (safefile.UnsafeFile, BundleError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _header(index: FileSlices) -> tuple[Any, int]:
    """The parsed header line and where the sections start, or (None, 0) when this is not an index."""
    head = index.read(0, min(index.size, 1 << 16))
    while b"\n" not in head[len(MAGIC):] and len(head) < index.size:  # a header longer than the first read
        head = index.read(0, min(index.size, 2 * len(head)))
    end = head.find(b"\n", len(MAGIC))
    if not head.startswith(MAGIC) or end < 0:
        return None, 0
    return bundle.loads(head[len(MAGIC): end]), end + 1


def _parsed(data: bytes, path: Path) -> Any:
    try:
        return bundle.loads(data)
    except ValueError:
        raise BundleError("the file changed since it was loaded (a part is not JSON); load the catalog again",
                          str(path)) from None


class LazyRecords(Sequence[dict[str, Any]]):
    """The `models` list of the bundle, each record parsed from its bytes on first access and kept."""

    def __init__(self, source: FileSlices, offsets: bytes, size: int, *, upgrade: bool = False) -> None:
        self._source = source
        self._upgrade = upgrade  # a format 1.0 bundle: each record is rewritten as `bundle.upgrade_1_0` does
        self._offsets = _read_positions(offsets)
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
            record = self._parsed[index] = _parsed(self._source.read(start, end), self._source.path)
            if self._upgrade:
                bundle.upgrade_1_0([record])
        return record

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self[i] for i in range(self._size))


class LazyDocument(Mapping[str, Any]):
    """The bundle document, each top-level value parsed from its bytes on first access and kept."""

    def __init__(self, source: FileSlices, top: dict[str, tuple[int, int]], models: LazyRecords) -> None:
        self._source = source
        self._top = top
        self._values: dict[str, Any] = {"models": models}

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            if key not in self._top:
                raise KeyError(key)
            start, end = self._top[key]
            self._values[key] = _parsed(self._source.read(start, end), self._source.path)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("models", *self._top))

    def __len__(self) -> int:
        return len(self._top) + 1
