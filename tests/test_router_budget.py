"""Budgets: exact amounts, estimate held then actual cost, UTC day and month rollover on an injected clock,
refuse and downgrade, threads and two processes sharing one SQLite ledger."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from knollm.client.errors import BudgetExceeded, ClientError
from knollm.errors import KnollmError
from knollm.router.budget import HOLD_TTL_S, Budget, BudgetLedger, windows, within_budget


class Clock:
    def __init__(self, when: str = "2026-11-30T23:59:00") -> None:
        self.now = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now


D = Decimal


def test_refuse_raises_before_the_call_with_exact_amounts() -> None:
    ledger = BudgetLedger({"route:chat": Budget(daily_usd=D("1.00"))}, clock=Clock())
    first = ledger.check("route:chat", D("0.70"))
    assert first.action == "ok" and first.remaining_usd == D("1.00") and first.hold
    ledger.record("route:chat", D("0.65"), first)  # the actual cost replaces the estimate
    assert ledger.spent("route:chat") == (D("0.65"), D("0.65"))
    assert ledger.check("route:chat", D("0.35")).remaining_usd == D("0.35")  # held: 1.00 spent or held now
    with pytest.raises(BudgetExceeded) as caught:
        ledger.check("route:chat", D("0.01"))
    error = caught.value
    assert isinstance(error, ClientError) and isinstance(error, KnollmError)
    assert (error.scope, error.window, error.limit_usd, error.spent_usd) == ("route:chat", "daily", D("1.00"),
                                                                            D("1.00"))
    assert "0.01 USD" in str(error) and "downgrade" in str(error)


def test_an_unknown_estimate_never_fits() -> None:
    ledger = BudgetLedger({"p": Budget(monthly_usd=D("100"))}, clock=Clock())
    with pytest.raises(BudgetExceeded, match="cost is unknown") as caught:
        ledger.check("p", None)
    assert caught.value.window == "monthly" and caught.value.estimate_usd is None
    verdict = BudgetLedger({"p": Budget(daily_usd=D("1"), on_exceed="downgrade")}).check("p", None)
    assert verdict.action == "downgrade" and verdict.remaining_usd == D("1")


def test_scopes_without_a_budget_always_pass() -> None:
    ledger = BudgetLedger({"limited": Budget(daily_usd=D("0"))})
    assert ledger.check("free-for-all", D("1000")).action == "ok"
    assert ledger.check("free-for-all", None).remaining_usd is None
    assert BudgetLedger({"x": Budget()}).check("x", D("5")).action == "ok"


def test_downgrade_signals_the_money_left_and_the_cheapest_fit_is_chosen() -> None:
    ledger = BudgetLedger({"route:chat": Budget(daily_usd=D("0.10"), on_exceed="downgrade")}, clock=Clock())
    ledger.record("route:chat", D("0.07"))
    verdict = ledger.check("route:chat", D("0.05"))
    assert verdict.action == "downgrade" and verdict.remaining_usd == D("0.03") and verdict.hold is None
    costs = {"big": D("0.05"), "mid": D("0.02"), "small": D("0.01"), "unpriced": None}
    assert within_budget(list(costs), costs.get, verdict.remaining_usd) == ["small", "mid"]
    assert within_budget(list(costs), costs.get, None) == ["small", "mid", "big"]
    assert ledger.check("route:chat", D("0.01")).action == "ok"
    ledger.record("route:chat", D("0.03"))
    assert ledger.check("route:chat", D("0.01")).remaining_usd == D("0")  # spent out: nothing fits


def test_day_and_month_roll_over_at_midnight_utc() -> None:
    clock = Clock("2026-11-30T23:59:00")
    ledger = BudgetLedger({"r": Budget(daily_usd=D("1"), monthly_usd=D("1.5"))}, clock=clock)
    ledger.record("r", D("0.9"))
    with pytest.raises(BudgetExceeded, match="daily"):
        ledger.check("r", D("0.2"))
    clock.now += 120  # 00:01 on the 1st of December: a new day and a new month
    assert windows(clock.now) == ("2026-12-01", "2026-12")
    assert ledger.spent("r") == (D(0), D(0))
    ledger.record("r", D("0.9"))
    clock.now += 86_400  # the 2nd: the day is fresh, the month still holds 0.9
    with pytest.raises(BudgetExceeded, match="monthly") as caught:
        ledger.check("r", D("0.7"))
    assert caught.value.spent_usd == D("0.9")
    assert ledger.check("r", D("0.6")).action == "ok"


def test_a_hold_lapses_when_its_call_never_reports() -> None:
    clock = Clock()
    ledger = BudgetLedger({"r": Budget(daily_usd=D("1"))}, clock=clock)
    kept = ledger.check("r", D("0.4"))
    ledger.record("r", None, kept)  # unknown actual cost: the estimate stays counted
    ledger.check("r", D("0.6"))  # this one's process "crashes": never recorded
    assert ledger.spent("r")[0] == D("1.0")
    clock.now += HOLD_TTL_S + 1
    assert ledger.spent("r")[0] == D("0")


def test_budget_parse_takes_exact_strings_only() -> None:
    assert Budget.parse({"daily_usd": "5", "on_exceed": "downgrade"}) == Budget(D("5"), None, "downgrade")
    assert Budget.parse({"monthly_usd": "0.50"}).monthly_usd == D("0.50")
    for raw, problem in (({"daily_usd": 5.0}, "must be a string"), ({"daily_usd": "five"}, "not a number"),
                         ({"daily_usd": "-1"}, "at least 0"), ({"daily_usd": "NaN"}, "finite"),
                         ({"on_exceed": "panic"}, "on_exceed"), ({"weekly_usd": "1"}, "unknown budget field")):
        with pytest.raises(ValueError, match=problem):
            Budget.parse(raw)


@pytest.mark.parametrize("on_file", [False, True], ids=["memory", "sqlite"])
def test_threads_never_overspend(tmp_path: Path, on_file: bool) -> None:
    path = tmp_path / "budget.sqlite" if on_file else None
    ledger = BudgetLedger({"r": Budget(daily_usd=D("1.00"))}, path=path, clock=Clock())
    passed: list[int] = []

    def caller(n: int) -> None:
        for _ in range(10):
            try:
                verdict = ledger.check("r", D("0.05"))
            except BudgetExceeded:
                continue
            passed.append(n)
            ledger.record("r", D("0.05"), verdict)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 20 and ledger.spent("r") == (D("1.00"), D("1.00"))


CHILD = """
import sys
from decimal import Decimal
from knollm.client.errors import BudgetExceeded
from knollm.router.budget import Budget, BudgetLedger
ledger = BudgetLedger({"r": Budget(daily_usd=Decimal("1.00"))}, path=sys.argv[1], clock=lambda: 1_800_000_000.0)
passed = 0
for _ in range(40):
    try:
        verdict = ledger.check("r", Decimal("0.01"))
    except BudgetExceeded:
        continue
    passed += 1
    ledger.record("r", Decimal("0.01"), verdict)
print(passed)
"""


def test_two_processes_share_one_budget(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite"
    BudgetLedger(path=path)  # creates the file and its tables
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
                for _ in range(3)]
    passed = [int(child.communicate(timeout=120)[0]) for child in children]
    assert sum(passed) == 100  # 120 tries of 0.01 against 1.00: exactly 100 pass, whoever wins
    ledger = BudgetLedger({"r": Budget(daily_usd=D("1.00"))}, path=path, clock=lambda: 1_800_000_000.0)
    assert ledger.spent("r") == (D("1.00"), D("1.00"))
