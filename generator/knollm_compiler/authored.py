"""One loader for the authored TOML files (providers, libraries, overrides, family rules, source dates): read
safely, validate with the file's pydantic model, and turn every error into a problem with one format,
`file:line: dotted.path: reason (fix: ...)`, the line wherever the file shows the key (else its table).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from knollm.tomllines import KeyPath, line_of, toml_lines

from .ingest.reading import UnreadableSource, read_text, read_toml
from .problems import Problem, Severity

M = TypeVar("M", bound=BaseModel)

FIXES = {
    "missing": "add the key",
    "extra_forbidden": "remove the key, or correct its spelling (the file's JSON Schema lists the allowed keys)",
    "literal_error": "use one of the values the message lists",
    "string_pattern_mismatch": "write the value in the form the message gives",
    "url_parsing": "write a full http(s):// URL",
    "int_parsing": "write a whole number",
    "decimal_parsing": "write the number as a string, e.g. \"0.50\"",
    "string_type": "write the value as a quoted string",
    "bool_type": "write true or false",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
}
"""A fix for the pydantic error types authors meet most; others say only what was expected."""


RecordOf = str | Callable[[KeyPath], str]
"""The record a problem names: one for the whole file, or chosen from the error's location (e.g. an entry id)."""


def load_authored(path: Path, model: type[M], where: str, record: RecordOf = "-") -> tuple[M | None, list[Problem]]:
    """The file parsed into `model`, or None with every problem (the file unreadable, or each invalid value)."""
    try:
        raw = read_toml(path)
    except UnreadableSource as exc:
        return None, [Problem(where, record if isinstance(record, str) else "-", "$", str(exc), Severity.REJECTED)]
    return validate_authored(path, raw, model, where, record)


def validate_authored(path: Path, raw: object, model: type[M], where: str,
                      record: RecordOf = "-") -> tuple[M | None, list[Problem]]:
    """`raw` (read from `path`) parsed into `model`, or None with a located problem per invalid value."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        lines = toml_lines(read_text(path))
        return None, [validation_problem(where, record, error, lines) for error in exc.errors()]


def validation_problem(where: str, record: RecordOf, error: ErrorDetails, lines: dict[KeyPath, int]) -> Problem:
    """One pydantic error as a problem: the dotted path, the line, the message and a fix."""
    location = tuple(error["loc"])
    record = record if isinstance(record, str) else record(location)
    line = line_of(lines, location)
    fix = FIXES.get(error["type"])
    reason = error["msg"] + (f" (fix: {fix})" if fix else "")
    dotted = ".".join(str(part) for part in location) or "$"
    return Problem(where, record, dotted, reason, Severity.REJECTED, line=line)
