"""`ResponseCache`: answers by request key in one SQLite file (WAL: readers never wait for the writer, several
processes may share the file), with expiry, pruning and hit/miss counters kept in the file.

What is stored: the normalised conversation (for the similarity match), the answer in OpenAI's JSON shape, and who
answered (provider and model). Never a key, a key alias or a header. The file is created readable by its owner
only: it holds prompts and answers.

Cost on the request path: a miss is one indexed SELECT (its counter is written with the next store, in the same
transaction); a hit adds one UPDATE. `make bench` measures both (`bench/bench_cache.py`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import KnollmError
from .key import RequestKey, jaccard, shingles

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, scope TEXT NOT NULL, prompt TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
    family TEXT, response TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS entries_scope ON entries (scope, created);
CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
COUNTERS = ("hits", "similar_hits", "misses", "stores")


class CacheError(KnollmError):
    """The cache file cannot be opened or read (not a SQLite file, no permission, a directory)."""


@dataclass(slots=True)
class _Pending:
    """Misses not yet written (kept apart from the cache object, so its finalizer does not keep it alive)."""

    misses: int = 0

    def take(self) -> int:
        misses, self.misses = self.misses, 0
        return misses


@dataclass(slots=True, frozen=True)
class Entry:
    """One cached answer, as read back."""

    key: str
    provider: str
    model: str
    """The global id `<provider>/<model_id>` that answered."""
    family: str | None
    response: str
    """The answer in OpenAI's chat-completion JSON."""
    created: float
    similarity: float = 1.0
    """1.0 for an exact match; the Jaccard similarity for a near-duplicate one."""


@dataclass(slots=True, frozen=True)
class CacheStats:
    """What `knollm cache stats` prints."""

    path: str
    entries: int
    expired: int
    bytes: int
    hits: int
    similar_hits: int
    misses: int
    stores: int
    oldest: float | None
    newest: float | None

    @property
    def hit_ratio(self) -> float | None:
        """Hits / lookups (None before the first lookup)."""
        lookups = self.hits + self.misses
        return None if lookups == 0 else self.hits / lookups


def default_path() -> Path:
    """`responses.sqlite` in the user cache directory (platformdirs: `~/.cache/knollm/` on Linux)."""
    import platformdirs  # only when no path is configured

    return Path(platformdirs.user_cache_dir("knollm", appauthor=False)) / "responses.sqlite"


class ResponseCache:
    """The SQLite response cache. Thread-safe (one connection behind a lock); `clock` returns seconds since the
    epoch (tests inject one to expire entries)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, ttl_s: float = 3600.0,
                 provider_ttl_s: Mapping[str, float] | None = None, similarity: float | None = None,
                 similarity_candidates: int = 200, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.ttl_s, self.provider_ttl_s = ttl_s, dict(provider_ttl_s or {})
        self.similarity, self.similarity_candidates = similarity, similarity_candidates
        self._clock, self._lock, self._pending = clock, threading.Lock(), _Pending()
        self._db = _connect(self.path)
        self._finalizer = weakref.finalize(self, _close, self._db, self._lock, self._pending)

    # -- the request path ------------------------------------------------------------------------------------

    def lookup(self, key: RequestKey) -> Entry | None:
        """The live entry for `key`: an exact match, else (when `similarity` is set) the most similar prompt of the
        same scope at or above the threshold. Counts a hit or a miss."""
        now = self._clock()
        with self._lock:
            row = self._db.execute("SELECT key, provider, model, family, response, created FROM entries "
                                   "WHERE key = ? AND expires > ?", (key.key, now)).fetchone()
            found = Entry(*row) if row else self._similar(key, now) if self.similarity else None
            if found is None:
                self._pending.misses += 1
                return None
            with self._db:
                self._db.execute("UPDATE entries SET hits = hits + 1 WHERE key = ?", (found.key,))
                self._count("hits" if row else "similar_hits", 1)
            return found

    def _similar(self, key: RequestKey, now: float) -> Entry | None:
        assert self.similarity is not None
        wanted, best = shingles(key.prompt), None
        rows = self._db.execute("SELECT key, provider, model, family, response, created, prompt FROM entries "
                                "WHERE scope = ? AND expires > ? ORDER BY created DESC LIMIT ?",
                                (key.scope, now, self.similarity_candidates))
        for found_key, provider, model, family, response, created, prompt in rows:
            score = jaccard(wanted, shingles(prompt))
            if score >= self.similarity and (best is None or score > best.similarity):
                best = Entry(found_key, provider, model, family, response, created, similarity=score)
        return best

    def store(self, key: RequestKey, provider: str, model: str, family: str | None, response: str) -> None:
        """Keep an answer for the provider's TTL (else `ttl_s`); replaces an older answer to the same request."""
        now = self._clock()
        expires = now + self.provider_ttl_s.get(provider, self.ttl_s)
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                             (key.key, key.scope, key.prompt, provider, model, family, response, now, expires))
            self._count("stores", 1)
            self._count("misses", self._pending.take())

    def forget(self, key: RequestKey) -> None:
        """Drop the entry of `key` (an entry that could not be read back)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM entries WHERE key = ?", (key.key,))

    # -- maintenance ------------------------------------------------------------------------------------------

    def stats(self) -> CacheStats:
        now = self._clock()
        with self._lock:
            with self._db:
                self._count("misses", self._pending.take())
            counts = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
            entries, expired, oldest, newest = self._db.execute(
                "SELECT count(*), coalesce(sum(expires <= ?), 0), min(created), max(created) FROM entries",
                (now,)).fetchone()
        size = sum(p.stat().st_size for p in _files(self.path) if p.exists())
        hits, similar_hits, misses, stores = (int(counts.get(c, 0)) for c in COUNTERS)
        return CacheStats(str(self.path), entries, expired, size, hits, similar_hits, misses, stores, oldest, newest)

    def clear(self) -> int:
        """Delete every entry and reset the counters; returns how many entries there were."""
        with self._lock, self._db:
            removed = self._db.execute("DELETE FROM entries").rowcount
            self._db.execute("DELETE FROM counters")
            self._pending.take()
        self._vacuum()
        return int(removed)

    def prune(self, older_than_s: float | None = None) -> int:
        """Delete expired entries, and with `older_than_s` also those stored longer ago; returns how many."""
        now = self._clock()
        cutoff = now - older_than_s if older_than_s is not None else float("-inf")
        with self._lock, self._db:
            removed = self._db.execute("DELETE FROM entries WHERE expires <= ? OR created < ?",
                                       (now, cutoff)).rowcount
        self._vacuum()
        return int(removed)

    def close(self) -> None:
        """Write the pending miss count and close the file (also done when the cache is garbage-collected)."""
        self._finalizer()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<knollm.ResponseCache {self.path}>"

    def _count(self, name: str, amount: int) -> None:
        if amount:
            self._db.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + ?",
                             (name, amount, amount))

    def _vacuum(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.OperationalError):  # another process is writing: later
            self._db.execute("VACUUM")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # owner only: it holds prompts and answers
        db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        db.isolation_level = "DEFERRED"  # `with db:` makes a transaction
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(SCHEMA)
        return db
    except (sqlite3.Error, OSError) as exc:
        raise CacheError(f"cannot use the response cache file {path}: {exc}") from None


def _close(db: sqlite3.Connection, lock: threading.Lock, pending: _Pending) -> None:
    with lock, contextlib.suppress(sqlite3.Error):
        misses = pending.take()
        if misses:
            with db:
                db.execute("INSERT INTO counters VALUES ('misses', ?) ON CONFLICT (name) DO UPDATE SET "
                           "value = value + ?", (misses, misses))
        db.close()


def _files(path: Path) -> Iterator[Path]:
    yield path
    yield path.with_name(path.name + "-wal")
    yield path.with_name(path.name + "-shm")
