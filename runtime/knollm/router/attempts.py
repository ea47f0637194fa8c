"""The attempts of one call, without I/O: which (candidate, key) to send to next and how long to wait first,
and what each outcome does to health, limits, budget and the `.knollm` record. `Client` and `AsyncClient` drive
a `Run` (`next` → wait → send → `failed` or `succeeded`); only the sending and the waiting differ between them
(a thread sleeps, a task awaits `asyncio.sleep`: the event loop is never blocked).

Order: the decision's candidates, each once; within a candidate, its keys in a random order weighted by the
share of their rpm left. A key-level failure (429, 401) tries the same candidate's next key at once; any other
retryable failure (5xx, timeouts, resets, malformed or empty answers) moves to the next candidate. A key whose
limits say wait is passed over while another candidate can go now. With `max_attempts` above the number of
options, further rounds try the candidates again after a backoff with full jitter; a cooling key is waited for
(its `Retry-After`), capped by the backoff's `max_s` and the call's deadline. A status in the route's `stop_on`
(400, 413, 422 by default) stops the call: every provider would refuse that request.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..client.calls import StreamProgress, attempt_record, call_info, failed
from ..client.errors import (
    AuthenticationFailed,
    ClientError,
    InvalidResponse,
    NoCandidate,
    ProviderError,
    RateLimited,
    StreamInterrupted,
    UnsupportedRequest,
)
from ..client.records import Attempt, CallInfo, RankedCandidate, RouteDecision
from .choose import DEFAULT_OUTPUT_TOKENS, Decision, needs_of
from .health import HealthStore, KeyHealth
from .limits import KeyLimiter, Reservation
from .route import SHARED_RNG, Plan, Router, limiter_for, policy_for

if TYPE_CHECKING:
    from ..client.resolve import Candidate, Resolver
    from ..client.types import ChatRequest, Usage
    from ..config.model import Config


@dataclasses.dataclass(slots=True)
class Step:
    """One attempt to make: the candidate (its target carries the chosen key and this attempt's timeout), how
    long to wait before sending, and the rate-limit reservation it holds."""

    option_id: str
    candidate: Candidate
    alias: str
    wait_s: float = 0.0
    limiter: KeyLimiter | None = None
    reservation: Reservation | None = None
    started: float = 0.0

    def begin(self) -> None:
        """Called when the request goes out (after the wait): attempt times start here."""
        self.started = time.perf_counter()


def decision_record(decision: Decision) -> RouteDecision:
    """The decision as the `.knollm` record carries it."""
    ranked = tuple(RankedCandidate(r.option.id, r.option.key, r.score, r.cost) for r in decision.ranked)
    return RouteDecision(decision.strategy, ranked, tuple(decision.excluded.items()),
                         ranked[0].id if ranked else None)


class Run:
    """The state of one call's attempts (one per call; not shared between threads)."""

    def __init__(self, router: Router, plan: Plan, config: Config, store: HealthStore, requested: str) -> None:
        self.router, self.plan, self.config, self.store, self.requested = router, plan, config, store, requested
        self.groups = _groups(plan)
        policy = plan.policy
        self.limit = policy.max_attempts or len(plan.decision.ranked)
        self.rounds_allowed = policy.max_attempts is not None
        self.started = time.perf_counter()
        self.deadline = None if policy.deadline_s is None else self.started + policy.deadline_s
        self.tokens = plan.needs.input_tokens + (plan.needs.max_tokens or DEFAULT_OUTPUT_TOKENS)
        self.attempts: list[Attempt] = []
        self.error: ClientError | None = None
        self.sent = 0
        self.round = 0
        self.position = 0
        self.deferred: list[int] = []
        self.failed_options: set[str] = set()
        self.retry_after: float | None = None
        self.stopped = False
        self.rng = SHARED_RNG

    # --- what to send next ------------------------------------------------------------------------------------

    def next(self) -> Step | None:
        """The next attempt, or None when the call is over (then raise `error()`)."""
        while not self.stopped and self.sent < self.limit:
            if self.position >= len(self.groups):
                if self.round == 0 and self.deferred:
                    step = self._waiting_for_limits(self.deferred.pop(0))
                elif self.rounds_allowed and self.round < self.limit:
                    self.round, self.position = self.round + 1, 0
                    continue
                else:
                    return None
            else:
                step = self._step_now(self.position) if self.round == 0 else self._step_again(self.position)
            if step is not None and not self._fits_deadline(step):
                return None
            if step is not None:
                self.sent += 1
                return step
            self.position += 1
        return None

    def _step_now(self, index: int) -> Step | None:
        """A key of group `index` that is healthy, not yet failed in this call, and may go now."""
        known = self._health()
        fresh = [oid for oid in self.groups[index] if oid not in self.failed_options
                 and _usable(known.get(self._health_key(oid)), self.store.clock())]
        limited = False
        for oid in self._by_headroom(fresh):
            step = self._reserved(oid, wait_for_limits=False)
            if step is None:
                limited = True
            elif self.store.usable(*self._health_key(oid)):
                return step
            else:
                self._release(step)
        if limited and index not in self.deferred:
            self.deferred.append(index)  # come back to it when no other candidate can go now
        return None

    def _waiting_for_limits(self, index: int) -> Step | None:
        known, now = self._health(), self.store.clock()
        fresh = [oid for oid in self.groups[index] if oid not in self.failed_options
                 and _usable(known.get(self._health_key(oid)), now)]
        return self._reserved(fresh[0], wait_for_limits=True) if fresh else None

    def _step_again(self, index: int) -> Step | None:
        """A later round: the group's key that can go soonest (not retired), after a backoff and its cooldown."""
        known, now = self._health(), self.store.clock()
        waits = []
        for oid in self.groups[index]:
            health = known.get(self._health_key(oid))
            if health is not None and health.retired:
                continue
            cooling = max(0.0, health.cooldown_until - now) if health is not None else 0.0
            if health is not None and "RateLimited" not in (health.last_error or ""):
                cooling = min(cooling, self.router.backoff.cap_s)  # only a provider's Retry-After is waited out
            backoff = self.router.backoff.delay(self.round, self.retry_after) if oid in self.failed_options else 0.0
            waits.append((min(self.router.backoff.max_s, max(cooling, backoff)), oid))
        if not waits:
            return None
        wait, oid = min(waits)
        step = self._reserved(oid, wait_for_limits=True)
        if step is not None:
            step.wait_s += wait
        return step

    def _reserved(self, option_id: str, *, wait_for_limits: bool) -> Step | None:
        candidate, key = self.plan.choices[option_id]
        alias = key.alias if key is not None else "none"
        limiter = limiter_for(self.config, candidate.target.provider, alias)
        reservation = None
        if limiter is not None:
            reservation = limiter.reserve(self.tokens) if wait_for_limits else limiter.try_reserve(self.tokens)
            if reservation is None:
                return None
        timeout = self.plan.policy.timeout_s or candidate.target.timeout_s
        others = tuple(k for k in candidate.keys if k is not key)
        target = dataclasses.replace(candidate.target, key=key, timeout_s=timeout,
                                     also_redact=candidate.target.also_redact + others)
        return Step(option_id, dataclasses.replace(candidate, target=target), alias,
                    reservation.wait_s if reservation is not None else 0.0, limiter, reservation)

    def _fits_deadline(self, step: Step) -> bool:
        if self.deadline is None:
            return True
        left = self.deadline - time.perf_counter() - step.wait_s
        if left <= 0:
            self._release(step)
            return False
        if left < step.candidate.target.timeout_s:
            target = dataclasses.replace(step.candidate.target, timeout_s=left)
            step.candidate = dataclasses.replace(step.candidate, target=target)
        return True

    def _by_headroom(self, option_ids: Sequence[str]) -> list[str]:
        """Keys in a random order weighted by the share of their rpm left (Efraimidis-Spirakis)."""
        def draw(oid: str) -> float:
            candidate, key = self.plan.choices[oid]
            limiter = limiter_for(self.config, candidate.target.provider, key.alias if key else "none")
            weight = limiter.headroom() if limiter is not None else 1.0
            return -float(self.rng.random() ** (1.0 / max(weight, 1e-6)))
        return sorted(option_ids, key=draw)

    def _health(self) -> dict[tuple[str, str], KeyHealth]:
        return {(h.provider, h.key): h for h in self.store.snapshot()}

    def _health_key(self, option_id: str) -> tuple[str, str]:
        candidate, key = self.plan.choices[option_id]
        return candidate.target.provider, key.alias if key is not None else "none"

    @staticmethod
    def _release(step: Step) -> None:
        if step.limiter is not None and step.reservation is not None:
            step.limiter.settle(step.reservation, 0)

    # --- outcomes ---------------------------------------------------------------------------------------------

    def failed(self, step: Step, error: ClientError) -> bool:
        """Record a failed attempt; True when the call goes on (retryable), False when it stops."""
        self.attempts.append(attempt_record(step.candidate, step.started, error))
        self.error = error
        self.failed_options.add(step.option_id)
        self._release(step)
        self._record_failure(step, error)
        if isinstance(error, ProviderError) and not isinstance(error, UnsupportedRequest) \
                and error.status in self.plan.policy.stop_on:
            self.stopped = True
            return False
        self.retry_after = error.retry_after if isinstance(error, RateLimited) else None
        key_level = isinstance(error, RateLimited | AuthenticationFailed)
        if not (key_level and self.round == 0 and self._has_fresh_key(self.position)):
            self.position += 1
        return True

    def _record_failure(self, step: Step, error: ClientError) -> None:
        if isinstance(error, UnsupportedRequest):
            return  # nothing was sent: says nothing about the provider's health
        status = getattr(error, "status", None)
        provider = step.candidate.target.provider
        self.store.failure(provider, step.alias, f"{status} {type(error).__name__}" if status else
                           type(error).__name__, retry_after=getattr(error, "retry_after", None),
                           rate_limited=isinstance(error, RateLimited),
                           auth_failed=isinstance(error, AuthenticationFailed) and status == 401)
        if self.router.scorer is not None:
            self.router.scorer.observe(step.option_id, False, time.perf_counter() - step.started, None)

    def _has_fresh_key(self, index: int) -> bool:
        return index < len(self.groups) and any(oid not in self.failed_options for oid in self.groups[index])

    def abandon(self, step: Step) -> None:
        """The attempt ended without an outcome (cancelled, interrupted, the stream closed by the caller): free
        its reservation and a half-open probe it may hold, so the key is not left waiting for a verdict."""
        self._release(step)
        with self.store.editing(*self._health_key(step.option_id)) as health:
            health.probing = False

    @staticmethod
    def check_delivered(step: Step, progress: StreamProgress) -> None:
        """A stream that ended without text or a tool call is an empty answer: `InvalidResponse`, retryable."""
        if not progress.delivered:
            raise InvalidResponse(step.candidate.target.provider, "an empty stream: no text and no tool call")

    def interrupted(self, step: Step, error: BaseException, progress: StreamProgress) -> StreamInterrupted:
        """A stream failed after text reached the caller: record it, and the error carrying the text so far."""
        reason = error.reason if isinstance(error, StreamInterrupted) else str(error) or type(error).__name__
        interrupted = StreamInterrupted(step.candidate.target.provider, "".join(progress.text), progress.chunks,
                                        reason)
        self.attempts.append(attempt_record(step.candidate, step.started, interrupted))
        self._release(step)
        self._record_failure(step, interrupted)
        self.stopped = True
        interrupted.attempts = tuple(self.attempts)
        return interrupted

    def succeeded(self, step: Step, usage: Usage | None, ttft_s: float | None = None) -> CallInfo:
        """Record the answer; the `.knollm` record of the call."""
        latency = time.perf_counter() - step.started
        self.attempts.append(attempt_record(step.candidate, step.started))
        self.store.success(step.candidate.target.provider, step.alias, latency, ttft_s)
        if step.limiter is not None and step.reservation is not None:
            step.limiter.settle(step.reservation, usage.total_tokens if usage is not None else self.tokens)
        info = call_info(self.requested, step.candidate, self.attempts, self.started, usage, ttft_s)
        cost = info.cost.total if info.cost is not None else None
        if self.router.budget is not None:
            self.router.budget.record(self.plan.policy.name, cost)
        if self.router.scorer is not None:
            self.router.scorer.observe(step.option_id, True, latency, cost)
        providers = {c.target.provider for c, _ in self.plan.choices.values()}
        retired = tuple(f"{h.provider} {h.key}" for h in self.store.snapshot() if h.retired and h.provider in providers)
        return dataclasses.replace(info, decision=decision_record(self.plan.decision), retired_keys=retired)

    def final_error(self) -> ClientError:
        """What the call raises when no attempt answered: the last error with every attempt, or `NoCandidate`.
        The budget's hold on the call's estimate is released: nothing answered, so nothing is counted."""
        release = getattr(self.router.budget, "release", None)
        if release is not None:
            release(self.plan.policy.name)
        if self.error is None:
            reasons = dict(self.plan.decision.excluded) or {self.requested: "no key may be used now"}
            return NoCandidate(self.requested, reasons)
        return failed(self.error, self.attempts)


def _usable(health: KeyHealth | None, now: float) -> bool:
    return health is None or health.state(now) == "healthy" or (health.state(now) == "half-open"
                                                               and not health.probing)


def _groups(plan: Plan) -> list[list[str]]:
    """The decision's option ids grouped by candidate, in the order of each candidate's best-ranked key."""
    groups: dict[str, list[str]] = {}
    for ranked in plan.decision.ranked:
        candidate, _ = plan.choices[ranked.option.id]
        groups.setdefault(candidate.id, []).append(ranked.option.id)
    return list(groups.values())


def start_run(router: Router, resolver: Resolver, request: ChatRequest, strategy: str | None = None) -> Run:
    """Plan a call (`NoCandidate` when nothing can serve it; a budget guard may refuse it) and its attempts."""
    resolution = resolver.resolve(request.model)
    if not resolution.candidates:
        raise NoCandidate(request.model, resolution.reasons or {request.model: "nothing matches"})
    config = resolver.config
    policy = policy_for(config, request.model, strategy)
    store = router.store(config)
    needs = needs_of(request.messages, tools=request.tools, response_format=request.response_format,
                     max_tokens=request.max_tokens)
    plan = router.plan(resolution, needs, policy, store, config)
    if not plan.decision.ranked:
        raise NoCandidate(request.model, plan.decision.excluded)
    return Run(router, plan, config, store, request.model)
