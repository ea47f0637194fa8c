"""The strict pydantic base of every bundle record."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown keys are errors, records are immutable, and attribute docstrings become schema descriptions."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


R = TypeVar("R", bound=Strict)


def replaced(record: R, **changes: object) -> R:
    """`record.model_copy(update=changes)` without pydantic's generic copying (`copy.copy` of four attributes):
    the same shallow copy, unvalidated like model_copy, at a fraction of the cost when 100k models are updated
    several times over a build."""
    copy = record.__class__.__new__(record.__class__)
    object.__setattr__(copy, "__dict__", {**record.__dict__, **changes})
    object.__setattr__(copy, "__pydantic_extra__", None)
    object.__setattr__(copy, "__pydantic_fields_set__", record.__pydantic_fields_set__ | changes.keys())
    object.__setattr__(copy, "__pydantic_private__", None)
    return copy
