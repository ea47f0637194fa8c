"""Flatten a nested record into dotted paths, keeping lists of scalars (and nested records in lists) whole."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any


def flatten(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield `(dotted.path, value)` for every leaf. Empty dicts and lists are leaves too."""
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from flatten(value, path + ".")
        else:
            yield path, value


@lru_cache(maxsize=65_536)  # a listing repeats the same few dozen paths in every entry
def leaf_name(path: str) -> str:
    """The last segment of a dotted path, lower-cased: what key-name matching looks at."""
    return path.rsplit(".", 1)[-1].lower()


@lru_cache(maxsize=65_536)
def last_two(path: str) -> str:
    """The last two segments (`modalities.input`), lower-cased."""
    return ".".join(path.lower().split(".")[-2:])
