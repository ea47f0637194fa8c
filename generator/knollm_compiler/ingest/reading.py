"""Read a source file into JSON, with a precise reason when it is not JSON.

Every input file of the compiler (snapshots, providers.csv, authored TOML) is opened here, through the runtime's
`knollm.safefile` (regular files only, at most the size limit read); any failure is an `UnreadableSource`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import orjson

from knollm.safefile import DEFAULT_MAX_FILE_MB, MIB, UnsafeFile, decode_utf8
from knollm.safefile import read_bytes as _safe_read_bytes

HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")


_MAX_BYTES: ContextVar[int] = ContextVar("knollm_max_file_bytes", default=DEFAULT_MAX_FILE_MB * MIB)
"""The size limit per input file. A context variable, not a parameter threaded through every loader: the CLI sets
it once around a build (`file_size_limit`), and concurrent builds in other threads keep their own."""


class UnreadableSource(Exception):
    """The file is not a JSON document (or cannot be read at all); the message says what it is instead.

    `missing` is true when nothing is at the path, for callers where an absent file means "no data"."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        self.missing = missing
        super().__init__(reason)


@contextmanager
def file_size_limit(max_bytes: int) -> Iterator[None]:
    """Read input files with at most `max_bytes` each inside this block."""
    token = _MAX_BYTES.set(max_bytes)
    try:
        yield
    finally:
        _MAX_BYTES.reset(token)


def read_bytes(path: Path) -> bytes:
    """The file's bytes: a regular file within the size limit, else `UnreadableSource` saying why."""
    try:
        return _safe_read_bytes(path, _MAX_BYTES.get())
    except UnsafeFile as exc:
        raise UnreadableSource(exc.reason, missing=exc.missing) from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text (a byte order mark dropped); invalid UTF-8 names the line and column."""
    try:
        return decode_utf8(path, read_bytes(path))
    except UnsafeFile as exc:
        raise UnreadableSource(exc.reason) from None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse an authored TOML file; an unreadable file or invalid TOML is an `UnreadableSource`."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UnreadableSource(f"invalid TOML: {exc}") from None


def read_json(path: Path) -> Any:
    """Parse `path` as JSON or raise `UnreadableSource` with a reason a person can act on."""
    raw = read_bytes(path)
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
