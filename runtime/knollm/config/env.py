"""`KNOLLM_*` environment overrides: `KNOLLM_<FIELD>[__<KEY>…]=value` sets one value of the configuration.

The rule:

- `KNOLLM_CONFIG` (the file) and `KNOLLM_PROFILE` (the profile) choose; they are not overrides.
- Otherwise the name after `KNOLLM_` is split at double underscores into a path. Its first part must be a top-level
  field (`PROVIDERS`, `MODELS`, `ROUTES`, `DEFAULT_PROFILE`, `ALLOW_LITERAL_KEYS`, `CACHE`); other `KNOLLM_*` variables
  belong to the rest of Knollm (`KNOLLM_BUNDLE`, …) and are left alone, unless they contain `__`, which is then
  reported as a misspelt override.
- Parts match keys case-insensitively, and `_` in a part matches any of `-`, `.`, `/` or `_` in a key the
  configuration already has (`KNOLLM_PROVIDERS__TOGETHER_AI__TIMEOUT_S` reaches `[providers.together-ai]`). A key
  the configuration lacks is created lowercased.
- The value is text; pydantic converts it (`"30"` to 30, `"true"` to true, `"0.10"` to an exact Decimal). For a
  list field (`keys`, `candidates`) it is split at commas; a value starting with `[` or `{` is read as JSON.

Overrides apply last: after the file's top level and the chosen profile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import Problem
from .model import Config
from .paths import KeyPath, dotted, kind_at

PREFIX = "KNOLLM_"
CONFIG_VAR = "KNOLLM_CONFIG"
PROFILE_VAR = "KNOLLM_PROFILE"
NOT_OVERRIDES = frozenset({CONFIG_VAR, PROFILE_VAR})
OVERRIDABLE = tuple(name for name in Config.model_fields if name != "profiles")


def _norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", key.lower())


def overrides(env: Mapping[str, str]) -> list[tuple[str, list[str], str]]:
    """The override variables of `env` as (variable, path parts as written, value), sorted by name."""
    found = []
    for name in sorted(env):
        if not name.startswith(PREFIX) or name in NOT_OVERRIDES:
            continue
        parts = name[len(PREFIX):].split("__")
        if parts[0].lower() in OVERRIDABLE or "__" in name:
            found.append((name, parts, env[name]))
    return found


def apply_overrides(data: dict[str, Any], env: Mapping[str, str]) -> tuple[dict[KeyPath, str], list[Problem]]:
    """Apply every override of `env` to `data` in place; returns {path set: variable} and the problems found."""
    origins: dict[KeyPath, str] = {}
    problems: list[Problem] = []
    for name, parts, raw in overrides(env):
        if parts[0].lower() not in OVERRIDABLE or not all(parts):
            problems.append(Problem(
                "", f"KNOLLM_<FIELD>__<KEY>… with FIELD one of {', '.join(f.upper() for f in OVERRIDABLE)}",
                name, "rename or unset the variable (see the configuration reference)", f"${name}"))
            continue
        path, node = _walk(data, parts)
        try:
            value = _value(raw, path)
        except ValueError:
            problems.append(Problem(dotted(path), "valid JSON after [ or {", "text that is not JSON",
                                    "write a JSON list or table, or a comma-separated list", f"${name}"))
            continue
        node[path[-1]] = value
        origins[path] = name
    return origins, problems


def _walk(data: dict[str, Any], parts: list[str]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The path `parts` names in `data`, creating the tables on the way; returns it and the last table."""
    node = data
    path: list[str] = []
    for index, part in enumerate(parts):
        key = next((k for k in node if _norm(k) == _norm(part)), part.lower())
        path.append(key)
        if index < len(parts) - 1:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
    return tuple(path), node


def _value(raw: str, path: KeyPath) -> Any:
    text = raw.strip()
    if text[:1] in ("[", "{"):
        return json.loads(text, parse_float=Decimal)
    if kind_at(path) == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    return text
