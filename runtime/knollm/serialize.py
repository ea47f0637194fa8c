"""Records to plain JSON data: Decimals become exact decimal strings (never floats), tuples become lists."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

try:
    import orjson

    _HAS_ORJSON = True
except ImportError:  # pragma: no cover - exercised only where orjson is missing
    _HAS_ORJSON = False


def json_type(value: Any) -> str:
    """The JSON word for a parsed value's type (`null`, `boolean`, `number`, `string`, `array`, `object`): what
    messages about input files say, since their readers write JSON, not Python."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def money_str(value: Decimal) -> str:
    """An exact, plain (non-scientific) decimal string without trailing zeros: `0.000075`, `15`; `0`, never `-0`."""
    if value.is_zero():
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def to_data(value: Any) -> Any:
    """A JSON-ready copy of a record (or list/dict of records). Computed properties are not included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return money_str(value)
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    """Pretty JSON text of `to_data(value)`, keys in record order."""
    data = to_data(value)
    if _HAS_ORJSON:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)
