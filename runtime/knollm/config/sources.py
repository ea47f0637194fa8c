"""Reading a configuration file (`.toml`, `.json`, `.yaml`/`.yml`) into plain data plus the line of each key.

Numbers with a fraction or exponent are read as `Decimal` from their own text in every format, so
`input_per_mtok = 0.1` means exactly 0.1 (a float would already be 0.1000000000000000055…). Lines come from the
parser where it keeps them (YAML nodes) and from a light scan of the text otherwise (TOML headers and
`key =` lines, JSON `"key":` in document order); a key the scan cannot place falls back to its table's line.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..tomllines import toml_lines
from .errors import Problem

Path_ = tuple[str | int, ...]
"""A key path into the data: `("providers", "alpha", "keys", 0)`."""

SUFFIXES = (".toml", ".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Source:
    """One configuration file, read."""

    file: str
    data: dict[str, Any]
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of `path`, else of its nearest enclosing key, else None."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


class SourceProblem(Exception):
    """The file cannot be read or parsed; carries the one `Problem` that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_source(path: Path) -> Source:
    """Read and parse `path` by its suffix; raises `SourceProblem` when it cannot."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SourceProblem(Problem("", "a .toml, .json, .yaml or .yml file", f"{suffix or 'no suffix'!s}",
                                    "rename the file (e.g. knollm.toml) or convert it", file))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise SourceProblem(Problem("", "a readable UTF-8 file", reason or "an unreadable file",
                                    "check the path and its permissions", file)) from None
    if suffix == ".toml":
        data, lines = _toml(text, file)
    elif suffix == ".json":
        data, lines = _json(text, file)
    else:
        data, lines = _yaml(text, file)
    return Source(file, data, lines)


def _syntax(kind: str, file: str, line: int | None, message: str) -> SourceProblem:
    return SourceProblem(Problem("", f"valid {kind}", message, f"correct the {kind} syntax at that line", file, line))


def _toml(text: str, file: str) -> tuple[dict[str, Any], dict[Path_, int]]:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        raise _syntax("TOML", file, line, re.sub(r"\s*\(at line.*?\)$", "", message)) from None
    return data, toml_lines(text)


def _json(text: str, file: str) -> tuple[dict[str, Any], dict[Path_, int]]:
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise _syntax("JSON", file, exc.lineno, exc.msg) from None
    if not isinstance(data, dict):
        raise _top_level(file, "JSON", data)
    lines: dict[Path_, int] = {}
    _json_walk(text, data, (), 0, lines)
    return data, lines


def _json_walk(text: str, node: object, path: Path_, start: int, lines: dict[Path_, int]) -> None:
    # Keys are searched in document order (dicts keep it), each after its previous sibling.
    if not isinstance(node, dict):
        return
    cursor = start
    for key, value in node.items():
        match = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, cursor)
        if match is None:
            continue
        lines[(*path, key)] = text.count("\n", 0, match.start()) + 1
        _json_walk(text, value, (*path, key), match.end(), lines)
        cursor = match.end()


def _top_level(file: str, kind: str, data: object) -> SourceProblem:
    got = "an empty file" if data is None else f"a {type(data).__name__}"
    return SourceProblem(Problem("", f"a {kind} mapping at the top level (providers, models, routes, ...)", got,
                                 "start from the example in the Calling models guide", file, 1))


def _yaml(text: str, file: str) -> tuple[dict[str, Any], dict[Path_, int]]:
    import yaml  # only YAML files pay for PyYAML

    loader = _decimal_loader(yaml)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _syntax("YAML", file, mark.line + 1 if mark else None, exc.problem or str(exc)) from None
    except yaml.YAMLError as exc:
        raise _syntax("YAML", file, None, str(exc)) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _top_level(file, "YAML", data)
    lines: dict[Path_, int] = {}
    _yaml_walk(node, (), lines)
    return data, lines


def _decimal_loader(yaml: Any) -> Any:
    class DecimalLoader(yaml.SafeLoader):  # type: ignore[misc]  # `yaml` is an untyped module passed in
        """SafeLoader that reads floats as exact Decimals from their text."""

    def construct_decimal(loader: Any, node: Any) -> Decimal | float:
        text = str(loader.construct_scalar(node)).replace("_", "").lower()
        if text.lstrip("+-") in (".inf", ".nan"):
            return float(text.replace(".", ""))  # pydantic refuses these with a clear message
        return Decimal(text)

    DecimalLoader.add_constructor("tag:yaml.org,2002:float", construct_decimal)
    return DecimalLoader


def _yaml_walk(node: Any, path: Path_, lines: dict[Path_, int]) -> None:
    kind = type(node).__name__
    if kind == "MappingNode":
        for key_node, value_node in node.value:
            key = (*path, str(key_node.value))
            lines.setdefault(key, key_node.start_mark.line + 1)
            _yaml_walk(value_node, key, lines)
    elif kind == "SequenceNode":
        for index, item in enumerate(node.value):
            lines.setdefault((*path, index), item.start_mark.line + 1)
            _yaml_walk(item, (*path, index), lines)
