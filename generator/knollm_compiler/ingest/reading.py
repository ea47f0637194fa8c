"""Read a source file into JSON, with a precise reason when it is not JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")


class UnreadableSource(Exception):
    """The file is not a JSON document; the message says what it is instead."""


def read_json(path: Path) -> Any:
    """Parse `path` as JSON or raise `UnreadableSource` with a reason a person can act on."""
    raw = path.read_bytes()
    stripped = raw.lstrip()
    if not stripped:
        raise UnreadableSource("empty file" if not raw else "file holds only white space")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        head = stripped[:512].lower()
        if head.startswith(b"<") or any(marker in head for marker in HTML_MARKERS):
            title = _html_title(stripped)
            raise UnreadableSource(f"an HTML/XML page, not JSON{title} (an error page saved as .json?)") from None
        truncated = " (the file looks truncated)" if exc.pos >= len(raw.rstrip()) - 1 else ""
        raise UnreadableSource(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{truncated}"
        ) from None


def _html_title(document: bytes) -> str:
    lower = document.lower()
    start = lower.find(b"<title>")
    end = lower.find(b"</title>", start)
    if start < 0 or end < 0:
        return ""
    title = document[start + 7 : end].decode("utf-8", "replace").strip()[:80]
    return f" titled {title!r}" if title else ""
