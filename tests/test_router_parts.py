"""The router's building blocks: backoff with full jitter and Retry-After, rate limits that hold in every
60-second window under concurrency, and health with cooldown, half-open probe, recovery and retirement, shared
between processes through SQLite."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

from knollm.records import Model, Pricing
from knollm.router.backoff import Backoff
from knollm.router.choose import Needs, Option, decide, needs_of
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


# -- the routing decision ------------------------------------------------------------------------------------


def option(name: str, inp: str | None, out: str | None, *, context: int = 100_000, tools: bool | None = None,
           weight: float = 1.0) -> Option:
    pricing = Pricing(input_per_mtok=Decimal(inp), output_per_mtok=Decimal(out)) if inp and out else None
    caps = {} if tools is None else {"tools": tools}
    model = Model(id=f"{name}/m", provider=name, model_id="m", kind="chat", context_window=context, pricing=pricing,
                  capabilities=caps)
    return Option(f"{name}/m", name, f"env:{name.upper()}", model, weight)


OPTIONS = [option("a", "3", "15"), option("b", "0.5", "1.5", tools=False), option("c", "1", "2", context=4000),
           option("d", None, None)]


def test_candidates_are_filtered_with_reasons() -> None:
    needs = Needs(input_tokens=5000, max_tokens=500, tools=True)
    decision = decide(OPTIONS, needs, "cheapest")
    assert [r.option.id for r in decision.ranked] == ["a/m", "d/m"]  # d: unknown price, last
    assert decision.excluded == {"b/m": "declares no tools", "c/m": "needs 5500 tokens of context, has 4000"}
    assert decide(OPTIONS, Needs(10, 10), "ordered", deny=("a",)).excluded["a/m"] == "a denied provider"
    assert "over the maximum price" in decide(OPTIONS, Needs(10, 10), max_price=Decimal("1")).excluded["a/m"]


def test_strategies_order_the_candidates() -> None:
    needs = Needs(input_tokens=1000, max_tokens=100)
    assert [r.option.id for r in decide(OPTIONS, needs, "cheapest").ranked] == ["b/m", "c/m", "a/m", "d/m"]
    assert [r.option.id for r in decide(OPTIONS, needs, "ordered").ranked] == ["a/m", "b/m", "c/m", "d/m"]
    clock = Clock()
    health = HealthStore(clock=clock)
    health.success("c", "env:C", 0.1)
    health.success("a", "env:A", 3.0)
    assert [r.option.id for r in decide(OPTIONS, needs, "fastest", health=health).ranked][:2] == ["c/m", "b/m"]
    for _ in range(3):
        health.failure("b", "env:B", "ProviderUnavailable")
    fastest = decide(OPTIONS, needs, "fastest", health=health)
    assert "b/m" in fastest.excluded and fastest.excluded["b/m"].startswith("cooling down")
    balanced = decide(OPTIONS, needs, "balanced", health=health)
    assert balanced.ranked[0].option.id == "c/m"  # cheap enough and fast


def test_shuffle_follows_the_weights() -> None:
    weighted = [option("x", "1", "1", weight=9), option("y", "1", "1", weight=1)]
    firsts = [decide(weighted, Needs(), "shuffle", rng=random.Random(i)).ranked[0].option.id for i in range(2000)]
    assert 0.85 < firsts.count("x/m") / 2000 < 0.95


def test_needs_are_read_from_the_request() -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "x" * 400},
                                             {"type": "image_url", "image_url": {"url": "data:,"}}]}]
    needs = needs_of(messages, tools=[{"type": "function"}], response_format={"type": "json_schema"}, max_tokens=50)
    assert needs == Needs(input_tokens=100, max_tokens=50, tools=True, vision=True, structured_output=True)


def test_knollm_route_explains_without_calling(tmp_path: Path) -> None:
    import json
    import os

    bundle = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
    env = {**os.environ, "KNOLLM_BUNDLE": str(bundle), "HOSTCO_API_KEY": "sk-test-KNOLLM-LEAK-CANARY-0001"}
    env.pop("ROUTR_API_KEY", None)
    done = subprocess.run([sys.executable, "-m", "knollm", "route", "llama-4-70b", "--strategy", "cheapest",
                           "--input-tokens", "2000", "--json"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["choice"] == data["candidates"][0]["id"] and data["strategy"] == "cheapest"
    assert "no key" in data["excluded"]["routr/meta/llama-4-70b"]
    costs = [Decimal(c["cost"]) for c in data["candidates"]]
    assert costs == sorted(costs)
    assert "LEAK-CANARY" not in done.stdout + done.stderr
