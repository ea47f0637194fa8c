"""Read a source file into JSON, with a precise reason when it is not JSON.

Every input file of the compiler (snapshots, providers.csv, authored TOML) is opened here, through the runtime's
`knollm.safefile` (regular files only, at most the size limit read); any failure is an `UnreadableSource`.
"""

from __future__ import annotations

import codecs
import json
import math
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from knollm.safefile import DEFAULT_MAX_FILE_MB, MIB, UnsafeFile, decode_utf8
from knollm.safefile import read_bytes as _safe_read_bytes

HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")
NUMBER_ERRORS = ("number is infinity", "unexpected character, expected a JSON value", "no digit after sign")
"""orjson's reasons that a lenient parse may fix: a number beyond a double (`1e309`), `NaN` or `Infinity`."""
MAX_INT_DIGITS = 30
"""Integer literals with more digits are kept as text: no count or price has them, and Python refuses to
convert more than 4300 digits."""


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


@dataclass(slots=True)
class Parsed:
    """A parsed document, with what parsing noticed that changes no value's meaning but a person should know."""

    document: Any
    duplicates: list[tuple[tuple[str | int, ...], int]] = field(default_factory=list)
    """(JSON path of an object key given more than once, how many times); the last value is kept."""
    lenient: str | None = None
    """Why the strict parser refused the file when the lenient one read it (e.g. a number beyond a double)."""


def read_json(path: Path) -> Any:
    """Parse `path` as JSON or raise `UnreadableSource` with a reason a person can act on."""
    return read_parsed(path).document


def read_parsed(path: Path) -> Parsed:
    """`read_json` with what parsing noticed (duplicate keys, a lenient parse)."""
    return parse_json(read_bytes(path))


def parse_json(raw: bytes) -> Parsed:
    """Parse bytes as JSON: strictly (orjson), else leniently when only numbers were refused; duplicate keys
    are found (orjson keeps the last silently). Raises `UnreadableSource` with a reason a person can act on."""
    if not raw.strip():
        raise UnreadableSource("empty file" if not raw else "file holds only white space")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return _after_refusal(raw, exc)
    return Parsed(document, duplicate_keys(raw))


def _after_refusal(raw: bytes, exc: orjson.JSONDecodeError) -> Parsed:
    """What the file is instead of strict JSON, most specific reason first; or its lenient parse."""
    _check_encoding(raw)
    if raw.startswith(codecs.BOM_UTF8):  # Windows editors write one; it says UTF-8, which we expect
        return parse_json(raw.removeprefix(codecs.BOM_UTF8))
    stripped = raw.lstrip()
    head = stripped[:512].lower()
    if head.startswith(b"<") or any(marker in head for marker in HTML_MARKERS):
        title = _html_title(stripped)
        raise UnreadableSource(f"an HTML/XML page, not JSON{title} (an error page saved as .json?)")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableSource(f"invalid UTF-8 at byte {error.start} ({error.reason}); expected UTF-8 text") from None
    if exc.msg.startswith(NUMBER_ERRORS) and (lenient := _lenient(raw)) is not None:
        return Parsed(lenient, duplicate_keys(raw), f"read leniently: {exc.msg} at line {exc.lineno}, "
                      f"column {exc.colno}; such numbers are kept as text and checked like any value")
    truncated = " (the file looks truncated)" if exc.pos >= len(raw.rstrip()) - 1 else ""
    raise UnreadableSource(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{truncated}")


def _check_encoding(raw: bytes) -> None:
    """`UnreadableSource` when the text is UTF-16 or UTF-32 (with or without a byte order mark)."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UnreadableSource("UTF-32 text, expected UTF-8 (save the file as UTF-8)")
    head = raw[:64]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(0) * 3 >= len(head):
        # JSON text is ASCII at its start: UTF-16 puts a NUL byte beside each of those characters, and UTF-8
        # JSON never holds a raw NUL byte.
        raise UnreadableSource("UTF-16 text, expected UTF-8 (save the file as UTF-8)")


def _lenient(raw: bytes) -> Any:
    """The document with numbers orjson refuses kept as their text (`"1e309"`, `"NaN"`), or None when it is
    not JSON either way. Strings keep orjson's rule: a lone surrogate could not be written out again."""
    def number(text: str) -> float | str:
        value = float(text)
        return value if math.isfinite(value) else text

    def integer(text: str) -> int | str:
        return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else text

    try:
        document = json.loads(raw, parse_float=number, parse_int=integer, parse_constant=str)
        orjson.dumps(document)  # raises on lone surrogates (`"\ud800"`), which orjson reads as an error
    except (ValueError, RecursionError, TypeError, orjson.JSONEncodeError):
        return None
    return document


class _Dups(list[tuple[tuple[str | int, ...], int]]):
    """What `duplicate_keys`' parse makes of an object with duplicate keys below it: (path, count) pairs."""


def duplicate_keys(raw: bytes) -> list[tuple[tuple[str | int, ...], int]]:
    """JSON paths of object keys that occur more than once in their object, with the count, in document order.

    A second, light parse (stdlib json) that keeps no object, so it holds almost nothing in memory; only when it
    finds a duplicate does a third one work out where (rare: real listings have none)."""
    if not _any_duplicate(raw):
        return []

    def pairs(items: list[tuple[str, Any]]) -> _Dups | None:
        found = _Dups()
        counts: dict[str, int] = {}
        for key, value in items:
            counts[key] = counts.get(key, 0) + 1
            found += [((key, *path), n) for path, n in _below(value)]
        found += [((key,), n) for key, n in counts.items() if n > 1]
        return found or None

    try:
        document = json.loads(raw, object_pairs_hook=pairs, parse_float=lambda _: 0, parse_int=lambda _: 0,
                              parse_constant=lambda _: 0)
    except (ValueError, RecursionError):
        return []
    return sorted(_below(document), key=lambda item: [str(p) for p in item[0]])


def _any_duplicate(raw: bytes) -> bool:
    found: list[int] = []

    def pairs(items: list[tuple[str, Any]]) -> None:
        if len(dict(items)) != len(items):
            found.append(1)

    try:
        json.loads(raw, object_pairs_hook=pairs, parse_float=len, parse_int=len, parse_constant=len)
    except (ValueError, RecursionError):
        return False
    return bool(found)


def _below(value: Any) -> list[tuple[tuple[str | int, ...], int]]:
    if isinstance(value, _Dups):
        return list(value)
    if isinstance(value, list):
        return [((index, *path), n) for index, item in enumerate(value) for path, n in _below(item)]
    return []


def _html_title(document: bytes) -> str:
    lower = document.lower()
    start = lower.find(b"<title>")
    end = lower.find(b"</title>", start)
    if start < 0 or end < 0:
        return ""
    title = document[start + 7 : end].decode("utf-8", "replace").strip()[:80]
    return f" titled {title!r}" if title else ""
