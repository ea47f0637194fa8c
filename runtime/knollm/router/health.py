"""Health per (provider, key): success rate, latency, and cooldowns that everyone can see.

Each outcome updates a rolling success rate, a latency EWMA (the whole call) and a time-to-first-token EWMA
(for a stream, until its first text; for a plain answer, which arrives whole, its latency): the `fastest`
strategy ranks by the latter, since a stream's whole time measures its answer's length as much as the provider's
speed. Consecutive failures open a cooldown that grows
exponentially (capped); when it ends, the state is *half-open*: one probe request is let through, and its outcome
closes the circuit (healthy again) or opens a longer cooldown. A 429 cools only that key, for at least its
`Retry-After`; a 401 retires the key for the process. `HealthStore` keeps this in memory for all threads of a
process; `SqliteHealthStore` (`[health] path = "..."`) shares it between processes through SQLite in WAL mode.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

EWMA_WEIGHT = 0.2
"""Weight of the newest observation in the latency and success averages."""
FAILURES_TO_COOL = 3
"""Consecutive failures that open a cooldown (a 429 cools at once, for its Retry-After)."""
COOLDOWN_BASE_S = 5.0
COOLDOWN_CAP_S = 300.0


@dataclass(slots=True)
class KeyHealth:
    """What is known of one (provider, key alias): shown by `knollm health`."""

    provider: str
    key: str
    success_rate: float = 1.0
    latency_s: float | None = None
    consecutive_failures: int = 0
    cooldowns: int = 0
    cooldown_until: float = 0.0
    """Wall-clock time (seconds since the epoch) the current cooldown ends; 0 when none."""
    probing: bool = False
    retired: str | None = None
    """Why the key was retired for this process (e.g. `401 AuthenticationFailed`); None while usable."""
    last_error: str | None = None
    calls: int = 0
    ttft_s: float | None = None
    """EWMA of the time to the first token (a plain answer's whole latency), seconds; None until a success."""

    def state(self, now: float) -> str:
        """`healthy`, `cooling` (until `cooldown_until`), `half-open` (one probe allowed) or `retired`."""
        if self.retired:
            return "retired"
        if self.cooldown_until > now:
            return "cooling"
        return "half-open" if self.cooldowns and self.consecutive_failures else "healthy"


def _copy(health: KeyHealth) -> KeyHealth:
    # Field by field: `asdict` deep-copies recursively, and a snapshot is taken on every routed call.
    return KeyHealth(*(getattr(health, name) for name in KeyHealth.__slots__))


def record_success(health: KeyHealth, latency_s: float, ttft_s: float | None = None) -> None:
    """A success taking `latency_s`; `ttft_s` is a stream's time to its first token (None: a plain answer, or a
    stream that sent no text, whose first token came with the whole answer)."""
    health.calls += 1
    health.success_rate += EWMA_WEIGHT * (1.0 - health.success_rate)
    health.latency_s = _ewma(health.latency_s, latency_s)
    health.ttft_s = _ewma(health.ttft_s, latency_s if ttft_s is None else ttft_s)
    health.consecutive_failures = 0
    health.cooldowns = 0
    health.cooldown_until = 0.0
    health.probing = False


def _ewma(average: float | None, new: float) -> float:
    return new if average is None else average + EWMA_WEIGHT * (new - average)


def record_failure(health: KeyHealth, error: str, now: float, *, retry_after: float | None = None,
                   rate_limited: bool = False, auth_failed: bool = False) -> None:
    health.calls += 1
    health.success_rate += EWMA_WEIGHT * (0.0 - health.success_rate)
    health.consecutive_failures += 1
    health.last_error = error
    health.probing = False
    if auth_failed:
        health.retired = error
        return
    if not rate_limited and health.consecutive_failures < FAILURES_TO_COOL:
        return
    wait = min(COOLDOWN_CAP_S, COOLDOWN_BASE_S * 2 ** health.cooldowns)
    if rate_limited and retry_after:
        wait = min(COOLDOWN_CAP_S, retry_after)  # the provider said how long: no longer, no shorter
    health.cooldowns += 1
    health.cooldown_until = max(health.cooldown_until, now + wait)


class HealthStore:
    """Health of every (provider, key) in this process; one lock, shared by threads and tasks."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], KeyHealth] = {}

    @contextmanager
    def editing(self, provider: str, key: str) -> Iterator[KeyHealth]:
        """The record of (provider, key), saved when the block ends."""
        with self._lock:
            found = self._known.setdefault((provider, key), KeyHealth(provider, key))
            yield found

    def usable(self, provider: str, key: str) -> bool:
        """Whether a call may go to (provider, key) now; a half-open key lets exactly one probe through."""
        with self.editing(provider, key) as health:
            state = health.state(self.clock())
            if state == "half-open" and not health.probing:
                health.probing = True
                return True
            return state == "healthy"

    def success(self, provider: str, key: str, latency_s: float, ttft_s: float | None = None) -> None:
        with self.editing(provider, key) as health:
            record_success(health, latency_s, ttft_s)

    def failure(self, provider: str, key: str, error: str, *, retry_after: float | None = None,
                rate_limited: bool = False, auth_failed: bool = False) -> None:
        with self.editing(provider, key) as health:
            record_failure(health, error, self.clock(), retry_after=retry_after, rate_limited=rate_limited,
                           auth_failed=auth_failed)

    def records(self) -> dict[tuple[str, str], KeyHealth]:
        """The live records by (provider, key), to read only: the routing decision reads a few fields of each
        and copying every record per decision cost more than the rest of it; a field changing meanwhile costs
        one decision one stale number, which the next decision corrects."""
        with self._lock:
            return dict(self._known)

    def snapshot(self) -> list[KeyHealth]:
        """Every record, sorted by provider and key (for `knollm health`)."""
        with self._lock:
            return [_copy(h) for _, h in sorted(self._known.items())]


SCHEMA = "CREATE TABLE IF NOT EXISTS health (provider TEXT, key TEXT, record TEXT, PRIMARY KEY (provider, key))"


class SqliteHealthStore(HealthStore):
    """`HealthStore` whose records live in a SQLite file (WAL), so several processes see one another's
    cooldowns; each read-modify-write is one `BEGIN IMMEDIATE` transaction."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.path = str(path)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    @contextmanager
    def editing(self, provider: str, key: str) -> Iterator[KeyHealth]:
        with self._lock, closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT record FROM health WHERE provider = ? AND key = ?", (provider, key)).fetchone()
            found = KeyHealth(**json.loads(row[0])) if row else KeyHealth(provider, key)
            try:
                yield found
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("INSERT OR REPLACE INTO health VALUES (?, ?, ?)", (provider, key, json.dumps(asdict(found))))
            db.execute("COMMIT")

    def records(self) -> dict[tuple[str, str], KeyHealth]:
        return {(h.provider, h.key): h for h in self.snapshot()}

    def snapshot(self) -> list[KeyHealth]:
        with self._lock, closing(self._connect()) as db:
            rows = db.execute("SELECT record FROM health ORDER BY provider, key").fetchall()
        return [KeyHealth(**json.loads(row[0])) for row in rows]
