"""Where each part of a bundle's JSON sits, in bytes: every top-level value and every model record.

The bundle index (`knollm.bundle_index`) stores these byte ranges so the runtime can parse one record, or one
section, without parsing the whole file. The scan reads any valid JSON layout (compact or indented); it uses the
stdlib decoder's `raw_decode`, which reports where each value ends, one value at a time, so at most one record is
held as objects at once (a whole-bundle parse of 100k models needs several hundred MB).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


class LayoutError(ValueError):
    """The bytes are not a JSON object whose `models` value is a list (the index is then not written)."""


@dataclass
class Layout:
    """Byte ranges `(start, end)` into the bundle: `top` per top-level key (except `models`), `records` per model."""

    top: dict[str, tuple[int, int]] = field(default_factory=dict)
    records: list[tuple[int, int]] = field(default_factory=list)


WINDOW = 1 << 22
"""Bytes decoded to text at a time (grown while one value is larger): the whole file as text would cost up to
four times its size again."""


class _Cursor:
    """A position in the bundle: `at` in the decoded text of a window of the bytes starting at byte `base`, and
    `byte`, the same position in the bytes (they differ after non-ASCII text)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.base = 0
        self.text = ""
        self.at = 0
        self.byte = 0
        self._ascii = True
        self._end = 0
        self._refill(WINDOW)

    def _refill(self, size: int) -> None:
        """Decode the window starting at the current byte (at least `size` bytes, ending on a whole character)."""
        end = min(len(self.data), self.byte + size)
        while end < len(self.data) and self.data[end] & 0xC0 == 0x80:  # not in the middle of a character
            end += 1
        window = self.data[self.byte:end]
        self._end = end
        try:
            self.text = window.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LayoutError(f"not UTF-8: {exc}") from None
        self.base, self.at, self._ascii = self.byte, 0, len(self.text) == len(window)

    def move(self, to: int) -> None:
        self.byte += (to - self.at) if self._ascii else len(self.text[self.at:to].encode())
        self.at = to

    def skip_space(self) -> None:
        while True:
            at, text = self.at, self.text
            while at < len(text) and text[at] in _SPACE:
                at += 1
            self.move(at)
            if at < len(text) or self._end >= len(self.data):
                return
            self._refill(WINDOW)

    def expect(self, char: str) -> None:
        self.skip_space()
        if not self.text.startswith(char, self.at):
            raise LayoutError(f"expected {char!r} at byte {self.byte}")
        self.move(self.at + 1)

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.at: self.at + 1]

    def _decode(self) -> tuple[object, int]:
        """Decode one value at the cursor, widening the window while the value runs past its end."""
        self.skip_space()
        size = WINDOW
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.at)
            except ValueError as exc:
                if self._end >= len(self.data):
                    raise LayoutError(f"not JSON at byte {self.byte}: {exc}") from None
                size *= 2  # the value may only be cut off by the window's end
                self._refill(size)
                continue
            if end == len(self.text) and self._end < len(self.data):
                size *= 2  # a number may go on past the window: decode it again with the rest in view
                self._refill(size)
                continue
            return value, end

    def value(self) -> tuple[int, int]:
        """Skip one JSON value; its byte range."""
        self.skip_space()
        start = self.byte
        _, end = self._decode()
        self.move(end)
        return start, self.byte

    def members_value(self) -> tuple[int, int]:
        """`value`, but an array or object is walked member by member: only one member is decoded at a time
        (a top-level list of 30k families decoded whole costs tens of MB)."""
        close = {"[": "]", "{": "}"}.get(self.peek())
        if close is None:
            return self.value()
        start = self.byte
        self.move(self.at + 1)
        for _ in _members(self, close):
            if close == "}":
                self.key()
                self.expect(":")
            self.value()
        return start, self.byte

    def key(self) -> str:
        self.skip_space()
        key, end = self._decode()
        if not isinstance(key, str):
            raise LayoutError(f"expected a key at byte {self.byte}")
        self.move(end)
        return key


def scan(data: bytes) -> Layout:
    """The layout of a bundle's bytes. Raises `LayoutError` for anything but an object with a `models` list."""
    cursor = _Cursor(data)
    layout = Layout()
    seen_models = False
    cursor.expect("{")
    for _ in _members(cursor, "}"):
        key = cursor.key()
        cursor.expect(":")
        if key in layout.top or (key == "models" and seen_models):
            raise LayoutError(f"duplicate key {key!r}")
        if key != "models":
            layout.top[key] = cursor.members_value()
            continue
        seen_models = True
        cursor.expect("[")
        layout.records.extend(cursor.value() for _ in _members(cursor, "]"))
    cursor.skip_space()
    if cursor.byte != len(data) or not seen_models:
        raise LayoutError("trailing data after the bundle object" if seen_models else "no 'models' list")
    return layout


def _members(cursor: _Cursor, close: str) -> Iterator[None]:
    """Yield once per member of an object or array whose opening bracket was read; consumes `close`."""
    if cursor.peek() == close:
        cursor.move(cursor.at + 1)
        return
    while True:
        yield
        if cursor.peek() == ",":
            cursor.move(cursor.at + 1)
            continue
        cursor.expect(close)
        return
