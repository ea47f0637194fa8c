"""Budgets per route or profile, per UTC day and month, kept from estimated then actual cost (exact `Decimal`).

Before a call the router asks `BudgetLedger.check(scope, estimate)`. The estimate is compared with what the
current UTC day and month have spent plus the estimates still *held* by calls in flight (so 50 concurrent calls
cannot all pass on the same remaining dollar). When it fits, the estimate is held and `check` returns an `ok`
`Verdict`; after the call `record(scope, cost, verdict)` replaces the hold by the actual cost. When it does not
fit, the budget's `on_exceed` decides: `refuse` raises `BudgetExceeded` before any call is made; `downgrade`
returns a `downgrade` verdict with the money left, and the router retries the check with the cheapest candidate
that fits (`within_budget`). An unknown estimate (a price is missing) is never taken as zero: it does not fit.

Windows are UTC calendar days (`2026-11-30`) and months (`2026-11`), from an injectable wall clock, so spending
rolls over at midnight UTC. Holds a crashed process never settled lapse after `HOLD_TTL_S`. The ledger lives in
SQLite: in memory by default (one process, all its threads), or in a file (`path=`) in WAL mode, shared by every
process that opens it; each check-and-hold is one `BEGIN IMMEDIATE` transaction, so it is atomic across processes.

`ConfiguredBudgets` is the client's budget guard (`knollm.router.route.BudgetGuard`): it reads each route's
`budget = {...}` from the configuration in force, scopes it by profile (`production/chat`; `chat` without a
profile), and keeps its ledger in the `[health] path` file when one is set (shared by processes, like health),
else in memory. The estimate a call holds is settled by the call's actual cost when it answers (in the same thread
or task), and released when the call ends without an answer (`release`, from the run's final error); a stream
interrupted after its first token keeps it (text was delivered: the provider may bill it), as does a crashed
process's call, until `HOLD_TTL_S` has passed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from ..client.errors import BudgetExceeded

if TYPE_CHECKING:
    from ..config.model import Config

OnExceed = Literal["refuse", "downgrade"]
ON_EXCEED: tuple[OnExceed, ...] = ("refuse", "downgrade")
HOLD_TTL_S = 900.0
"""Seconds after which an estimate held by a call that never reported (a crashed process) stops counting."""

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS spend (scope TEXT, period TEXT, usd TEXT, PRIMARY KEY (scope, period))",
    "CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, scope TEXT, day TEXT, month TEXT, usd TEXT, at REAL)",
)


@dataclass(frozen=True, slots=True)
class Budget:
    """A spending limit in USD per UTC day and/or month (None: no limit in that window)."""

    daily_usd: Decimal | None = None
    monthly_usd: Decimal | None = None
    on_exceed: OnExceed = "refuse"

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> Budget:
        """A budget from configuration (`{daily_usd = "5", on_exceed = "downgrade"}`); amounts must be strings."""
        unknown = set(raw) - {"daily_usd", "monthly_usd", "on_exceed"}
        if unknown:
            raise ValueError(f"unknown budget field(s): {', '.join(sorted(unknown))}")
        on_exceed = raw.get("on_exceed", "refuse")
        if on_exceed not in ON_EXCEED:
            raise ValueError(f"budget on_exceed must be one of {', '.join(ON_EXCEED)}, not {on_exceed!r}")
        return cls(_usd(raw.get("daily_usd"), "daily_usd"), _usd(raw.get("monthly_usd"), "monthly_usd"),
                   "downgrade" if on_exceed == "downgrade" else "refuse")


def _usd(value: object, name: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):  # a TOML float would already have lost the exact amount
        raise ValueError(f"budget {name} must be a string like \"5\" or \"0.50\", not {value!r}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"budget {name} is not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"budget {name} must be a finite amount of at least 0, not {value!r}")
    return amount


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of `check`: `ok` (the estimate is held as `hold`) or `downgrade` (only `remaining_usd` fits)."""

    action: Literal["ok", "downgrade"]
    scope: str
    remaining_usd: Decimal | None
    """The least money left over the limited windows before this call (None: no limit)."""
    hold: str | None = None


class BudgetLedger:
    """Spending per scope and UTC window against `budgets`; in memory, or in the SQLite file `path` (WAL)."""

    def __init__(self, budgets: Mapping[str, Budget] | None = None, path: str | Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.budgets = dict(budgets or {})
        self.clock = clock
        self.path = None if path is None else str(path)
        self._lock = threading.Lock()
        self._memory = None if path is not None else sqlite3.connect(":memory:", check_same_thread=False,
                                                                      isolation_level=None)
        with self._transaction() as db:
            for statement in SCHEMA:
                db.execute(statement)
        if self.path is not None:
            with closing(self._connect()) as db:
                db.execute("PRAGMA journal_mode=WAL")

    def check(self, scope: str, estimate: Decimal | None) -> Verdict:
        """Whether a call estimated at `estimate` USD may go; raises `BudgetExceeded` when it may not (refuse)."""
        return self.check_with(scope, self.budgets.get(scope), estimate)

    def check_with(self, scope: str, budget: Budget | None, estimate: Decimal | None, *, hold: bool = True,
                   ) -> Verdict:
        """`check` against `budget` rather than the ledger's own budget of `scope`; `hold=False` only looks
        (`knollm route`): an `ok` verdict then holds nothing."""
        if budget is None or (budget.daily_usd is None and budget.monthly_usd is None):
            return Verdict("ok", scope, None)
        now = self.clock()
        day, month = windows(now)
        with self._transaction() as db:
            db.execute("DELETE FROM holds WHERE at < ?", (now - HOLD_TTL_S,))
            spent = {"day": _spent(db, scope, day, "day"), "month": _spent(db, scope, month, "month")}
            limits = {"day": budget.daily_usd, "month": budget.monthly_usd}
            left = {w: limit - spent[w] for w, limit in limits.items() if limit is not None}
            tightest = min(left, key=lambda w: left[w])
            if estimate is not None and estimate <= left[tightest]:
                if not hold:
                    return Verdict("ok", scope, left[tightest])
                held = uuid.uuid4().hex
                db.execute("INSERT INTO holds VALUES (?, ?, ?, ?, ?, ?)", (held, scope, day, month, str(estimate), now))
                return Verdict("ok", scope, left[tightest], held)
        if budget.on_exceed == "downgrade":
            return Verdict("downgrade", scope, max(Decimal(0), left[tightest]))
        window = "daily" if tightest == "day" else "monthly"
        raise BudgetExceeded(scope, window, limits[tightest] or Decimal(0), spent[tightest], estimate)

    def record(self, scope: str, cost: Decimal | None, verdict: Verdict | None = None) -> None:
        """The actual `cost` of a call (None: unknown, the estimate held stays counted) replaces its hold."""
        now = self.clock()
        day, month = windows(now)
        with self._transaction() as db:
            if cost is None:
                if verdict is not None and verdict.hold is not None:  # keep the estimate: unknown is not zero
                    db.execute("UPDATE holds SET at = ? WHERE id = ?", (now, verdict.hold))
                return
            if verdict is not None and verdict.hold is not None:
                db.execute("DELETE FROM holds WHERE id = ?", (verdict.hold,))
            for window in (day, month):
                row = db.execute("SELECT usd FROM spend WHERE scope = ? AND period = ?", (scope, window)).fetchone()
                total = (Decimal(row[0]) if row else Decimal(0)) + cost
                db.execute("INSERT OR REPLACE INTO spend VALUES (?, ?, ?)", (scope, window, str(total)))

    def release(self, verdict: Verdict | None) -> None:
        """Drop the estimate `verdict` holds: its call ended without an answer, so it spent nothing to count."""
        if verdict is None or verdict.hold is None:
            return
        with self._transaction() as db:
            db.execute("DELETE FROM holds WHERE id = ?", (verdict.hold,))

    def spent(self, scope: str) -> tuple[Decimal, Decimal]:
        """What `scope` has spent (actual costs plus live holds) in the current UTC day and month."""
        now = self.clock()
        day, month = windows(now)
        with self._transaction() as db:
            db.execute("DELETE FROM holds WHERE at < ?", (now - HOLD_TTL_S,))
            return _spent(db, scope, day, "day"), _spent(db, scope, month, "month")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), timeout=30, isolation_level=None)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._memory is not None:
                yield from _immediate(self._memory)
                return
            with closing(self._connect()) as db:
                yield from _immediate(db)


def _immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def windows(now: float) -> tuple[str, str]:
    """The UTC day (`2026-11-30`) and month (`2026-11`) of the epoch time `now`."""
    moment = datetime.fromtimestamp(now, UTC)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%Y-%m")


def _spent(db: sqlite3.Connection, scope: str, window: str, column: Literal["day", "month"]) -> Decimal:
    row = db.execute("SELECT usd FROM spend WHERE scope = ? AND period = ?", (scope, window)).fetchone()
    held = db.execute(f"SELECT usd FROM holds WHERE scope = ? AND {column} = ?", (scope, window)).fetchall()
    return (Decimal(row[0]) if row else Decimal(0)) + sum((Decimal(h[0]) for h in held), Decimal(0))


Candidate = TypeVar("Candidate")


def within_budget(candidates: Sequence[Candidate], cost: Callable[[Candidate], Decimal | None],
                  remaining_usd: Decimal | None) -> list[Candidate]:
    """The candidates whose known cost fits `remaining_usd`, cheapest first (a `downgrade` verdict's choice);
    a candidate of unknown cost never fits."""
    fitting = [c for c in candidates if (v := cost(c)) is not None and (remaining_usd is None or v <= remaining_usd)]
    return sorted(fitting, key=lambda c: cost(c) or Decimal(0))


DOWNGRADE_STRATEGY = "cheapest"
"""The strategy a `downgrade` verdict switches a call to: its first candidate is the cheapest that may fit."""
_held: ContextVar[dict[str, Verdict] | None] = ContextVar("knollm_budget_holds", default=None)


class ConfiguredBudgets:
    """The client's budget guard: the budgets of the configuration in force (`config()`), one ledger per file."""

    def __init__(self, config: Callable[[], Config], clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._ledgers: dict[str | None, BudgetLedger] = {}

    def check(self, route: str, estimate: Decimal | None) -> str | None:
        """None to go ahead (the estimate is held), `DOWNGRADE_STRATEGY` to re-plan the call with the cheapest
        candidate first; raises `BudgetExceeded` to refuse."""
        return self._check(route, estimate, final=False)

    def confirm(self, route: str, estimate: Decimal | None) -> None:
        """After a downgrade: hold the new first choice's estimate, or raise `BudgetExceeded` when even it does
        not fit."""
        self._check(route, estimate, final=True)

    def _check(self, route: str, estimate: Decimal | None, *, final: bool) -> str | None:
        found = self._budget(route)
        if found is None:
            return None
        scope, budget, ledger = found
        if final:
            budget = Budget(budget.daily_usd, budget.monthly_usd, "refuse")
        verdict = ledger.check_with(scope, budget, estimate)
        if verdict.action == "downgrade":
            return DOWNGRADE_STRATEGY
        holds = dict(_held.get() or {})
        holds[scope] = verdict
        _held.set(holds)
        return None

    def preview(self, route: str, estimate: Decimal | None) -> tuple[OnExceed, Verdict] | None:
        """What `check` would say, holding nothing (`knollm route`): the budget's `on_exceed` and an `ok` or a
        `downgrade` verdict (one that does not fit shows as `downgrade` whatever `on_exceed`); None without a
        budget."""
        found = self._budget(route)
        if found is None:
            return None
        scope, budget, ledger = found
        looking = Budget(budget.daily_usd, budget.monthly_usd, "downgrade")
        return budget.on_exceed, ledger.check_with(scope, looking, estimate, hold=False)

    def record(self, route: str, cost: Decimal | None) -> None:
        """The actual cost of a call that answered replaces the estimate it held."""
        found = self._budget(route)
        if found is None:
            return
        scope, _, ledger = found
        holds = dict(_held.get() or {})
        verdict = holds.pop(scope, None)
        _held.set(holds)
        ledger.record(scope, cost, verdict)

    def release(self, route: str) -> None:
        """The call ended without an answer (every candidate failed, or it was stopped): drop its held estimate
        now rather than after `HOLD_TTL_S`."""
        found = self._budget(route)
        if found is None:
            return
        scope, _, ledger = found
        holds = dict(_held.get() or {})
        verdict = holds.pop(scope, None)
        _held.set(holds)
        ledger.release(verdict)

    def _budget(self, route: str) -> tuple[str, Budget, BudgetLedger] | None:
        config = self._config()
        settings = config.routes.get(route)
        limits = settings.budget if settings is not None else None
        if limits is None:
            return None
        scope = f"{config.profile}/{route}" if config.profile else route
        budget = Budget(limits.daily_usd, limits.monthly_usd, limits.on_exceed)
        path = config.health.path
        with self._lock:
            ledger = self._ledgers.get(path)
            if ledger is None:
                ledger = self._ledgers[path] = BudgetLedger(path=path, clock=self._clock)
        return scope, budget, ledger
