"""Where each key of a TOML text is: its 1-based line, by a light scan (tomllib keeps no positions).

Shared by the configuration (`knollm.config`) and the compiler's authored files, so every error about a TOML file
can say `file:line: dotted.key: reason`. Array-of-tables entries (`[[rule]]`) are numbered from 0, as pydantic
numbers list items in error locations.
"""

from __future__ import annotations

import json
import re

KeyPath = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LITERAL = re.compile(r"'([^']*)'")


def _dotted_key(text: str) -> tuple[list[str], str] | None:
    """The dotted key at the start of `text` and the rest of the text, or None when there is none."""
    parts: list[str] = []
    rest = text
    while True:
        rest = rest.lstrip()
        for pattern in (_BARE, _BASIC, _LITERAL):
            match = pattern.match(rest)
            if match:
                part = match.group(1) if pattern is not _BARE else match.group(0)
                if pattern is _BASIC:
                    part = json.loads(f'"{part}"') if "\\" in part else part
                parts.append(part)
                rest = rest[match.end():].lstrip()
                break
        else:
            return None
        if not rest.startswith("."):
            return parts, rest
        rest = rest[1:]


def toml_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of each table header and `key =` line, by a light scan (first occurrence wins)."""
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            parsed = _dotted_key(stripped.lstrip("["))
            if parsed and parsed[1].startswith("]"):
                table = tuple(parsed[0])
                if stripped.startswith("[["):  # one more entry of an array of tables
                    arrays[table] = arrays.get(table, -1) + 1
                    _note(lines, table, number)
                    table = (*table, arrays[table])
                _note(lines, table, number)
            continue
        parsed = _dotted_key(stripped)
        if parsed and parsed[1].startswith("="):
            _note(lines, table + tuple(parsed[0]), number)
    return lines


def _note(lines: dict[KeyPath, int], path: KeyPath, number: int) -> None:
    for end in range(1, len(path) + 1):
        lines.setdefault(path[:end], number)


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of `path`, else of its nearest enclosing key that has one (a missing key: its table)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
