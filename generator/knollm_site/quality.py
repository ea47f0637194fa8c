"""The "Data quality" page: how old each source is, how often providers' prices agree with other sources,
and what the build did about disagreements (from the bundle's report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import knollm


@dataclass(frozen=True)
class SourceAge:
    file: str
    day: str
    age_days: int
    """Days between the source's date and the bundle's as-of date."""


def source_ages(catalog: knollm.Catalog) -> list[SourceAge]:
    """Every dated source, oldest first; the age is counted back from the as-of date."""
    as_of = catalog.data_date
    if as_of is None:
        return []
    anchor = date.fromisoformat(as_of)
    ages = [SourceAge(file, day, (anchor - date.fromisoformat(day)).days)
            for file, day in catalog.source_dates.items() if len(day) == 10]
    return sorted(ages, key=lambda a: (a.day, a.file))


def agreement_rows(catalog: knollm.Catalog) -> list[dict[str, Any]]:
    """The report's per-provider agreement rows, in the report's order (least agreeing first)."""
    return [r for r in catalog.report.get("agreement") or () if isinstance(r, dict)]


def percent(share: str) -> str:
    """`"0.953"` -> `"95.3%"`."""
    return f"{Decimal(share) * 100:.1f}%"


def totals(catalog: knollm.Catalog) -> dict[str, int]:
    raw = catalog.report.get("totals") or {}
    return {k: int(v) for k, v in raw.items() if isinstance(v, int)}


def flag_summary(catalog: knollm.Catalog) -> dict[str, Any]:
    """The report's outlier summary: `count` (models), `flags` and `examples` (capped), or empty."""
    raw = catalog.report.get("price_flags")
    return raw if isinstance(raw, dict) else {}


def unit_rows(catalog: knollm.Catalog) -> list[dict[str, Any]]:
    """Unit calibration evidence per source file and price group, flagged groups first."""
    rows = [r for r in catalog.report.get("units") or () if isinstance(r, dict)]
    return sorted(rows, key=lambda r: (not r.get("flagged"), str(r.get("file", "")), str(r.get("group", ""))))
