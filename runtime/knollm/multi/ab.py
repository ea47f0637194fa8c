"""A/B tests between two routes (or models, or families): split traffic by a share, sticky per user key, record
each call's outcome (and a user score when the caller has one), and report the comparison with confidence
intervals: Wilson for the success rate, Student's t for latency, cost (exact Decimals) and score.

Sticky assignment hashes the test's name with the user key (SHA-256), so a user stays in one arm across calls,
processes and restarts, and two tests with different names split users independently. Without a user key each call
is assigned at random (`rng`, seedable). Outcomes are kept in memory (`outcomes`); persist them with `to_data()`.
With `[analytics]` configured, every `call()`/`acall()` is also recorded in the usage store with the test's name and
the arm, and `ABTest.from_store()` rebuilds the outcomes (not the user scores, which live in memory) from there.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ..redact import redact
from .stats import Interval, decimal_mean_interval, mean_interval, wilson

if TYPE_CHECKING:
    from ..analytics.store import UsageRecord, UsageStore
    from ..client.aio import AsyncClient
    from ..client.sync import Client
    from ..client.types import ChatCompletion, JSONObject

Arm = Literal["a", "b"]


@dataclass(slots=True, frozen=True)
class Outcome:
    """One call of the test."""

    id: int
    arm: Arm
    route: str
    ok: bool
    latency_s: float | None = None
    cost: Decimal | None = None
    """Exact USD; None when unknown (never counted as 0)."""
    score: float | None = None
    """A user score the caller recorded (`ABTest.score()`), e.g. a thumbs-up as 1.0."""
    user_key: str | None = None
    error: str | None = None


@dataclass(slots=True, frozen=True)
class ArmReport:
    """One arm's figures with their confidence intervals (None: no observation to base one on)."""

    arm: Arm
    route: str
    calls: int
    successes: int
    success_rate: Interval[float] | None
    latency_s: Interval[float] | None
    """Of successful calls."""
    cost: Interval[Decimal] | None
    """Mean cost per successful call, of those whose cost is known."""
    cost_unknown: int
    """Successful calls whose cost is unknown (left out of `cost`)."""
    score: Interval[float] | None


@dataclass(slots=True, frozen=True)
class ABReport:
    """Both arms, and where their intervals do not overlap (a difference the data supports at this confidence)."""

    name: str
    confidence: float
    a: ArmReport
    b: ArmReport

    def differences(self) -> dict[str, Arm]:
        """Metric → the better arm, for metrics whose intervals do not overlap (higher success rate and score,
        lower latency and cost)."""
        better: dict[str, Arm] = {}
        for metric, higher_is_better in (("success_rate", True), ("latency_s", False), ("cost", False),
                                         ("score", True)):
            a, b = getattr(self.a, metric), getattr(self.b, metric)
            if a is not None and b is not None and not a.overlaps(b):
                better[metric] = "a" if (a.estimate > b.estimate) == higher_is_better else "b"
        return better


@dataclass
class ABTest:
    """Split calls between `a` and `b`: `b_share` of the users (or calls) go to `b`."""

    name: str
    a: str
    b: str
    b_share: float = 0.5
    rng: random.Random = field(default_factory=random.Random, repr=False)
    outcomes: list[Outcome] = field(default_factory=list, repr=False)
    _ids: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.b_share <= 1:
            raise ValueError("b_share must be between 0 and 1")

    def arm(self, user_key: str | None = None) -> Arm:
        """The arm of `user_key` (the same every time), or a random one without a key."""
        if user_key is None:
            draw = self.rng.random()
        else:
            digest = hashlib.sha256(f"{self.name}\0{user_key}".encode("utf-8", "surrogatepass")).digest()
            draw = int.from_bytes(digest[:8], "big") / 2**64
        return "b" if draw < self.b_share else "a"

    def route(self, arm: Arm) -> str:
        return self.a if arm == "a" else self.b

    def record(self, arm: Arm, ok: bool, latency_s: float | None = None, cost: Decimal | None = None, *,
               score: float | None = None, user_key: str | None = None, error: str | None = None) -> Outcome:
        """Record an outcome observed elsewhere (e.g. a call made without `call()`)."""
        outcome = Outcome(next(self._ids), arm, self.route(arm), ok, latency_s, cost, score, user_key, error)
        self.outcomes.append(outcome)
        return outcome

    def score(self, outcome: Outcome | int, score: float) -> Outcome:
        """Attach a user score to a recorded outcome (by the outcome or its id)."""
        wanted = outcome if isinstance(outcome, int) else outcome.id
        for index, found in enumerate(self.outcomes):
            if found.id == wanted:
                self.outcomes[index] = replace(found, score=score)
                return self.outcomes[index]
        raise KeyError(f"no outcome {wanted} in A/B test {self.name!r}")

    def call(self, client: Client, messages: list[JSONObject], *, user_key: str | None = None,
             **options: Any) -> tuple[Outcome, ChatCompletion | None]:
        """Send the call to the user's arm and record it; a failed call is recorded and returns None (its error
        class is in the outcome)."""
        from ..analytics.tags import ab_call
        from ..client.errors import ClientError

        arm, started = self.arm(user_key), time.perf_counter()
        try:
            with ab_call(self.name, arm):  # the usage recorder tags the call with the test and the arm
                completion = client.chat.completions.create(model=self.route(arm), messages=messages, **options)
        except ClientError as exc:
            return self._failed(arm, started, user_key, exc), None
        return self._succeeded(arm, completion, user_key), completion

    async def acall(self, client: AsyncClient, messages: list[JSONObject], *, user_key: str | None = None,
                    **options: Any) -> tuple[Outcome, ChatCompletion | None]:
        """`call()` on an `AsyncClient`."""
        from ..analytics.tags import ab_call
        from ..client.errors import ClientError

        arm, started = self.arm(user_key), time.perf_counter()
        try:
            with ab_call(self.name, arm):
                completion = await client.chat.completions.create(model=self.route(arm), messages=messages,
                                                                  **options)
        except ClientError as exc:
            return self._failed(arm, started, user_key, exc), None
        return self._succeeded(arm, completion, user_key), completion

    def _failed(self, arm: Arm, started: float, user_key: str | None, exc: Exception) -> Outcome:
        return self.record(arm, False, round(time.perf_counter() - started, 6), user_key=user_key,
                           error=redact(type(exc).__name__))

    def _succeeded(self, arm: Arm, completion: ChatCompletion, user_key: str | None) -> Outcome:
        from ..client.records import CallInfo

        info = completion.knollm if isinstance(completion.knollm, CallInfo) else None
        cost = info.cost.total if info is not None and info.cost is not None else None
        if info is not None and info.cache_hit:
            cost = Decimal(0)  # a cached answer called no provider: it cost nothing
        return self.record(arm, True, info.latency_s if info else None, cost, user_key=user_key)

    @classmethod
    def from_store(cls, store: UsageStore, name: str, *, a: str | None = None, b: str | None = None) -> ABTest:
        """The test `name` rebuilt from the calls recorded in the usage store (`[analytics]`), for `report()`.

        `a` and `b` default to the routes the recorded calls of each arm asked for. Scores are not recorded;
        abandoned calls and rows with an arm other than `a`/`b` are left out."""
        records = store.ab_records(name)
        routes = {r.ab_arm: r.route for r in records}
        a, b = a or routes.get("a"), b or routes.get("b")
        if a is None or b is None:
            missing = " and ".join(arm for arm, route in (("a", a), ("b", b)) if route is None)
            raise ValueError(f"A/B test {name!r}: no recorded call of arm {missing} in {store.path}; "
                             "pass a= and b= to name the routes")
        test = cls(name, a, b)
        for record in records:
            if record.ab_arm in ("a", "b") and (record.ok or record.failed):
                arm: Arm = "a" if record.ab_arm == "a" else "b"
                test.record(arm, record.ok, record.latency_s, _recorded_cost(record) if record.ok else None,
                            error=record.error_class)
        return test

    def report(self, confidence: float = 0.95) -> ABReport:
        return ABReport(self.name, confidence, self._arm_report("a", confidence), self._arm_report("b", confidence))

    def _arm_report(self, arm: Arm, confidence: float) -> ArmReport:
        calls = [o for o in self.outcomes if o.arm == arm]
        ok = [o for o in calls if o.ok]
        costs = [o.cost for o in ok if o.cost is not None]
        return ArmReport(
            arm, self.route(arm), len(calls), len(ok), wilson(len(ok), len(calls), confidence),
            mean_interval([o.latency_s for o in ok if o.latency_s is not None], confidence),
            decimal_mean_interval(costs, confidence), len(ok) - len(costs),
            mean_interval([o.score for o in calls if o.score is not None], confidence))

    def to_data(self) -> dict[str, Any]:
        """The test and its outcomes as JSON-ready data (costs as exact strings)."""
        from ..serialize import to_data

        return {"name": self.name, "a": self.a, "b": self.b, "b_share": self.b_share,
                "outcomes": [to_data(o) for o in self.outcomes]}


def _recorded_cost(record: UsageRecord) -> Decimal | None:
    """The cost of a recorded call as `call()` counts it: 0 for a cache hit, None when unknown or unreadable."""
    if record.cache_hit:
        return Decimal(0)  # a cached answer called no provider
    try:
        return record.cost
    except ArithmeticError:  # a row written by hand (decimal.InvalidOperation): unknown, never zero
        return None
