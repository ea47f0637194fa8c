"""Dates of the sources: the day each declaration describes, for freshness-aware precedence.

- a snapshot listing: its provider's last successful fetch in `failed_models.json`, else the newest fetch of
  the snapshot (the listings of one snapshot are fetched together);
- a pinned data package: `catalog/sources.toml` (the packages do not state it);
- a models.dev record: its own `last_updated` (set in `modelsdev_source.py`);
- an authored override: its `checked_on`.
"""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .authored import load_authored
from .bundle_records import ProviderStatus
from .ingest import values
from .problems import BuildError


class PackageDate(BaseModel):
    """The data date of one pinned PyPI data package."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    name: str = Field(min_length=1)
    """Distribution name on PyPI."""
    version: str = Field(min_length=1)
    """The pinned version this date belongs to."""
    data_date: dt.date
    """The newest day the package's data describes."""
    evidence: str = Field(min_length=1)
    """How the date was established."""


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    package: list[PackageDate] = []


def load_package_dates(path: Path) -> dict[str, PackageDate]:
    if not path.exists() and not path.is_symlink():  # a broken symlink is reported, not taken for "no file"
        return {}
    where = f"catalog/{path.name}"
    parsed, problems = load_authored(path, SourcesFile, where)
    if parsed is None:
        raise BuildError(problems)
    return {p.name: p for p in parsed.package}


def package_date(dates: dict[str, PackageDate], name: str) -> str | None:
    """The data date of the installed package, when `catalog/sources.toml` dates this very version."""
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
    known = dates.get(name)
    return known.data_date.isoformat() if known and known.version == installed else None


def listing_dates(statuses: dict[str, ProviderStatus]) -> tuple[dict[str, str], str | None]:
    """Provider id -> day of its last successful fetch, and the newest such day (the snapshot's date)."""
    days = {pid: day for pid, s in statuses.items() if s.last_success and (day := values.date(s.last_success)[0])}
    days = {pid: day for pid, day in days.items() if len(day) == 10}
    return days, max(days.values(), default=None)
