"""Problems about a parsed file as a whole that still name records: duplicate keys and a lenient parse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..problems import ProblemLog
from .reading import Parsed
from .shapes import entry_label

Entries = Sequence[tuple[str | None, Any]]


def note_parse(parsed: Parsed, entries: Entries, log: ProblemLog) -> None:
    """Log a duplicate key against the record it is in (its dotted path inside the record), or against the
    file when it lies outside every record. JSON parsers keep the last value of a duplicate key (orjson,
    JSON.parse, Python's json), so the build does too, and the earlier values are reported as dropped."""
    if parsed.lenient:
        log.warn("-", "$file", parsed.lenient)
    labels = {id(entry): _label(key, entry, index) for index, (key, entry) in enumerate(entries)}
    for path, count in parsed.duplicates:
        record, inner = _locate(parsed.document, path, labels)
        log.drop(record, _dotted(inner), f"key {str(path[-1])!r} given {count} times in one object; the last "
                 "value is kept")


def _label(key: str | None, entry: Any, index: int) -> str:
    """The label the entry's other problems use: its key, else its id (as `values.model_id` cleans it)."""
    model_id = entry.get("id") if key is None and isinstance(entry, dict) else None
    return model_id.strip() if isinstance(model_id, str) and model_id.strip() else entry_label(key, index)


def _locate(document: Any, path: tuple[str | int, ...], labels: dict[int, str]) -> tuple[str, tuple[str | int, ...]]:
    """(record label, path inside the record), or ("-", the whole path) outside every record. A record's own
    key given twice (a keyed object naming one model twice) is that record's problem, at `$`."""
    node = document
    for depth, step in enumerate(path):
        node = _child(node, step)
        if node is None:
            break
        if id(node) in labels:
            return labels[id(node)], path[depth + 1 :]
    return "-", path


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "$"
