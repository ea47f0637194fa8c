"""The bundle format reference, read from the compiler's pydantic models (`bundle_records.py`) and their docstrings."""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel

from knollm_compiler.bundle_records import Bundle


@dataclass(frozen=True)
class Field:
    """One field of a record: name, type as written for readers, whether required, and its docstring."""

    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Record:
    """One record type of the bundle."""

    name: str
    description: str
    fields: tuple[Field, ...]


def records(root: type[BaseModel] = Bundle) -> list[Record]:
    """`root` and every record type reachable from its fields, breadth first."""
    seen: list[type[BaseModel]] = [root]
    index = 0
    while index < len(seen):
        for field in seen[index].model_fields.values():
            for found in _models_in(field.annotation):
                if found not in seen:
                    seen.append(found)
        index += 1
    return [_record(model) for model in seen]


def _record(model: type[BaseModel]) -> Record:
    fields = tuple(
        Field(name, type_name(info.annotation), info.is_required(), info.description or "")
        for name, info in model.model_fields.items()
    )
    return Record(model.__name__, inspect.cleandoc(model.__doc__ or ""), fields)


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def type_name(annotation: object) -> str:
    """A readable type: `str | None`, `tuple[Model, ...]`, `dict[str, bool]`, `"chat" | "embedding"`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return "money (decimal string)" if args and args[0] is Decimal else type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(f'"{a}"' for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin is tuple:
        inner = type_name(args[0]) if args else "object"
        return f"tuple[{inner}, ...]" if len(args) == 2 and args[1] is Ellipsis else f"tuple[{inner}]"
    if origin is not None:
        return f"{getattr(origin, '__name__', str(origin))}[{', '.join(type_name(a) for a in args)}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))
