"""The change history: `catalog/history/changes.jsonl`, one compact JSON line per change, kept across builds.

- `knollm-build --previous OLD.json` writes `dist/changes.json` (see `change_detect.py`);
- `--record-history` adds those changes to `catalog/history/changes.jsonl`;
- `knollm-build replay-history OLD1.json OLD2.json ...` seeds it from old bundles (in data-date order).

The file only grows: lines already there are never changed or dropped; a change already recorded is not added
twice. Lines are sorted (date, kind, provider, model, field), so the file is the same whatever order the
changes were recorded in. Every build copies it beside the bundle as `history.jsonl`, which the runtime
(`Catalog.history`), the CLI (`knollm changes`) and the site read: the history stays out of the bundle, whose
size matters to every `import knollm`.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

import orjson

from knollm.safefile import UnsafeFile, read_bytes

from .bundle_writer import json_bytes, write_if_changed
from .change_detect import Change, changes_document, diff_bundles, sort_key

HISTORY_FILE = "changes.jsonl"
"""The history's file name in `catalog/history/`."""
BESIDE_BUNDLE = "history.jsonl"
"""The history's file name beside a built bundle."""
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024


class HistoryError(Exception):
    """A previous bundle or the history file cannot be used; the message says which and why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The build's history options."""
    parser.add_argument("--previous", type=Path, default=None, metavar="PATH",
                        help="a previous bundle: write changes.json (what changed since it) into --out")
    parser.add_argument("--record-history", action="store_true",
                        help="add the changes since --previous to catalog/history/changes.jsonl")


def usage_problem(args: argparse.Namespace) -> str | None:
    """A problem with the history options, found before any work (one line), or None."""
    if args.record_history and args.previous is None:
        return "--record-history needs --previous (the bundle to compare with)"
    if args.previous is not None and not args.previous.is_file():
        return f"--previous {args.previous}: no such file"
    return None


def read_bundle(path: Path) -> dict[str, Any]:
    """A bundle's JSON object, read safely."""
    try:
        data = orjson.loads(read_bytes(path, MAX_BUNDLE_BYTES))
    except UnsafeFile as exc:
        raise HistoryError(f"cannot read bundle {path}: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise HistoryError(f"bundle {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise HistoryError(f"bundle {path} is not a JSON object")
    return data


def read_history(path: Path) -> list[Change]:
    """The recorded changes (none when the file does not exist); a bad line is an error naming it."""
    if not path.exists():
        return []
    try:
        text = read_bytes(path, MAX_BUNDLE_BYTES).decode("utf-8")
    except (UnsafeFile, UnicodeDecodeError) as exc:
        raise HistoryError(f"cannot read history {path}: {exc}") from None
    changes: list[Change] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            change = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise HistoryError(f"{path}:{number}: not a JSON line") from None
        if not isinstance(change, dict):
            raise HistoryError(f"{path}:{number}: not a JSON object")
        changes.append(change)
    return changes


def line(change: Change) -> bytes:
    """One change as a compact JSON line (keys in a fixed order, nulls left out)."""
    return orjson.dumps({k: v for k, v in change.items() if v is not None})


def record(history_dir: Path, new: list[Change]) -> int:
    """Add changes not yet recorded; returns how many were added."""
    path = history_dir / HISTORY_FILE
    existing = read_history(path)
    seen = {line(c) for c in existing}
    added: list[Change] = []
    for change in new:
        key = line(change)
        if key not in seen:
            seen.add(key)
            added.append(change)
    if not added and path.exists():
        return 0
    history_dir.mkdir(parents=True, exist_ok=True)
    ordered = sorted(existing + added, key=sort_key)
    path.write_bytes(b"".join(line(c) + b"\n" for c in ordered))
    return len(added)


def after_build(args: argparse.Namespace, out: Path, catalog: Path) -> str | None:
    """The history steps of a build (after the bundle is written): changes.json, recording, the copy beside the
    bundle. Returns an error message, or None."""
    history_dir = catalog / "history"
    try:
        if args.previous is not None:
            document = changes_document(read_bundle(args.previous), read_bundle(out / "catalog.json"))
            write_if_changed(out / "changes.json", json_bytes(document))
            if args.record_history:
                added = record(history_dir, document["changes"])
                print(f"history: {added} change(s) recorded in {history_dir / HISTORY_FILE}")
        source = history_dir / HISTORY_FILE
        if source.exists():
            write_if_changed(out / BESIDE_BUNDLE, read_bytes(source, MAX_BUNDLE_BYTES))
    except (HistoryError, UnsafeFile) as exc:
        return str(exc)
    return None


def replay(bundles: list[Path], history_dir: Path) -> int:
    """Record the changes between consecutive bundles (ordered by data date); returns how many were added."""
    documents = sorted((read_bundle(p) for p in bundles), key=lambda d: str(d.get("data_date") or ""))
    changes: list[Change] = []
    for before, after in itertools.pairwise(documents):
        changes += diff_bundles(before, after)
    return record(history_dir, changes)


def replay_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="knollm-build replay-history",
                                description="Seed catalog/history/ from old bundles: the changes between each two "
                                "consecutive ones (given in any order; sorted by data date) are recorded.")
    p.add_argument("bundles", type=Path, nargs="+", metavar="BUNDLE", help="old catalog.json files")
    p.add_argument("--catalog", type=Path, default=Path("catalog"), help="authored files (default: catalog)")
    return p


def replay_main(argv: list[str]) -> int:
    """`knollm-build replay-history [--catalog DIR] BUNDLE...`."""
    args = replay_parser().parse_args(argv)
    try:
        added = replay(args.bundles, args.catalog / "history")
    except HistoryError as exc:
        print(f"knollm-build replay-history: {exc}", file=sys.stderr)
        return 1
    print(f"history: {added} change(s) recorded from {len(args.bundles)} bundle(s)")
    return 0
