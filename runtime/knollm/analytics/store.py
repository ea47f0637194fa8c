"""The usage store: one row per finished call, in a SQLite file shared by every process that writes to it.

WAL mode lets readers work while a writer commits; each batch is one `BEGIN IMMEDIATE` transaction, and a
writer that finds the database busy waits (`busy_timeout`) and then retries with backoff, so several processes
writing at once lose nothing. Keys never reach this file: a row names the key by its alias (`env:NAME`).
Costs are exact decimals stored as text (`"0.000123"`); an unknown cost is NULL, never zero.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path

BUSY_TIMEOUT_MS = 30_000
"""How long one statement waits for another process's transaction before SQLite reports the database busy."""
RETRIES = 8
"""Further tries of a batch after a busy error (backoff 50 ms doubling); a batch is then given up, and logged."""


@dataclass(slots=True, frozen=True)
class UsageRecord:
    """One finished call (or one benchmark run): what was asked, who answered, how it went and what it cost."""

    ts: float
    """When the call ended, seconds since the epoch (UTC)."""
    profile: str | None
    route: str
    """What the caller asked for: a global id, a family or a route name."""
    provider: str | None
    model: str | None
    """The global id `<provider>/<model_id>` that answered (for a failure: the last one tried)."""
    family: str | None
    key_alias: str | None
    """The key's alias (`env:NAME`), never the key."""
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: str | None
    """The exact cost as a decimal string; None when unknown (never recorded as zero)."""
    latency_s: float | None
    ttft_s: float | None
    status: str
    """`ok`, `failed`, or `abandoned` (a stream the caller stopped reading: neither a success nor a failure)."""
    error_class: str | None
    attempts: int
    cache_hit: bool = False
    source: str = "call"
    """`call` (a client call) or `benchmark` (a `knollm benchmark` run)."""
    ab_test: str | None = None
    """The A/B test (`knollm.multi.ab.ABTest`) this call was part of, if any (a column added later: older files gain it
    when opened, their rows reading None)."""
    ab_arm: str | None = None
    """Its arm: `a` or `b`."""

    @property
    def cost(self) -> Decimal | None:
        return None if self.cost_usd is None else Decimal(self.cost_usd)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        """A failed call (an abandoned stream is not one: the provider was answering)."""
        return self.status == "failed"


COLUMNS = tuple(f.name for f in fields(UsageRecord))
_TYPES = {"ts": "REAL NOT NULL", "route": "TEXT NOT NULL", "status": "TEXT NOT NULL", "attempts": "INTEGER NOT NULL",
          "prompt_tokens": "INTEGER", "completion_tokens": "INTEGER", "latency_s": "REAL", "ttft_s": "REAL",
          "cache_hit": "INTEGER NOT NULL", "source": "TEXT NOT NULL"}
SCHEMA = ("CREATE TABLE IF NOT EXISTS usage (" + ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in COLUMNS) + ")")
INDEX = "CREATE INDEX IF NOT EXISTS usage_ts ON usage (ts)"
AB_INDEX = "CREATE INDEX IF NOT EXISTS usage_ab ON usage (ab_test) WHERE ab_test IS NOT NULL"
_INSERT = f"INSERT INTO usage ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"


def default_path() -> Path:
    """`usage.sqlite` in the user data directory (platformdirs: `~/.local/share/knollm/` on Linux)."""
    import platformdirs  # only when no path is configured

    return Path(platformdirs.user_data_dir("knollm", appauthor=False)) / "usage.sqlite"


class UsageStore:
    """The usage rows of one SQLite file. Opens a connection per operation, so one store serves any thread; the
    file (and its directory) is created by the first operation, so making a store does no I/O."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._created = False

    def _connect(self) -> sqlite3.Connection:
        if not self._created:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._retry(self._create)
            self._created = True
        return self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; a power cut may lose the last batch
        return db

    def _create(self) -> None:
        with closing(self._open()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)
            _add_missing_columns(db)
            db.execute(INDEX)
            db.execute(AB_INDEX)

    def insert(self, records: Sequence[UsageRecord]) -> None:
        """Add records in one transaction (retried while another process holds the database)."""
        if records:
            self._retry(lambda: self._insert(records))

    def _insert(self, records: Sequence[UsageRecord]) -> None:
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(_INSERT, [_row(r) for r in records])
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def records(self, since: float | None = None, until: float | None = None) -> list[UsageRecord]:
        """Records with `since <= ts < until` (either bound optional), oldest first."""
        query, bounds = f"SELECT {', '.join(COLUMNS)} FROM usage WHERE 1=1", list[float]()
        if since is not None:
            query, bounds = query + " AND ts >= ?", [*bounds, since]
        if until is not None:
            query, bounds = query + " AND ts < ?", [*bounds, until]
        with closing(self._connect()) as db:
            rows = db.execute(query + " ORDER BY ts, rowid", bounds).fetchall()
        return [_record(row) for row in rows]

    def ab_records(self, test: str) -> list[UsageRecord]:
        """The recorded calls of the A/B test `test`, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM usage WHERE ab_test = ? ORDER BY ts, rowid",
                              (test,)).fetchall()
        return [_record(row) for row in rows]

    def count(self) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("SELECT COUNT(*) FROM usage").fetchone()[0])

    @staticmethod
    def _retry(operation: Callable[[], None]) -> None:
        delay = 0.05
        for attempt in range(RETRIES + 1):
            try:
                operation()
                return
            except sqlite3.OperationalError as exc:
                if attempt == RETRIES or not _busy(exc):
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Migrate a file written by an older version: add the columns it lacks (all nullable, so its rows read back
    with None there). Another process migrating at the same moment is no error."""
    present = {str(row[1]) for row in db.execute("PRAGMA table_info(usage)")}
    for column in COLUMNS:
        if column not in present:
            try:
                db.execute(f"ALTER TABLE usage ADD COLUMN {column} {_TYPES.get(column, 'TEXT')}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc).lower():
                    raise


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _row(record: UsageRecord) -> tuple[object, ...]:
    row = [getattr(record, name) for name in COLUMNS]
    row[COLUMNS.index("cache_hit")] = int(record.cache_hit)
    return tuple(row)


def _record(row: Iterable[object]) -> UsageRecord:
    values = dict(zip(COLUMNS, row, strict=True))
    values["cache_hit"] = bool(values["cache_hit"])
    return UsageRecord(**values)  # type: ignore[arg-type]  # the columns are the record's fields, typed by SCHEMA
