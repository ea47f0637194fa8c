"""Live benchmarks (`knollm benchmark`) and the speeds observed in the usage store.

A benchmark streams one prompt to each model `runs` times, at most `concurrency` calls at once, and measures
what a caller sees: time to the first token, total latency, output tokens per second (completion tokens over
the time after the first token), success rate and exact cost. Each run is recorded in the usage store (source
`benchmark`), and `observed_speeds` reads every recorded call back per (provider, model) for the router's
`fastest` and `balanced` strategies; `seed_health` feeds the same outcomes to a `HealthStore` (latency EWMA).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..errors import KnollmError
from ..router.health import EWMA_WEIGHT, record_success
from .stats import median, percentile, rounded
from .store import UsageRecord, UsageStore

if TYPE_CHECKING:
    from ..client.sync import Client
    from ..router.health import HealthStore


@dataclass(slots=True, frozen=True)
class Run:
    """One benchmark call."""

    model: str
    ok: bool
    provider: str | None = None
    ttft_s: float | None = None
    latency_s: float | None = None
    completion_tokens: int | None = None
    cost: Decimal | None = None
    error: str | None = None

    @property
    def tokens_per_s(self) -> float | None:
        if not self.ok or not self.completion_tokens or not self.latency_s:
            return None
        generating = self.latency_s - (self.ttft_s or 0.0)
        return self.completion_tokens / (generating if generating > 0 else self.latency_s)


@dataclass(slots=True, frozen=True)
class ModelResult:
    """What the runs of one model add up to; `cost_usd` is None when any successful run's cost is unknown."""

    model: str
    runs: int
    successes: int
    success_rate: float
    ttft_p50_s: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    tokens_per_s: float | None
    cost_usd: Decimal | None
    cost_per_run_usd: Decimal | None
    errors: dict[str, int]


def run_benchmark(client: Client, models: Sequence[str], prompt: str, *, runs: int = 3, concurrency: int = 1,
                  max_tokens: int | None = None, on_run: Callable[[Run], None] | None = None) -> list[Run]:
    """Stream `prompt` to each model `runs` times (models interleaved), `concurrency` calls at a time."""
    jobs = [model for _ in range(runs) for model in models]

    def one(model: str) -> Run:
        run = _stream_once(client, model, prompt, max_tokens)
        if on_run is not None:
            on_run(run)
        return run

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="knollm-bench") as pool:
        return list(pool.map(one, jobs))


def _stream_once(client: Client, model: str, prompt: str, max_tokens: int | None) -> Run:
    try:
        stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}],
                                                stream=True, max_tokens=max_tokens)
        with stream:
            for _ in stream:
                pass
    except KnollmError as exc:
        return Run(model, False, error=type(exc).__name__)
    info = stream.knollm
    if info is None:  # pragma: no cover - a stream that ended without error always has its record
        return Run(model, False, error="NoRecord")
    return Run(model, True, info.provider, info.ttft_s, info.latency_s, info.completion_tokens,
               info.cost.total if info.cost else None)


def summarise(runs: Sequence[Run], models: Sequence[str]) -> list[ModelResult]:
    """One result per model, in the order given."""
    by_model: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_model[run.model].append(run)
    return [_result(model, by_model[model]) for model in dict.fromkeys(models)]


def _result(model: str, runs: list[Run]) -> ModelResult:
    good = [r for r in runs if r.ok]
    seconds = [r.latency_s for r in good if r.latency_s is not None]
    costs = [r.cost for r in good]
    known = None if any(c is None for c in costs) or not good else sum((c for c in costs if c), Decimal(0))
    errors: dict[str, int] = defaultdict(int)
    for r in runs:
        if r.error:
            errors[r.error] += 1
    return ModelResult(
        model=model, runs=len(runs), successes=len(good), success_rate=round(len(good) / len(runs), 4) if runs else 0.0,
        ttft_p50_s=rounded(median([r.ttft_s for r in good if r.ttft_s is not None])),
        latency_p50_s=rounded(percentile(seconds, 0.5)), latency_p95_s=rounded(percentile(seconds, 0.95)),
        tokens_per_s=rounded(median([t for r in good if (t := r.tokens_per_s) is not None]), 1),
        cost_usd=known, cost_per_run_usd=None if known is None else known / len(good), errors=dict(errors))


@dataclass(slots=True, frozen=True)
class ObservedSpeed:
    """What the usage store has seen of one (provider, model)."""

    provider: str
    model: str
    samples: int
    success_rate: float
    latency_p50_s: float | None
    ttft_p50_s: float | None
    tokens_per_s: float | None


def observed_speeds(store: UsageStore, since: float | None = None) -> dict[tuple[str, str], ObservedSpeed]:
    """Per (provider, model): calls, success rate, median latency, TTFT and output tokens per second, from every
    recorded call and benchmark run since `since` (all when None)."""
    groups: dict[tuple[str, str], list[UsageRecord]] = defaultdict(list)
    for record in store.records(since=since):
        if record.provider and record.model:
            groups[(record.provider, record.model)].append(record)
    out = {}
    for (provider, model), records in sorted(groups.items()):
        good = [r for r in records if r.ok]
        speeds = [r.completion_tokens / (r.latency_s - (r.ttft_s or 0.0) or r.latency_s) for r in good
                  if r.completion_tokens and r.latency_s]
        out[(provider, model)] = ObservedSpeed(
            provider, model, len(records), round(len(good) / len(records), 4),
            rounded(median([r.latency_s for r in good if r.latency_s is not None])),
            rounded(median([r.ttft_s for r in good if r.ttft_s is not None])), rounded(median(speeds), 1))
    return out


def seed_health(health: HealthStore, store: UsageStore, since: float | None = None) -> int:
    """Replay recorded outcomes into `health` (latency EWMA and success rate per provider and key alias), so the
    router ranks by what was observed; returns how many records were replayed. Cooldowns are not replayed:
    failures count toward the success rate only."""
    replayed = 0
    for record in store.records(since=since):
        if record.provider is None:
            continue
        key = record.key_alias or ""
        with health.editing(record.provider, key) as state:
            if record.ok and record.latency_s is not None:
                record_success(state, record.latency_s, record.ttft_s)
            elif record.failed:  # an abandoned stream says nothing about the provider
                state.calls += 1
                state.success_rate -= EWMA_WEIGHT * state.success_rate  # a failure's EWMA step, without a cooldown
        replayed += 1
    return replayed
