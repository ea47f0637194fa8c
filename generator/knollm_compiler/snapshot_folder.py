"""What a snapshots folder holds, defined in one place: the compiler's readers (`sources.py`, `status.py`,
`provider_csv.py`), the build and its report, and the folder check all name these files through this module.

- `models_<provider>.json`: one provider's raw listing (`<provider>` uses `_` for `-`);
- `models_<provider>_manual.json` (hand-written overrides) and `models_<provider>_best.json` (a hand-picked
  subset): variants of that provider's listing, not providers;
- `failed_models.json`: the last fetch attempt per provider (a provider's listing is dated by its last success);
- `providers.csv`: facts about providers (API kind, key variable, base URL).

Any other `.json` file is listed in the report as not read, with the naming it should follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LISTING_NAME = re.compile(r"^models_(?P<provider>[a-z0-9][a-z0-9_.-]*?)(?:_(?P<variant>manual|best))?\.json$")
LISTING_NAMING = "models_<provider>.json"
"""How a listing file is named, for messages."""
VARIANT_NAMING = "a _manual/_best variant"
STATUS_FILE = "failed_models.json"
PROVIDERS_CSV = "providers.csv"
VARIANT_SOURCE = {"manual": "manual", "best": "listing", None: "listing"}
"""The provenance tag of each listing variant's values."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One listing file of the folder."""

    path: Path
    provider: str
    variant: str | None

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(slots=True)
class SnapshotFolder:
    """The files of a snapshots folder, sorted by name, by what they are."""

    listings: list[SourceFile] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    """Names of `.json` files that follow no known naming: reported, not read."""
    status_file: Path | None = None
    """`failed_models.json`, when present (a broken symlink counts: it is reported, not taken for no file)."""
    providers_csv: Path | None = None


def listing_name(provider: str) -> str:
    """The listing file name of a provider id (`models_<provider>.json`, `-` written as `_`)."""
    return f"models_{provider.replace('-', '_')}.json"


def discover(directory: Path) -> tuple[list[SourceFile], list[str]]:
    """Listing files sorted by name, and the names of JSON files that follow no known naming."""
    found: list[SourceFile] = []
    unrecognised: list[str] = []
    for path in sorted(directory.glob("*.json")):
        match = LISTING_NAME.match(path.name)
        if match:
            provider = match.group("provider").replace("_", "-")
            found.append(SourceFile(path, provider, match.group("variant")))
        elif path.name != STATUS_FILE:
            unrecognised.append(path.name)
    return found, unrecognised


def read_folder(directory: Path) -> SnapshotFolder:
    """Every file of the folder the compiler reads, by its role."""
    listings, unrecognised = discover(directory)
    return SnapshotFolder(listings, unrecognised, status_file=_present(directory / STATUS_FILE),
                          providers_csv=_present(directory / PROVIDERS_CSV))


def _present(path: Path) -> Path | None:
    return path if path.exists() or path.is_symlink() else None
