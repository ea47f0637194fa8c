"""The strict pydantic base of every bundle record."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown keys are errors, records are immutable, and attribute docstrings become schema descriptions."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


R = TypeVar("R", bound=Strict)
_FIELD_SETS: dict[frozenset[str], set[str]] = {}


def shared_fields_set(record: R) -> R:
    """Point the record's set of explicitly given field names at one set shared by every record with the same
    names. pydantic keeps a set per instance (1.2 KB for a model: 120 MB per copy of 100k models), and nothing
    mutates it here: records are frozen, and `model_copy` copies the set before updating it."""
    names = record.__pydantic_fields_set__
    object.__setattr__(record, "__pydantic_fields_set__", _FIELD_SETS.setdefault(frozenset(names), names))
    return record


def replaced(record: R, **changes: object) -> R:
    """`record.model_copy(update=changes)` without pydantic's generic copying (`copy.copy` of four attributes):
    the same shallow copy, unvalidated like model_copy, at a fraction of the cost when 100k models are updated
    several times over a build."""
    copy = record.__class__.__new__(record.__class__)
    object.__setattr__(copy, "__dict__", {**record.__dict__, **changes})
    object.__setattr__(copy, "__pydantic_extra__", None)
    object.__setattr__(copy, "__pydantic_fields_set__", record.__pydantic_fields_set__ | changes.keys())
    object.__setattr__(copy, "__pydantic_private__", None)
    return shared_fields_set(copy)
