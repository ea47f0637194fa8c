"""The fetch status file, `failed_models.json`, in the format the build already reads.

Per provider: `failed`, `error`, `last_attempt`, `last_success` (what the build uses to date a listing), plus
`status` (`fetched`, `failed`, `skipped`), `error_class`, `http_status`, `attempts`, `models`, `fetched_at`
(when the snapshot in the folder was fetched) and `snapshot_age_days` (its age when this fetch ran; a failed
provider keeps its previous snapshot, and this says how old it is). Providers skipped this time (no key, no
endpoint) keep their previous entry, marked `status = "skipped"` with `skipped_because`; none is written for them
otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from knollm.safefile import UnsafeFile, read_bytes

from ..snapshot_folder import STATUS_FILE

MAX_STATUS_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one provider in this run."""

    provider: str
    status: str
    """`fetched`, `failed` or `skipped`."""
    reason: str = ""
    error_class: str | None = None
    http_status: int | None = None
    attempts: int = 0
    models: int | None = None
    pages: int = 0


def iso(moment: dt.datetime) -> str:
    """`2026-11-30T02:13:36Z`: UTC, whole seconds."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_previous(folder: Path) -> dict[str, Any]:
    """The previous status file's entries (an unreadable or odd file counts as none: it is rewritten)."""
    try:
        data = orjson.loads(read_bytes(folder / STATUS_FILE, MAX_STATUS_BYTES))
    except (UnsafeFile, orjson.JSONDecodeError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def entry_for(outcome: Outcome, previous: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The provider's new status entry."""
    stamp = iso(now)
    if outcome.status == "fetched":
        return {"status": "fetched", "failed": False, "error": "", "error_class": None, "http_status": None,
                "attempts": outcome.attempts, "models": outcome.models, "pages": outcome.pages,
                "last_attempt": stamp, "last_success": stamp, "fetched_at": stamp, "snapshot_age_days": 0}
    fetched_at = _fetched_at(previous)
    return {"status": outcome.status, "failed": True, "error": outcome.reason,
            "error_class": outcome.error_class, "http_status": outcome.http_status, "attempts": outcome.attempts,
            "models": previous.get("models") if isinstance(previous.get("models"), int) else None,
            "last_attempt": stamp,
            "last_success": previous.get("last_success"), "fetched_at": fetched_at,
            "snapshot_age_days": age_days(fetched_at, now)}


def _fetched_at(previous: dict[str, Any]) -> str | None:
    fetched_at = previous.get("fetched_at") or previous.get("last_success")
    return fetched_at if isinstance(fetched_at, str) else None


def age_days(when: str | None, now: dt.datetime) -> int | None:
    """Whole days from an ISO timestamp to `now`; None when unknown or unreadable."""
    if not when:
        return None
    try:
        moment = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0, (now - moment).days)


def write_status(folder: Path, outcomes: list[Outcome], now: dt.datetime) -> dict[str, Any]:
    """Merge this run's outcomes into the folder's status file (sorted by provider) and return it."""
    entries = read_previous(folder)
    for outcome in outcomes:
        previous = entries.get(outcome.provider)
        if outcome.status == "skipped":
            # Not fetched this time: an earlier entry stays (with its age); none is made up, since the site and the
            # build read an entry as a fetch that happened.
            if previous is not None:
                entries[outcome.provider] = {**previous, "status": "skipped", "skipped_because": outcome.reason,
                                             "snapshot_age_days": age_days(_fetched_at(previous), now)}
            continue
        entries[outcome.provider] = entry_for(outcome, previous or {}, now)
    document = dict(sorted(entries.items()))
    write_atomic(folder / STATUS_FILE, orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    return document


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and a rename: a reader never sees half a file, a crash keeps the old one."""
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)
