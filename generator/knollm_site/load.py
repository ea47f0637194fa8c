"""Loading the bundle the site is built from (through the runtime, so the site shows what `knollm` returns)."""

from __future__ import annotations

import os
from pathlib import Path

import knollm
from knollm_compiler.bundle_writer import bundle_schema, json_bytes

ENV_VAR = "KNOLLM_SITE_BUNDLE"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BUNDLE = REPO_ROOT / "dist" / "catalog.json"

_cache: dict[tuple[str, int, int], knollm.Catalog] = {}


def bundle_path(value: str | os.PathLike[str] | None = None) -> Path:
    """The bundle to build from: `value`, else `$KNOLLM_SITE_BUNDLE`, else `dist/catalog.json` of this checkout."""
    chosen = value if value is not None else os.environ.get(ENV_VAR) or DEFAULT_BUNDLE
    return Path(chosen).resolve()


def load_catalog(path: Path) -> knollm.Catalog:
    """The catalog at `path`, parsed once per file version (the page generator and the macros share it)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache.clear()
        _cache[key] = knollm.Catalog.load(path)
    return _cache[key]


def schema_bytes(path: Path) -> bytes:
    """The bundle's JSON Schema: `catalog.schema.json` beside the bundle, else generated from the compiler."""
    beside = path.with_name("catalog.schema.json")
    return beside.read_bytes() if beside.is_file() else json_bytes(bundle_schema())
