"""Authored overrides: `catalog/overrides/<provider>.toml`. They win over every other source, and each
value carries the URL it was checked against and the date it was checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .authored import load_authored
from .bundle_vocab import Kind
from .drafts import Draft
from .problems import BuildError, Problem, Severity

SOURCE = "override"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class PriceOverride(_Strict):
    """Prices in USD; token prices per million tokens. Write them as strings to keep them exact."""

    input_per_mtok: Decimal | None = Field(default=None, ge=0)
    output_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_read_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_write_per_mtok: Decimal | None = Field(default=None, ge=0)
    reasoning_per_mtok: Decimal | None = Field(default=None, ge=0)
    per_request: Decimal | None = Field(default=None, ge=0)
    per_image: Decimal | None = Field(default=None, ge=0)


class ModelOverride(_Strict):
    """Corrections for one model of the provider named by the file."""

    id: str = Field(min_length=1)
    """The model id as the provider spells it."""
    source: str = Field(pattern=r"^https://\S+$")
    """Where the values were checked."""
    checked_on: dt.date
    """When they were checked."""
    name: str | None = None
    kind: Kind | None = None
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    deprecation_date: dt.date | None = None
    description: str | None = None
    owned_by: str | None = None
    quantization: str | None = None
    capabilities: dict[str, bool] = {}
    pricing: PriceOverride | None = None


class OverrideFile(_Strict):
    model: list[ModelOverride]


def load_overrides(directory: Path, providers: set[str]) -> list[Draft]:
    """Drafts from every override file; all problems are collected and raised together."""
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
        where = f"catalog/overrides/{path.name}"
        if path.stem not in providers:
            problems.append(Problem(where, "-", "$", f"no provider {path.stem!r} in catalog/providers",
                                    Severity.REJECTED))
            continue
        parsed, found = load_authored(path, OverrideFile, where, _record)
        if parsed is None:
            problems += found
            continue
        drafts += [Draft(path.stem, entry.id, SOURCE, where, _values(entry), as_of=entry.checked_on.isoformat())
                   for entry in parsed.model]
    if problems:
        raise BuildError(problems)
    return drafts


def _record(loc: tuple[Any, ...]) -> str:
    return f"model[{loc[1]}]" if len(loc) > 1 and loc[0] == "model" else "-"


def _values(entry: ModelOverride) -> dict[str, Any]:
    plain = entry.model_dump(exclude={"id", "source", "checked_on", "capabilities", "pricing"}, exclude_none=True)
    if "deprecation_date" in plain:
        plain["deprecation_date"] = plain["deprecation_date"].isoformat()
    plain.update({f"capabilities.{k}": v for k, v in entry.capabilities.items()})
    if entry.pricing:
        plain.update({f"pricing.{k}": v for k, v in entry.pricing.model_dump(exclude_none=True).items()})
    return plain
