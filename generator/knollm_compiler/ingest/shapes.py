"""Find the model records in a parsed listing, by structure rather than by provider name.

Shapes: `openai-list` (`{"object": "list", "data": [...]}`), `wrapped-list(<key>)` (any object whose
largest list holds records), `bare-array`, `keyed-object` (`{"<model id>": {...}}`, as LiteLLM's map),
`single-record` (one model object). Records that document the format instead of being a model (LiteLLM's
`sample_spec`) are recognised because their fields hold prose where the other records hold numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from knollm.serialize import json_type

from .fieldmap import ID_KEYS, UPSTREAM_KEYS

if TYPE_CHECKING:
    from .stream import LazyEntries


class UnknownShape(Exception):
    """No list of model records could be found."""


@dataclass(slots=True)
class Listing:
    """The records of one source file."""

    shape: str
    entries: list[tuple[str | None, Any]] | LazyEntries
    """(key in a keyed object, or None; the raw entry): a list, or a big listing's `stream.LazyEntries` (both can
    be indexed and have an entry replaced, which the reader does to free each raw entry once read)."""
    ignored: list[str] = field(default_factory=list)
    """Keys or indexes of documentation entries."""


def entry_label(key: str | None, index: int) -> str:
    """How problems name an entry: its key in a keyed object, else (or when the key is blank) its index `[3]`."""
    return key if key is not None and key.strip() else f"[{index}]"


def find_entries(document: Any) -> Listing:
    """Locate the records of a parsed document."""
    if isinstance(document, list):
        listing = Listing("bare-array", [(None, entry) for entry in document])
    elif isinstance(document, dict):
        listing = _from_object(document)
    else:
        raise UnknownShape(f"top level is a JSON {json_type(document)}, not an object or array")
    drop_documentation(listing)
    return listing


def _from_object(document: dict[str, Any]) -> Listing:
    if any(isinstance(document.get(k), str) for k in ID_KEYS[:2]) and all(
        k in UPSTREAM_KEYS for k, v in document.items() if isinstance(v, list) and v and isinstance(v[0], dict)
    ):
        return Listing("single-record", [(None, document)])
    record_lists = {
        key: value
        for key, value in document.items()
        if isinstance(value, list) and value and sum(isinstance(v, dict) for v in value) * 2 >= len(value)
    }
    if record_lists:
        key = "data" if "data" in record_lists else max(record_lists, key=lambda k: (len(record_lists[k]), k))
        shape = "openai-list" if key == "data" else f"wrapped-list({key})"
        return Listing(shape, [(None, entry) for entry in record_lists[key]])
    if isinstance(document.get("data"), list):  # an empty OpenAI list is still an OpenAI list
        return Listing("openai-list", [(None, entry) for entry in document["data"]])
    values = list(document.values())
    wrappers = [k for k, v in document.items() if isinstance(v, dict) and v and (
        all(_is_record_list(x) for x in v.values())
        or (len(document) == 1 and any(_is_record_list(x) for x in v.values()))  # {"result": {"items": [..]}}
    )]
    if wrappers:
        raise UnknownShape(f"no list of model records found at the top level (records nested under {wrappers[0]!r})")
    if values and sum(isinstance(v, dict) for v in values) * 2 >= len(values):
        return Listing("keyed-object", [(str(k), v) for k, v in document.items()])
    if not document:
        return Listing("empty-object", [])
    raise UnknownShape(f"no list of model records found (top-level keys: {sorted(document)[:10]})")


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def drop_documentation(listing: Listing) -> None:
    """Remove entries whose fields are prose where most entries have numbers or booleans.

    One pass over the entries, holding none of them (a big listing's entries are parsed on each access,
    `stream.LazyEntries`): it keeps, per entry with two prose fields or more, only those fields' names."""
    records = 0
    seen: Counter[str] = Counter()  # entries with the key
    scalar: Counter[str] = Counter()  # entries where its value is a number (or a boolean)
    prose_keys: dict[int, tuple[str | None, list[str]]] = {}
    for index, (key, record) in enumerate(listing.entries):
        if not isinstance(record, dict):
            continue
        records += 1
        seen.update(record.keys())
        scalar.update([name for name, value in record.items() if isinstance(value, int | float)])
        prose = [name for name, value in record.items()
                 if isinstance(value, str) and len(value.split(maxsplit=2)) >= 3]  # three words or more
        if len(prose) >= 2:
            prose_keys[index] = (key, prose)
    if records < 3:
        return
    numeric_keys = {k for k, n in seen.items() if scalar[k] * 2 > n}
    dropped: set[int] = set()
    for index, (key, prose) in prose_keys.items():
        if sum(1 for name in prose if name in numeric_keys) >= 2:
            listing.ignored.append(key if key is not None else f"[{index}]")
            dropped.add(index)
    if dropped:
        entries = listing.entries
        without = getattr(entries, "without", None)
        listing.entries = without(dropped) if without else [e for i, e in enumerate(entries) if i not in dropped]
