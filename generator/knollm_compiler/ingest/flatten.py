"""Flatten a nested record into dotted paths, keeping lists of scalars (and nested records in lists) whole."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


def flatten(record: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every leaf as `(dotted.path, value)`, in key order. Empty dicts and lists are leaves too. (A list, built by
    one recursive function: a generator per nesting level cost a third more, twice per entry of a listing.)"""
    leaves: list[tuple[str, Any]] = []
    _collect(record, prefix, leaves)
    return leaves


def _collect(record: dict[str, Any], prefix: str, leaves: list[tuple[str, Any]]) -> None:
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            _collect(value, path + ".", leaves)
        else:
            leaves.append((path, value))


@lru_cache(maxsize=65_536)  # a listing repeats the same few dozen paths in every entry
def leaf_name(path: str) -> str:
    """The last segment of a dotted path, lower-cased: what key-name matching looks at."""
    return path.rsplit(".", 1)[-1].lower()


@lru_cache(maxsize=65_536)
def last_two(path: str) -> str:
    """The last two segments (`modalities.input`), lower-cased."""
    return ".".join(path.lower().split(".")[-2:])
