"""Reading untrusted provider JSON defensively: wrong types become defaults, never crashes or surprises."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import get_args

import orjson

from ..types import FinishReason, JSONObject, JSONValue

FINISH_REASONS: frozenset[str] = frozenset(get_args(FinishReason))


def as_str(value: JSONValue, default: str = "") -> str:
    return value if isinstance(value, str) else default


def opt_str(value: JSONValue) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: JSONValue, default: int = 0) -> int:
    # bool is an int subclass; a provider sending `true` as a token count is sending garbage.
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def opt_int(value: JSONValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def as_obj(value: JSONValue) -> JSONObject:
    return value if isinstance(value, dict) else {}


def json_list(items: Iterable[JSONValue]) -> list[JSONValue]:
    """`items` as a JSON array (lists are invariant, so a `list[JSONObject]` is not a `list[JSONValue]`)."""
    return list(items)


def as_list(value: JSONValue) -> list[JSONValue]:
    return value if isinstance(value, list) else []


def now() -> int:
    return int(time.time())


def new_id(prefix: str = "chatcmpl-knollm-") -> str:
    """An id for answers whose provider sent none."""
    return prefix + uuid.uuid4().hex[:24]


def text_of(content: JSONValue) -> str | None:
    """Message content as text: a string as is, a list of parts as their joined `text` (some providers do that)."""
    if content is None or isinstance(content, str):
        return content
    parts = [as_str(as_obj(part).get("text")) for part in as_list(content)]
    return "".join(parts) if parts else None


def data_url(url: str) -> tuple[str, str] | None:
    """(media type, base64 data) of a `data:<type>;base64,<data>` URL; None for any other URL."""
    if not url.startswith("data:"):
        return None
    header, sep, payload = url[5:].partition(",")
    media_type, _, encoding = header.partition(";")
    if not sep or encoding != "base64":
        return None
    return media_type or "application/octet-stream", payload


def arguments_object(arguments: JSONValue) -> JSONObject:
    """A tool call's arguments (JSON text in OpenAI's shape) as the object Anthropic and Gemini want.

    Raises ValueError (the adapters turn it into `UnsupportedRequest`) when the text is not a JSON object.
    """
    if isinstance(arguments, dict):
        return arguments
    if not isinstance(arguments, str) or not arguments.strip():
        return {}
    value = orjson.loads(arguments)
    if not isinstance(value, dict):
        raise ValueError("tool call arguments must be a JSON object")
    return value


def json_text(value: JSONValue) -> str:
    """Compact JSON text of `value` (`{}` for None): tool-call arguments in OpenAI's shape."""
    return orjson.dumps(value if value is not None else {}).decode()
