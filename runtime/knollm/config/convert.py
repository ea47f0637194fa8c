"""Pydantic's validation errors as `Problem`s: what was expected, what was found, and the fix, in the file's terms.

Values under `keys` and `headers` are never quoted (they may be secrets); other values are quoted short.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ..redact import redact
from .errors import Problem
from .paths import KeyPath, field_names

Locator = Callable[[KeyPath], tuple[str | None, int | None, str]]
"""Where a path of the validated data came from: (file or `$VAR`, line, the dotted key as written there)."""

EXAMPLES = {
    "base_url": 'base_url = "https://api.example.com/v1"',
    "api": 'api = "openai"',
    "keys": 'keys = ["env:ALPHA_API_KEY"]',
    "timeout_s": "timeout_s = 30",
    "auth_header": 'auth_header = "bearer"',
    "headers": 'headers = { "anthropic-version" = "2023-06-01" }',
    "models_path": 'models_path = "/models"',
    "context_window": "context_window = 8192",
    "max_output_tokens": "max_output_tokens = 4096",
    "input_per_mtok": 'input_per_mtok = "0.10"',
    "output_per_mtok": 'output_per_mtok = "0.40"',
    "cache_read_per_mtok": 'cache_read_per_mtok = "0.025"',
    "cache_write_per_mtok": 'cache_write_per_mtok = "0.125"',
    "candidates": 'candidates = ["alpha/tiny-chat", "beta/tiny-chat"]',
    "allow_literal_keys": "allow_literal_keys = false",
    "default_profile": 'default_profile = "development"',
}
PATTERNS = {
    "^[a-z0-9][a-z0-9._-]*$": ("a provider id (lowercase letters, digits, '-', '.', '_')",
                               "rename the table, e.g. [providers.alpha]"),
    "^[a-z0-9][a-z0-9._-]*/\\S+$": ("a global model id provider/model-id",
                                    'name the table [models."<provider>/<model-id>"]'),
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": ("a name of letters, digits, '-', '.', '_'", "rename the table"),
    "^https?://\\S+$": ("an http:// or https:// URL", f"write it like {EXAMPLES['base_url']}"),
}
SECRET_FIELDS = frozenset({"keys", "headers"})


def problems_from(error: ValidationError, locate: Locator) -> list[Problem]:
    """One `Problem` per error of `error`, located by `locate`."""
    return [_problem(detail, locate) for detail in error.errors(include_url=False)]


def _problem(detail: ErrorDetails, locate: Locator) -> Problem:
    loc = tuple(detail["loc"])
    is_key = bool(loc) and loc[-1] == "[key]"
    path: KeyPath = tuple(p for p in loc if p != "[key]")
    file, line, key = locate(path)
    secret = any(part in SECRET_FIELDS for part in path)
    expected, fix = _expected(detail, path, is_key)
    got = _got(detail, path, secret, is_key)
    return Problem(key, expected, got, fix, file, line)


def _expected(detail: ErrorDetails, path: KeyPath, is_key: bool) -> tuple[str, str]:
    kind, ctx, name = detail["type"], detail.get("ctx") or {}, _field(path)
    example = EXAMPLES.get(name, "")
    if kind == "extra_forbidden":
        allowed = field_names(path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        fix = f"did you mean {close[0]}?" if close else "remove it or check its spelling"
        return f"one of {', '.join(allowed)}", fix
    if kind == "missing":
        return "a value", f"add {example}" if example else f"add {name}"
    if kind == "string_pattern_mismatch":
        expected, fix = PATTERNS.get(str(ctx.get("pattern")), ("a different form", example or "see the reference"))
        return expected, fix if not is_key or "table" in fix else "rename it"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}", f"write it like {example}" if example else "use one of those"
    if kind in ("greater_than", "greater_than_equal"):
        sign = ">" if kind == "greater_than" else ">="
        bound = ctx.get("gt", ctx.get("ge"))
        return f"a number {sign} {bound:g}", f"write it like {example}"
    if kind == "too_short":
        return "at least one entry", f"write it like {example}" if example else "add an entry"
    message = str(detail["msg"])
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    else:  # "Input should be a valid number, unable to parse string as a number" -> "a valid number"
        message = message.removeprefix("Input should be ").split(", ")[0]
    return message[:1].lower() + message[1:], f"write it like {example}" if example else "see the reference"


def _field(path: KeyPath) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return ""


def _got(detail: ErrorDetails, path: KeyPath, secret: bool, is_key: bool) -> str:
    if detail["type"] == "extra_forbidden":
        return f"unknown key {_field(path)!r}"
    if detail["type"] == "missing":
        return "nothing"
    value: Any = path[-1] if is_key and path else detail.get("input")
    if secret:
        return f"a {_type_name(value)} (value not shown)"
    return describe(value)


def _type_name(value: object) -> str:
    return {str: "string", bool: "boolean", int: "integer", Decimal: "number", float: "number", dict: "table",
            list: "list", type(None): "nothing"}.get(type(value), type(value).__name__)


def describe(value: object) -> str:
    """A short, safe rendering of a found value: strings quoted and cut at 60 characters."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return redact(json.dumps(text))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, list | dict) and not value:
        return f"an empty {_type_name(value)}"
    if value is None:
        return "nothing"
    return f"a {_type_name(value)}"
