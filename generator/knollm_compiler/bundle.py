"""Writing the bundle: deterministic bytes (sorted keys, sorted records, no timestamps) via orjson."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from .records import Bundle


def bundle_bytes(bundle: Bundle) -> bytes:
    """The bundle's JSON. Fields equal to their default are left out (readers apply the documented defaults):
    a third of the size, and proportionally faster to load."""
    document = bundle.model_dump(mode="json", exclude_defaults=True)
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS) + b"\n"


def json_bytes(document: Any) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def write_if_changed(path: Path, data: bytes) -> None:
    """Write atomically, leaving the file untouched (and its mtime) when the bytes are the same."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def bundle_schema() -> dict[str, Any]:
    schema = Bundle.model_json_schema(mode="serialization")
    schema["title"] = "Knollm catalog bundle"
    return schema
