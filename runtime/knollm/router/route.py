"""The router's plan for one call: the route's policy, one option per (candidate, key), the decision, and the
process-wide state every call shares (health, rate limiters).

A call is resolve → plan → attempts → record. `resolve` (client) finds the candidates; this module turns them
into options (one per key, so a cooling or retired key excludes only itself), lets `choose.decide` filter and
order them, and hands the result to `attempts.Run`, which sends. `knollm route` prints the same plan.

Hooks for the parts that learn or spend: a `Scorer` orders options for the `adaptive` strategy and observes
outcomes; a `BudgetGuard` checks a call's estimate before the first attempt (refuse by raising, downgrade by
returning the strategy to use instead) and records the actual cost after it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from ..errors import InvalidArgument
from ..vocab import STRATEGIES
from .adaptive import forget_process_scorer
from .backoff import Backoff
from .budget import DOWNGRADE_STRATEGY
from .choose import DEFAULT_WEIGHTS, Decision, Needs, Option, decide
from .health import HealthStore, SqliteHealthStore
from .limits import KeyLimiter

if TYPE_CHECKING:
    from ..client.resolve import Candidate, Resolution
    from ..client.target import Secret
    from ..config.model import Config

SHARED_RNG = random.Random()
"""One generator for every call's random draws (shuffle, key rotation): seeding a new one costs more than the
rest of a routing decision."""
NO_KEY = "none"
"""The key alias of a provider that needs no key (health and limits are still kept per provider)."""
DEFAULT_STOP_ON = (400, 413, 422)
"""Statuses that stop a call by default: the request itself is wrong, another provider would refuse it too."""


class Scorer(Protocol):
    """Orders a decision's candidates and learns from outcomes (the `adaptive` strategy)."""

    def order(self, decision: Decision) -> None:
        """Sort `decision.ranked` in place (setting scores); called after filtering."""

    def observe(self, option_id: str, ok: bool, latency_s: float, cost: Decimal | None) -> None:
        """The outcome of one attempt at `option_id`."""


class BudgetGuard(Protocol):
    """Spending limits: consulted before the first attempt of a call and told the cost after it."""

    def check(self, route: str, estimate: Decimal | None) -> str | None:
        """None to go ahead, a strategy name to use instead (downgrade); raises to refuse the call.

        A guard may also have `confirm(route, estimate)`: after a downgrade it is called with the new first
        choice's estimate, and raises when even that does not fit (`knollm.router.budget.ConfiguredBudgets`);
        and `release(route)`, called when the call ends without an answer, to drop the estimate it held."""

    def record(self, route: str, cost: Decimal | None) -> None:
        """The actual cost of a finished call (None: unknown)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """What a call may do: the route's settings, or the defaults for a model or family id."""

    name: str
    strategy: str = "ordered"
    max_attempts: int | None = None
    timeout_s: float | None = None
    deadline_s: float | None = None
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    max_price: Decimal | None = None
    stop_on: frozenset[int] = frozenset(DEFAULT_STOP_ON)


def policy_for(config: Config, requested: str, strategy: str | None = None) -> Policy:
    """The policy of `model=requested`: its route's settings when it names a route; `strategy` overrides."""
    if strategy is not None and strategy not in STRATEGIES:
        raise InvalidArgument(f"unknown strategy {strategy!r}; use one of: {', '.join(STRATEGIES)}")
    route = config.routes.get(requested)
    if route is None:
        return Policy(requested, strategy or "ordered")
    return Policy(requested, strategy or route.strategy, route.max_attempts, route.timeout_s, route.deadline_s,
                  route.weights.model_dump(), tuple(route.allow), tuple(route.deny), route.max_price_per_mtok,
                  frozenset(route.stop_on))


@dataclass(slots=True)
class Plan:
    """A call's decision and, for each option id, the candidate and key it stands for."""

    decision: Decision
    choices: dict[str, tuple[Candidate, Secret | None]]
    needs: Needs
    policy: Policy


def options_of(candidates: list[Candidate], config: Config | None = None,
               ) -> tuple[list[Option], dict[str, tuple[Candidate, Secret | None]]]:
    """One option per (candidate, key): `provider/model` for a single key, `provider/model [env:NAME]` else.
    A key's `rpm` (from `config`) is its weight for `shuffle`: load spreads in proportion to what keys allow."""
    options, choices = [], {}
    for candidate in candidates:
        keys: tuple[Secret | None, ...] = candidate.keys or (None,)
        for key in keys:
            alias = key.alias if key is not None else NO_KEY
            option_id = candidate.id if len(keys) == 1 else f"{candidate.id} [{alias}]"
            rpm = limits_of(config, candidate.target.provider, alias)[0] if config is not None else None
            options.append(Option(option_id, candidate.target.provider, alias, candidate.model, float(rpm or 1)))
            choices[option_id] = (candidate, key)
    return options, choices


class Router:
    """Plans and records calls. One per client; the health store and the limiters are process-wide (see
    `process_health`, `limiter_for`) unless a store is given."""

    def __init__(self, health: HealthStore | None = None, *, backoff: Backoff | None = None,
                 budget: BudgetGuard | None = None, scorer: Scorer | None = None) -> None:
        self.health = health
        self.backoff = backoff or Backoff()
        self.budget = budget
        self.scorer = scorer

    def store(self, config: Config) -> HealthStore:
        """The health store calls use: the one given, else the configured SQLite file, else the process's."""
        return self.health if self.health is not None else health_store(config.health.path)

    def plan(self, resolution: Resolution, needs: Needs, policy: Policy, store: HealthStore,
             config: Config | None = None) -> Plan:
        """The decision for a call; the budget guard may refuse it (raises) or change its strategy."""
        options, choices = options_of(resolution.candidates, config)
        decision = self._decide(options, needs, policy, store, policy.strategy)
        if self.budget is not None:
            estimate = decision.ranked[0].cost if decision.ranked else None
            replacement = self.budget.check(policy.name, estimate)
            if replacement is not None:  # downgrade: re-plan, then the new first choice must fit
                if replacement != policy.strategy:
                    decision = self._decide(options, needs, policy, store, replacement)
                confirm = getattr(self.budget, "confirm", None)
                if confirm is not None:
                    confirm(policy.name, decision.ranked[0].cost if decision.ranked else None)
        decision.excluded = {**resolution.reasons, **decision.excluded}
        return Plan(decision, choices, needs, policy)

    def explain(self, resolution: Resolution, needs: Needs, policy: Policy, store: HealthStore,
                config: Config | None = None) -> tuple[Plan, str | None]:
        """The plan a call would make, holding nothing against a budget (`knollm route`), and what the budget
        would do to it (None: nothing): with an exhausted `downgrade` budget, the downgraded plan."""
        options, choices = options_of(resolution.candidates, config)
        decision = self._decide(options, needs, policy, store, policy.strategy)
        note = None
        preview = getattr(self.budget, "preview", None)
        found = None if preview is None else preview(policy.name, _first_cost(decision))
        if preview is not None and found is not None and found[1].action == "downgrade":
            on_exceed, verdict = found
            short = f"budget of {verdict.scope!r}: {verdict.remaining_usd} USD left, the first choice does not fit"
            if on_exceed != "downgrade":
                note = f"{short}: the call would be refused (BudgetExceeded)"
            else:
                decision = self._decide(options, needs, policy, store, DOWNGRADE_STRATEGY)
                still = preview(policy.name, _first_cost(decision))
                note = f"{short}: downgraded to the {DOWNGRADE_STRATEGY} candidate" + (
                    "" if still is None or still[1].action == "ok" else
                    ", which does not fit either: the call would be refused (BudgetExceeded)")
        decision.excluded = {**resolution.reasons, **decision.excluded}
        return Plan(decision, choices, needs, policy), note

    def _decide(self, options: list[Option], needs: Needs, policy: Policy, store: HealthStore,
                strategy: str) -> Decision:
        learned = strategy == "adaptive" and self.scorer is not None
        decision = decide(options, needs, "ordered" if learned else strategy, health=store, weights=policy.weights,
                          allow=policy.allow, deny=policy.deny, max_price=policy.max_price, rng=SHARED_RNG)
        if learned and self.scorer is not None:
            decision.strategy = strategy
            self.scorer.order(decision)
        return decision


def _first_cost(decision: Decision) -> Decimal | None:
    return decision.ranked[0].cost if decision.ranked else None


# --- process-wide state ---------------------------------------------------------------------------------------

_lock = threading.Lock()
_process_health = HealthStore()
_sqlite_stores: dict[str, SqliteHealthStore] = {}
_limiters: dict[tuple[str, str], KeyLimiter] = {}


def process_health() -> HealthStore:
    """The in-memory health store shared by every client, thread and task of this process."""
    return _process_health


def health_store(path: str | None) -> HealthStore:
    """The store for `[health] path` (one SQLite store per file, per process), or the process's in-memory one."""
    if path is None:
        return _process_health
    with _lock:
        found = _sqlite_stores.get(path)
        if found is None:
            found = _sqlite_stores[path] = SqliteHealthStore(path)
        return found


def limits_of(config: Config, provider: str, alias: str) -> tuple[int | None, int | None]:
    """(rpm, tpm) of one key: its `key_limits` entry, else its provider's `rpm`/`tpm`."""
    settings = config.providers.get(provider)
    if settings is None:
        return None, None
    own = settings.key_limits.get(alias)
    rpm = own.rpm if own is not None and own.rpm is not None else settings.rpm
    tpm = own.tpm if own is not None and own.tpm is not None else settings.tpm
    return rpm, tpm


def limiter_for(config: Config, provider: str, alias: str) -> KeyLimiter | None:
    """The process-wide limiter of (provider, key) when it has limits; replaced when the limits change."""
    rpm, tpm = limits_of(config, provider, alias)
    if rpm is None and tpm is None:
        return None
    with _lock:
        found = _limiters.get((provider, alias))
        if found is None or (found.rpm, found.tpm) != (rpm, tpm):
            found = _limiters[(provider, alias)] = KeyLimiter(rpm, tpm)
        return found


def forget_process_state() -> None:
    """Forget in-memory health and limiters (tests; a long-lived process after its keys changed)."""
    global _process_health
    with _lock:
        _process_health = HealthStore()
        _sqlite_stores.clear()
        _limiters.clear()
    forget_process_scorer()  # what the adaptive strategy learnt is process state too
