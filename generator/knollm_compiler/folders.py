"""The folders `knollm-build` reads and writes, checked before any work.

A mistyped `--catalog` must not build a catalog without authored data (and write its schemas into a new folder at
the typo), and a mistyped `--out` must not fail only after the compile. Each check answers with one line, naming
the folder and what is wrong with it, or None when the folder is usable.
"""

from __future__ import annotations

import os
from pathlib import Path

from .snapshot_folder import LISTING_NAMING

AUTHORED_MARKER = "providers"
"""The sub-folder every catalog folder has (one authored file per provider; it may be empty)."""


def catalog_problem(catalog: Path) -> str | None:
    """The catalog folder must exist and hold a `providers/` folder."""
    if problem := _folder_problem(catalog, "--catalog"):
        return problem
    if not (catalog / AUTHORED_MARKER).is_dir():
        return f"--catalog {catalog} is not a catalog folder: it has no {AUTHORED_MARKER}/ folder inside"
    return None


def snapshots_problem(snapshots: Path) -> str | None:
    """The snapshots folder must exist and hold at least one `.json` file."""
    if problem := _folder_problem(snapshots, "--snapshots"):
        return problem
    try:
        with os.scandir(snapshots) as entries:  # closed even when any() stops at the first match
            has_json = any(entry.name.endswith(".json") for entry in entries)
    except OSError as exc:
        return f"--snapshots {snapshots}: cannot list the folder ({exc.strerror or exc})"
    return None if has_json else f"--snapshots {snapshots} holds no .json file ({LISTING_NAMING} listings)"


def out_problem(out: Path) -> str | None:
    """The output folder must be a writable folder, or not exist yet under a writable folder."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder"
    existing = next((p for p in (out, *out.absolute().parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        return f"--out {out}: {existing} is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"--out {out}: cannot write in {existing} (permission denied)"
    return None


def _folder_problem(folder: Path, option: str) -> str | None:
    if not folder.exists():
        return f"{option} {folder}: no such folder"
    if not folder.is_dir():
        return f"{option} {folder} is a file, not a folder"
    if not os.access(folder, os.R_OK | os.X_OK):
        return f"{option} {folder}: cannot read the folder (permission denied)"
    return None
