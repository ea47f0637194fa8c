"""Recording calls without slowing them: the client observer and the background writer behind it.

On the request path, `UsageRecorder` only builds a `UsageRecord` and puts it on a queue (a few microseconds);
a daemon thread takes records off the queue in batches and inserts each batch in one transaction. `flush()`
waits until everything queued so far is written; `close()` (also run at exit) flushes and stops the thread.
One writer serves every client of a process that records into the same file.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..client.records import CallFailure, CallInfo
from .store import UsageRecord, UsageStore, default_path
from .tags import AB_CALL

if TYPE_CHECKING:
    from ..config import Config

log = logging.getLogger("knollm.analytics")

BATCH = 500
"""Most records inserted in one transaction."""
WAIT_S = 0.25
"""How long the writer gathers records after the first one before writing them (a crash loses at most this)."""


class BackgroundWriter:
    """A queue of records and the thread that writes them to a `UsageStore` in batches."""

    def __init__(self, store: UsageStore) -> None:
        self.store = store
        self._queue: queue.SimpleQueue[UsageRecord | threading.Event | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.lost = 0
        """Records given up after the store refused them (logged); 0 unless the disk or file failed."""

    def put(self, record: UsageRecord) -> None:
        """Queue one record (returns at once; the thread starts on first use)."""
        if self._thread is None:
            self._start()
        self._queue.put(record)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="knollm-analytics", daemon=True)
                self._thread.start()
                atexit.register(self.close)

    def flush(self, timeout: float | None = 30.0) -> None:
        """Wait until every record queued before this call is in the store."""
        if self._thread is None or not self._thread.is_alive():
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        """Write what is queued and stop the thread (a later `put` starts a new one)."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        atexit.unregister(self.close)
        self._queue.put(None)
        thread.join(30.0)

    def _run(self) -> None:
        while True:
            batch, waiting, stop = self._collect()
            self._write(batch)
            for event in waiting:
                event.set()
            if stop:
                return

    def _collect(self) -> tuple[list[UsageRecord], list[threading.Event], bool]:
        """The next batch: what arrives within `WAIT_S` of the first record (so the thread wakes rarely and
        writes many rows per transaction), cut short by a full batch, a `flush()` or `close()`."""
        batch: list[UsageRecord] = []
        waiting: list[threading.Event] = []
        item = self._queue.get()
        deadline = time.monotonic() + WAIT_S
        while True:
            if item is None:
                return batch, waiting, True
            if isinstance(item, threading.Event):
                waiting.append(item)
                return batch, waiting, False
            batch.append(item)
            left = deadline - time.monotonic()
            if len(batch) >= BATCH or left <= 0:
                return batch, waiting, False
            try:
                item = self._queue.get(timeout=left)
            except queue.Empty:
                return batch, waiting, False

    def _write(self, batch: list[UsageRecord]) -> None:
        try:
            self.store.insert(batch)
        except Exception as exc:  # the thread must survive a full disk or a deleted directory
            self.lost += len(batch)
            log.warning("analytics: %d records not written to %s (%s)", len(batch), self.store.path,
                        type(exc).__name__)


_WRITERS: dict[Path, BackgroundWriter] = {}
_WRITERS_LOCK = threading.Lock()


def writer_for(path: Path) -> BackgroundWriter:
    """The process's writer for the store at `path` (one per file)."""
    path = path.resolve()
    with _WRITERS_LOCK:
        found = _WRITERS.get(path)
        if found is None:
            found = _WRITERS[path] = BackgroundWriter(UsageStore(path))
        return found


def store_path(config: Config) -> Path:
    """The configured store: `[analytics] path` (relative to the configuration file's directory), else
    `default_path()`."""
    settings = config.analytics
    if settings is None or settings.path is None:
        return default_path()
    path = Path(settings.path).expanduser()
    if not path.is_absolute() and config.source:
        path = Path(config.source).parent / path
    return path


class UsageRecorder:
    """The client observer: each finished call (a `CallInfo`) or failed call (a `CallFailure`) becomes a
    `UsageRecord` on the writer's queue."""

    def __init__(self, writer: BackgroundWriter, profile: str | None, source: str = "call") -> None:
        self.writer, self.profile, self.source = writer, profile, source

    def __call__(self, event: CallInfo | CallFailure) -> None:
        self.writer.put(self.record(event))

    def flush(self) -> None:
        """Wait until the records queued so far are written (`Client.close()` calls it)."""
        self.writer.flush()

    def record(self, event: CallInfo | CallFailure, now: float | None = None) -> UsageRecord:
        ts = time.time() if now is None else now
        attempts = event.attempts
        ab_test, ab_arm = AB_CALL.get() or (None, None)
        if isinstance(event, CallFailure):  # who was tried last, and why it failed
            last = attempts[-1] if attempts else None
            return UsageRecord(
                ts, self.profile, event.requested, last.provider if last else None,
                f"{last.provider}/{last.model_id}" if last else None, None, last.key_alias if last else None,
                None, None, None, event.latency_s, None, "failed", event.error, len(attempts), False, self.source,
                ab_test, ab_arm)
        info = event
        return UsageRecord(
            ts, self.profile, info.requested, info.provider, info.model, info.family, info.key_alias,
            info.prompt_tokens, info.completion_tokens, None if info.cost is None else str(info.cost.total),
            info.latency_s, info.ttft_s, "abandoned" if info.abandoned else "ok", None, len(attempts),
            bool(getattr(info, "cache_hit", False)), self.source, ab_test, ab_arm)


def recorder_for(config: Config, source: str = "call") -> UsageRecorder:
    """The observer that records into the configured store (`[analytics]`), for clients with this config."""
    return UsageRecorder(writer_for(store_path(config)), config.profile, source)
