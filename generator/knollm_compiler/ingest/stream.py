"""Big listings read a record at a time: the records stay JSON text and are parsed on each pass, so the whole
document never exists as Python objects (at 100k records it weighs 300 MB, four times the file).

Only the plain case takes this path: a big file that is a top-level array or `{"data": [...]}`, valid UTF-8,
every record strict JSON (orjson) and no object key given twice. Anything else (a lenient parse, duplicate keys,
another shape, an error) returns None and the file is read whole by `reading.read_parsed`, which gives the same
records and reports what the fast path does not look into.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import orjson

from knollm.safefile import MIB

from .reading import UnreadableSource, read_bytes
from .shapes import Listing, drop_documentation

STREAM_MIN_BYTES = 8 * MIB
"""Files smaller than this are read whole (every real listing is): the fast path pays for itself on big ones."""
_HEAD = re.compile(r'[ \t\n\r]*(?:(\{)[ \t\n\r]*"data"[ \t\n\r]*:[ \t\n\r]*)?\[')
_WS = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, at: int) -> int:
    """The first position at or after `at` that is not JSON white space."""
    found = _WS.match(text, at)
    assert found is not None  # the pattern matches the empty string: it always matches
    return found.end()

Entry = tuple[str | None, Any]


class _NotPlain(Exception):
    """The file needs the whole-document reader."""


class LazyEntries(Sequence[Entry]):
    """A listing's entries as JSON text spans, parsed anew on each access (nothing to free)."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self._text, self._spans = text, spans

    def __len__(self) -> int:
        return len(self._spans)

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...
    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, slice):
            return [self._parse(span) for span in self._spans[index]]
        return self._parse(self._spans[index])

    def __iter__(self) -> Iterator[Entry]:
        return (self._parse(span) for span in self._spans)

    def __setitem__(self, index: int, value: Entry) -> None:
        """Freeing an entry once read (`sources.ingest`) has nothing to do here."""

    def without(self, drop: set[int]) -> LazyEntries:
        return LazyEntries(self._text, [span for index, span in enumerate(self._spans) if index not in drop])

    def _parse(self, span: tuple[int, int]) -> Entry:
        return None, orjson.loads(self._text[span[0] : span[1]])


def big_listing(path: Path) -> Listing | None:
    """The listing of a big plain file with its records unparsed, or None to read the file whole."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size < STREAM_MIN_BYTES:
            return None
        text = read_bytes(path).decode("utf-8")
        spans, shape = _spans(text)
    except (OSError, UnreadableSource, UnicodeDecodeError, _NotPlain, ValueError, RecursionError):
        return None
    listing = Listing(shape, LazyEntries(text, spans))
    drop_documentation(listing)
    return listing


def _spans(text: str) -> tuple[list[tuple[int, int]], str]:
    """The (start, end) of every element of the record array, checked as strict JSON without duplicate keys."""
    head = _HEAD.match(text)
    if head is None:
        raise _NotPlain
    scanner = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_float=len, parse_int=len,
                               parse_constant=len)
    spans: list[tuple[int, int]] = []
    at = _skip_space(text, head.end())
    while text[at : at + 1] != "]":
        if spans:
            if text[at : at + 1] != ",":
                raise _NotPlain
            at = _skip_space(text, at + 1)
        _, end = scanner.raw_decode(text, at)  # a light parse that keeps nothing: boundaries, duplicate keys
        orjson.loads(text[at:end])  # the strict parser the whole-file reader uses accepts it too
        spans.append((at, end))
        at = _skip_space(text, end)
    at = _skip_space(text, at + 1)
    if head.group(1):
        if text[at : at + 1] != "}":
            raise _NotPlain
        at = _skip_space(text, at + 1)
    if at != len(text) or not spans:
        raise _NotPlain
    return spans, "openai-list" if head.group(1) else "bare-array"


def _no_duplicates(pairs: Iterable[tuple[str, Any]]) -> None:
    pairs = list(pairs)  # (already a list from the decoder: then a cheap copy)
    if len(dict(pairs)) != len(pairs):
        raise _NotPlain
