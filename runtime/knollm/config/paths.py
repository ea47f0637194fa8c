"""Key paths: how they are written for people (`models."alpha/tiny-chat".context_window`, `keys[1]`) and what
the model expects at a path (for environment overrides and for "did you mean" on unknown keys)."""

from __future__ import annotations

import json
import re
import types
import typing
from typing import Literal

from pydantic import BaseModel

from .model import Config

KeyPath = tuple[str | int, ...]
_BARE = re.compile(r"[A-Za-z0-9_-]+")

Kind = Literal["model", "dict", "list", "scalar", "unknown"]


def dotted(path: KeyPath) -> str:
    """`providers.alpha.keys[1]`; keys that are not bare TOML keys are quoted: `models."alpha/tiny-chat"`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            written = part if _BARE.fullmatch(part) else json.dumps(part)
            text += f".{written}" if text else written
    return text


def _unwrap(annotation: object) -> object:
    """Drop `Annotated[...]` and `| None`."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            others = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(others) != 1:
                return annotation
            annotation = others[0]
        else:
            return annotation


def annotation_at(path: KeyPath, root: type[BaseModel] = Config) -> object | None:
    """The type the model declares at `path` (None when the path leaves the model)."""
    annotation: object = root
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(str(part))
            if info is None:
                return None
            annotation = info.annotation
        elif typing.get_origin(annotation) in (dict, list):
            annotation = typing.get_args(annotation)[-1]
        else:
            return None
    return _unwrap(annotation)


def kind_at(path: KeyPath, root: type[BaseModel] = Config) -> Kind:
    """Whether `path` holds a table of fields, a table of entries, a list, a single value, or nothing known."""
    annotation = annotation_at(path, root)
    if annotation is None:
        return "unknown"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model"
    origin = typing.get_origin(annotation)
    return "dict" if origin is dict else "list" if origin is list else "scalar"


def field_names(path: KeyPath, root: type[BaseModel] = Config) -> list[str]:
    """The field names of the table at `path`, when it is a model (for "expected one of")."""
    annotation = annotation_at(path, root)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []
