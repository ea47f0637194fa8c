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


class _Cursor:
    """A position in the decoded text and the matching byte offset (they differ after non-ASCII text)."""

    def __init__(self, text: str, ascii_only: bool) -> None:
        self.text = text
        self.at = 0
        self.byte = 0
        self._ascii = ascii_only

    def move(self, to: int) -> None:
        self.byte += (to - self.at) if self._ascii else len(self.text[self.at:to].encode())
        self.at = to

    def skip_space(self) -> None:
        at, text = self.at, self.text
        while at < len(text) and text[at] in _SPACE:
            at += 1
        self.move(at)

    def expect(self, char: str) -> None:
        self.skip_space()
        if not self.text.startswith(char, self.at):
            raise LayoutError(f"expected {char!r} at byte {self.byte}")
        self.move(self.at + 1)

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.at: self.at + 1]

    def value(self) -> tuple[int, int]:
        """Skip one JSON value; its byte range."""
        self.skip_space()
        start = self.byte
        try:
            _, end = _DECODER.raw_decode(self.text, self.at)
        except ValueError as exc:
            raise LayoutError(f"not JSON at byte {start}: {exc}") from None
        self.move(end)
        return start, self.byte

    def key(self) -> str:
        self.skip_space()
        try:
            key, end = _DECODER.raw_decode(self.text, self.at)
        except ValueError as exc:
            raise LayoutError(f"not JSON at byte {self.byte}: {exc}") from None
        if not isinstance(key, str):
            raise LayoutError(f"expected a key at byte {self.byte}")
        self.move(end)
        return key


def scan(data: bytes) -> Layout:
    """The layout of a bundle's bytes. Raises `LayoutError` for anything but an object with a `models` list."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LayoutError(f"not UTF-8: {exc}") from None
    cursor = _Cursor(text, len(text) == len(data))
    layout = Layout()
    seen_models = False
    cursor.expect("{")
    for _ in _members(cursor, "}"):
        key = cursor.key()
        cursor.expect(":")
        if key in layout.top or (key == "models" and seen_models):
            raise LayoutError(f"duplicate key {key!r}")
        if key != "models":
            layout.top[key] = cursor.value()
            continue
        seen_models = True
        cursor.expect("[")
        layout.records.extend(cursor.value() for _ in _members(cursor, "]"))
    cursor.skip_space()
    if cursor.at != len(text) or not seen_models:
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
