"""Finding, reading and checking a compiled catalog bundle (`catalog.json`).

Where the bundle comes from, first match wins:

1. an explicit path passed to `Catalog.load(path)`;
2. the `KNOLLM_BUNDLE` environment variable;
3. the default bundle shipped inside the package (`knollm/data/catalog.json`, written by `make build`).

Every failure (missing file, unreadable, not JSON, wrong shape, unsupported `schema_version`) is one
`BundleError` whose message says how to rebuild.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from . import safefile
from .errors import BundleError
from .serialize import json_type

try:  # orjson is a declared dependency; the stdlib parser keeps the runtime working without it.
    from orjson import JSONDecodeError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - exercised only where orjson is missing
    from json import JSONDecodeError  # type: ignore[assignment]  # the stdlib twin of orjson's error
    from json import loads as _loads  # type: ignore[assignment]  # same contract, bytes or str in

ENV_VAR = "KNOLLM_BUNDLE"
SUPPORTED_MAJOR = 1
_TEXT = frozenset({str})
_ID = frozenset({str, type(None)})
_LIST = frozenset({list, type(None)})
"""The runtime reads every bundle whose `schema_version` is `1.x`."""


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects (a parsed bundle, its records).

    Nothing built here forms reference cycles, so no garbage is missed; the collector would only rescan the
    growing heap again and again (about a quarter of the parse time on the full corpus).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def default_path() -> Path:
    """Where the wheel ships the compiled default bundle."""
    return Path(__file__).resolve().parent / "data" / "catalog.json"


def locate(path: str | os.PathLike[str] | None = None) -> Path:
    """The bundle file to read: `path`, else `$KNOLLM_BUNDLE`, else the packaged default."""
    if path is not None:
        return Path(path)
    if env := os.environ.get(ENV_VAR):
        return Path(env)
    return default_path()


def read(path: Path) -> dict[str, Any]:
    """Read and check the bundle at `path`. Raises `BundleError` for anything unusable.

    Only a regular file is read, and at most `$KNOLLM_MAX_FILE_MB` of it (`safefile`): `/dev/zero`, a FIFO or a
    runaway file is refused instead of hanging or filling memory."""
    origin = f" (from {ENV_VAR})" if os.environ.get(ENV_VAR) == str(path) else ""
    try:
        data = safefile.read_bytes(path, safefile.configured_max_bytes())
    except safefile.UnsafeFile as exc:
        if exc.missing:
            raise BundleError(f"no bundle file at {path}{origin}") from None
        raise BundleError(f"cannot read the file{origin}: {exc}", str(path)) from None
    except ValueError as exc:  # an invalid $KNOLLM_MAX_FILE_MB
        raise BundleError(str(exc), str(path)) from None
    return parse(data, str(path))


def loads(data: bytes) -> Any:
    """Parse JSON bytes (orjson when present); raises `JSONDecodeError` (a `ValueError`)."""
    return _loads(data)


def parse(data: bytes | str, origin: str | None = None) -> dict[str, Any]:
    """Parse bundle bytes and check the top-level shape and schema version."""
    try:
        with no_gc():
            document = _loads(data)
    except (JSONDecodeError, ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"the file is not valid JSON ({exc})", origin) from None
    check(document, origin)
    assert isinstance(document, dict)  # check() raised otherwise; narrows the parsed JSON for the type checker
    return document


def check(document: Any, origin: str | None = None) -> None:
    """Check what loading relies on: an object with a supported `schema_version`, and lists of records."""
    if not isinstance(document, dict):
        raise BundleError(f"expected a JSON object at the top level, found {json_type(document)}", origin)
    version = document.get("schema_version")
    if version is None:
        raise BundleError("no schema_version; this is not a Knollm catalog bundle", origin)
    if not isinstance(version, str) or not version:
        got = json_type(version) if version != "" else "an empty string"
        raise BundleError(f"schema_version must be a string (\"{SUPPORTED_MAJOR}.x\"), got {got}", origin)
    major = version.split(".", 1)[0]
    if not major.isdigit() or len(major) > 9 or int(major) != SUPPORTED_MAJOR:  # int() refuses 4300+ digits
        raise BundleError(
            f"schema_version {version!r} is not supported by this runtime (it reads {SUPPORTED_MAJOR}.x)", origin
        )
    for key in ("providers", "models"):
        records = document.get(key)
        if not isinstance(records, list):
            raise BundleError(f"{key!r} is missing or not a list", origin)
        valid = is_model if key == "models" else _is_record
        bad = next((i for i, r in enumerate(records) if not valid(r)), None)
        if bad is not None:
            raise BundleError(_record_problem(key, bad, records[bad]), origin)
    families = document.get("families")
    if families is not None and not (isinstance(families, list) and all(_is_record(f) for f in families)):
        raise BundleError("'families' is not a list of records with a string 'id'", origin)
    if problem := index_problem(document["models"], families or []):
        raise BundleError(problem, origin)


def index_problem(models: list[dict[str, Any]], families: list[dict[str, Any]]) -> str | None:
    """Lists the catalog indexes before decoding any record (aliases, family offers), checked at load time (the
    rest of a record is checked when it is decoded). A check in C over all records first; the loop in Python only
    finds the bad record to name it."""
    if _types(models, "aliases") <= _LIST and _item_types(models, "aliases") <= _TEXT \
            and _types(families, "offers") <= _LIST and _item_types(families, "offers") <= _TEXT:
        return None
    for i, raw in enumerate(models):
        aliases = raw.get("aliases")
        if aliases and (aliases.__class__ is not list or not set(map(type, aliases)) <= _TEXT):
            return f"models[{i}].aliases ({raw['id']!r}): expected a list of text"
    for i, raw in enumerate(families):
        offers = raw.get("offers")
        if offers and (offers.__class__ is not list or not set(map(type, offers)) <= _TEXT):
            return f"families[{i}].offers ({raw['id']!r}): expected a list of model ids"
    return None


def _types(records: list[dict[str, Any]], key: str) -> set[type]:
    return set(map(type, map(dict.get, records, repeat(key))))


def _item_types(records: list[dict[str, Any]], key: str) -> set[type]:
    return set(map(type, chain.from_iterable(filter(None, map(dict.get, records, repeat(key))))))


def upgrade_1_0(models: list[dict[str, Any]]) -> None:
    """Bundles of format 1.0 wrote provenance as `{field: source}`; 1.1 groups it as `{source: "f1,f2"}`."""
    for raw in models:
        grouped: dict[str, list[str]] = {}
        provenance = raw.get("provenance") or {}
        if not isinstance(provenance, dict) or not all(isinstance(v, str) for v in provenance.values()):
            continue  # malformed: left as it is for the decode to report with its path
        for path, source in provenance.items():
            grouped.setdefault(source, []).append(path)
        raw["provenance"] = {source: ",".join(paths) for source, paths in grouped.items()}


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str)


def is_model(value: Any) -> bool:
    """A record whose fields the catalog indexes before decoding it are of the right type (one pass with the
    record check: each record is touched once, which is most of the cost)."""
    if value.__class__ is not dict:
        return False
    get = value.get
    return get("id").__class__ is str and get("provider").__class__ is str and get("model_id").__class__ is str \
        and get("family").__class__ in _ID


def _record_problem(key: str, index: int, value: Any) -> str:
    if not _is_record(value):
        return f"{key}[{index}] is not a record with a string 'id'"
    found = ", ".join(f"{k}: {type(value.get(k)).__name__}" for k in ("provider", "model_id", "family"))
    return f"{key}[{index}] ({value['id']!r}): 'provider' and 'model_id' must be text, 'family' text or null; {found}"
