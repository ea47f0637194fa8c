"""The router's building blocks: backoff with full jitter and Retry-After, rate limits that hold in every
60-second window under concurrency, and health with cooldown, half-open probe, recovery and retirement, shared
between processes through SQLite."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from pathlib import Path

from knollm.router.backoff import Backoff
from knollm.router.health import COOLDOWN_BASE_S, FAILURES_TO_COOL, HealthStore, SqliteHealthStore
from knollm.router.limits import WINDOW_S, KeyLimiter


def test_backoff_is_jittered_capped_and_honours_retry_after() -> None:
    backoff = Backoff(base_s=0.5, cap_s=4, max_s=30, rng=random.Random(7))
    delays = [backoff.delay(n) for n in range(1, 9) for _ in range(50)]
    assert all(0 <= d <= 4 for d in delays) and len(set(delays)) > 100  # spread, never above the cap
    assert all(backoff.delay(1, retry_after=3) >= 3 for _ in range(50))
    assert backoff.delay(1, retry_after=500) == 30


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sends_in_any_window(times: list[float]) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + WINDOW_S) for start in ordered)


def test_rpm_holds_in_every_window_for_concurrent_callers() -> None:
    clock = Clock()
    limiter = KeyLimiter(rpm=10, clock=clock)
    sends: list[float] = []
    lock = threading.Lock()

    def caller() -> None:
        reservation = limiter.reserve()
        with lock:
            sends.append(clock.now + reservation.wait_s)

    threads = [threading.Thread(target=caller) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sends) == 50 and sends_in_any_window(sends) == 10
    assert sorted(sends)[10] == clock.now + WINDOW_S  # the 11th goes when the 1st has left the window


def test_tpm_uses_estimates_then_the_real_usage() -> None:
    clock = Clock()
    limiter = KeyLimiter(tpm=1000, clock=clock)
    first = limiter.reserve(800)
    assert first.wait_s == 0 and limiter.reserve(400).wait_s == WINDOW_S  # 800 + 400 > 1000: wait
    clock.now += 1
    limiter.settle(first, 100)  # the first call used far less than estimated
    assert limiter.reserve(400).wait_s == 0


def test_cooldown_half_open_probe_recovery_and_retirement() -> None:
    clock = Clock()
    store = HealthStore(clock=clock)
    for _ in range(FAILURES_TO_COOL):
        assert store.usable("a", "env:K")
        store.failure("a", "env:K", "ProviderUnavailable")
    assert not store.usable("a", "env:K") and store.snapshot()[0].state(clock.now) == "cooling"
    clock.now += COOLDOWN_BASE_S + 0.1
    assert store.usable("a", "env:K")  # the one probe
    assert not store.usable("a", "env:K")  # no second request while the probe is out
    store.success("a", "env:K", 0.2)
    assert store.usable("a", "env:K") and store.snapshot()[0].state(clock.now) == "healthy"
    store.failure("a", "env:K", "RateLimited", rate_limited=True, retry_after=42)
    assert store.snapshot()[0].cooldown_until == clock.now + 42
    store.failure("b", "env:J", "AuthenticationFailed", auth_failed=True)
    clock.now += 10_000
    assert not store.usable("b", "env:J") and store.snapshot()[1].retired == "AuthenticationFailed"


CHILD = """
import sys
from knollm.router.health import SqliteHealthStore
store = SqliteHealthStore(sys.argv[1])
store.failure("shared", "env:K", "RateLimited", rate_limited=True, retry_after=120)
"""


def test_health_is_shared_between_processes_through_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "health.sqlite"
    store = SqliteHealthStore(path)
    assert store.usable("shared", "env:K")
    subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True, timeout=60)
    assert not store.usable("shared", "env:K")  # the other process's 429 cools the key here too
    assert store.snapshot()[0].state(store.clock()) == "cooling"
