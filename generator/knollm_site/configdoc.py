"""The configuration file reference, read from the runtime's pydantic models (`knollm.config.model`): each table
of `knollm.toml` with its fields, types, defaults, docstrings and the `KNOLLM_*` variable that overrides it."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from knollm.config import env, load
from knollm.config.model import (
    Budget,
    Config,
    HealthSettings,
    KeyLimits,
    ModelSettings,
    Profile,
    ProviderSettings,
    Route,
    Weights,
)

from .schemadoc import type_name

TABLES: tuple[tuple[type[BaseModel], str, str | None], ...] = (
    (Config, "The top level", "KNOLLM_"),
    (ProviderSettings, "[providers.<id>]", "KNOLLM_PROVIDERS__<ID>__"),
    (ModelSettings, '[models."<provider>/<model-id>"]', "KNOLLM_MODELS__<PROVIDER>_<MODEL_ID>__"),
    (Route, "[routes.<name>]", "KNOLLM_ROUTES__<NAME>__"),
    (Weights, "[routes.<name>] weights = { ... }", None),
    (Budget, "[routes.<name>] budget = { ... }", None),
    (KeyLimits, '[providers.<id>] key_limits = { "env:NAME" = { ... } }', None),
    (HealthSettings, "[health]", "KNOLLM_HEALTH__"),
    (Profile, "[profiles.<name>]", None),
)

TABLE_FIELDS = frozenset({"providers", "models", "routes", "profiles"})
"""Top-level tables of tables: overridden one key at a time, never whole."""


@dataclass(frozen=True)
class Field:
    """One key of a table: name, type, default (as TOML would show it), docstring and its override variable."""

    name: str
    type: str
    default: str
    description: str
    variable: str | None


@dataclass(frozen=True)
class Table:
    """One table of the file."""

    name: str
    header: str
    description: str
    fields: tuple[Field, ...]


def _default(info: object) -> str:
    value = getattr(info, "default", PydanticUndefined)
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    return str(value)


def tables() -> list[Table]:
    """Every table of the configuration file, top level first."""
    found = []
    for model, header, prefix in TABLES:
        fields = tuple(
            Field(name, type_name(info.annotation), _default(info), info.description or "",
                  f"{prefix}{name.upper()}" if prefix and name not in TABLE_FIELDS else None)
            for name, info in model.model_fields.items()
        )
        found.append(Table(model.__name__, header, inspect.cleandoc(model.__doc__ or ""), fields))
    return found


def module_notes(module: object) -> str:
    """A module docstring without its first line: the rules it documents (for `env` and `load`)."""
    text = inspect.cleandoc(getattr(module, "__doc__", None) or "")
    return text.partition("\n")[2].strip()


def notes() -> dict[str, str]:
    """The search order and profile rules (`knollm.config.load`) and the override rule (`knollm.config.env`)."""
    return {"load": module_notes(load), "env": module_notes(env)}
