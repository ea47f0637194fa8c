"""`knollm usage report` from hand-made records: grouping, trends, reliability, budgets, anomalies (the
documented rule, both sides of each threshold) and suggestions of cheaper offers from the catalog."""

from __future__ import annotations

import calendar
from decimal import Decimal
from pathlib import Path

import pytest

import knollm
from knollm.analytics import report
from knollm.analytics.stats import percentile, wilson_lower
from knollm.analytics.store import UsageStore
from knollm.config.model import Analytics
from knollm.errors import InvalidArgument
from usage_helpers import BUNDLE, record

NOW = float(calendar.timegm((2026, 11, 20, 12, 0, 0)))
DAY = 86_400.0


@pytest.fixture
def store(tmp_path: Path) -> UsageStore:
    return UsageStore(tmp_path / "usage.sqlite")


def test_parse_since() -> None:
    assert [report.parse_since(t) for t in ("30m", "12h", "7d", "2W")] == [1800, 43200, 604800, 1209600]
    for bad in ("", "7", "d", "-1d", "1y", "9999999d"):
        with pytest.raises(InvalidArgument):
            report.parse_since(bad)


def test_statistics() -> None:
    assert percentile([], 0.5) is None and percentile([3.0], 0.99) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert wilson_lower(0, 0) is None
    assert wilson_lower(3, 3) < wilson_lower(990, 1000) < 0.99  # a long record beats a few lucky calls


def test_grouping_totals_and_unknown_costs(store: UsageStore) -> None:
    store.insert([
        record(NOW - 100, provider="alpha", cost_usd="0.10", latency_s=1.0),
        record(NOW - 90, provider="alpha", cost_usd=None, latency_s=3.0),  # unknown: not counted as zero
        record(NOW - 80, provider="beta", model="beta/m", route="other", cost_usd="0.25", ttft_s=0.2),
        record(NOW - 70, provider="beta", model="beta/m", status="failed", error_class="Timeout", cost_usd=None),
        record(NOW - 30 * DAY, provider="old", cost_usd="9"),  # outside the window
    ])
    data = report.usage_report(store, since_s=7 * 86_400, by="provider", catalog=None, settings=None, now=NOW)
    totals = data["totals"]
    assert (totals["requests"], totals["failed"], totals["cost_usd"], totals["unknown_cost_requests"]) == \
        (4, 1, Decimal("0.35"), 1)
    assert [(g["provider"], g["requests"], g["cost_usd"]) for g in data["groups"]] == \
        [("beta", 2, Decimal("0.25")), ("alpha", 2, Decimal("0.10"))]
    assert data["groups"][1]["latency_p50_s"] == 2.0 and data["groups"][0]["ttft_p50_s"] == 0.2
    routes = report.usage_report(store, since_s=7 * 86_400, by="route", catalog=None, settings=None, now=NOW)
    assert {g["route"] for g in routes["groups"]} == {"chat", "other"}
    days = report.usage_report(store, since_s=60 * 86_400, by="day", catalog=None, settings=None, now=NOW)
    assert [g["day"] for g in days["groups"]] == ["2026-10-21", "2026-11-20"]
    assert [r["provider"] for r in data["reliability"]] == ["alpha", "beta"]
    assert data["reliability"][1]["common_error"] == "Timeout" and data["reliability"][1]["success_rate"] == 0.5
    assert data["budget"] == {"configured": False, "note": data["budget"]["note"]} and "budget" in \
        data["budget"]["note"]
    with pytest.raises(InvalidArgument):
        report.usage_report(store, since_s=60, by="colour", catalog=None, settings=None, now=NOW)


def test_budgets_warn_and_alert(store: UsageStore) -> None:
    store.insert([record(NOW - 3600, cost_usd="4.50"), record(NOW - 10 * DAY, cost_usd="20"),
                  record(NOW - 60 * DAY, cost_usd="100")])
    settings = Analytics(budget_per_day_usd=Decimal("5"), budget_per_month_usd=Decimal("20"))
    budget = report.usage_report(store, since_s=86_400, by="provider", catalog=None, settings=settings,
                                 now=NOW)["budget"]
    day, month = budget["budgets"]
    assert (day["period"], day["spent_usd"], day["status"]) == ("day", Decimal("4.50"), "warning")
    assert (month["spent_usd"], month["status"]) == (Decimal("24.50"), "over")
    relaxed = Analytics(budget_per_day_usd=Decimal("50"))
    (only,) = report.budget_status(store, relaxed, NOW)["budgets"]
    assert only["status"] == "ok" and only["used"] == Decimal("0.09")
    zero = report.budget_status(store, Analytics(budget_per_day_usd=Decimal("0")), NOW)
    assert zero["budgets"][0]["status"] == "over"


def _days(store: UsageStore, spend: list[str], errors: list[int], calls: int = 10) -> None:
    """One day per entry, the last one today: `calls` records, `errors[i]` of them failed, spending `spend[i]`."""
    records = []
    for back, (cost, failed) in enumerate(zip(reversed(spend), reversed(errors), strict=True)):
        ts = NOW - back * DAY
        per_call = str(Decimal(cost) / (calls - failed))
        records += [record(ts - i, cost_usd=per_call) for i in range(calls - failed)]
        records += [record(ts - 100 - i, status="failed", cost_usd=None, error_class="RateLimited")
                    for i in range(failed)]
    store.insert(records)


def test_a_spend_spike_is_an_anomaly(store: UsageStore) -> None:
    _days(store, ["1", "1.2", "0.8", "1", "3.5"], [0, 0, 0, 0, 0])
    (found,) = report.usage_report(store, since_s=86_400, by="day", catalog=None, settings=None,
                                   now=NOW)["anomalies"]
    assert (found["day"], found["metric"], found["value"], found["factor"]) == \
        ("2026-11-20", "spend_usd", Decimal("3.5"), 3.5)


def test_below_the_factor_or_without_history_is_no_anomaly(store: UsageStore, tmp_path: Path) -> None:
    _days(store, ["1", "1", "1", "2.9"], [0, 0, 0, 0])
    assert report.usage_report(store, since_s=86_400, by="day", catalog=None, settings=None,
                               now=NOW)["anomalies"] == []
    short = UsageStore(tmp_path / "short.sqlite")
    _days(short, ["1", "1", "50"], [0, 0, 0])  # two trailing days only: no baseline
    assert report.usage_report(short, since_s=86_400, by="day", catalog=None, settings=None,
                               now=NOW)["anomalies"] == []


def test_an_error_rate_jump_is_an_anomaly(store: UsageStore) -> None:
    _days(store, ["1", "1", "1", "1"], [0, 1, 0, 5])
    (found,) = report.usage_report(store, since_s=86_400, by="day", catalog=None, settings=None,
                                   now=NOW)["anomalies"]
    assert (found["metric"], found["value"], found["trailing_median"], found["factor"]) == \
        ("error_rate", 0.5, 0.0, None)


def test_suggestions_need_the_same_family_context_and_capabilities(store: UsageStore) -> None:
    catalog = knollm.Catalog.load(BUNDLE)
    store.insert([
        record(NOW - 60, provider="hostco", model="hostco/acme-small", prompt_tokens=1_000_000,
               completion_tokens=100_000, cost_usd="0.45"),
        record(NOW - 50, provider="hostco", model="hostco/llama-4-70b-turbo", cost_usd="0.0001"),
        record(NOW - 40, provider="acme", model="acme/acme-small", cost_usd="0.0001"),  # already the cheapest
        record(NOW - 30, provider="alpha", model="alpha/not-in-catalog"),
    ])
    found = report.usage_report(store, since_s=3600, by="model", catalog=catalog, settings=None,
                                now=NOW)["suggestions"]
    assert [s["model"] for s in found] == ["hostco/acme-small", "hostco/llama-4-70b-turbo"]
    acme = found[0]
    assert [c["model"] for c in acme["cheaper"]] == ["acme/acme-small"]
    assert acme["cheaper"][0]["cost_usd"] == Decimal("0.25") + Decimal("0.125") and acme["spent_usd"] == \
        Decimal("0.45")
    # the turbo (64k context, no declared capabilities) may move to either 128k offer
    assert [c["model"] for c in found[1]["cheaper"]] == ["routr/meta/llama-4-70b", "hostco/llama-4-70b-instruct"]


def test_instruct_model_is_not_offered_a_model_without_its_tools(store: UsageStore) -> None:
    catalog = knollm.Catalog.load(BUNDLE)
    used = catalog.get("hostco/llama-4-70b-instruct")
    assert used.capabilities.get("tools") is True
    offers = report._cheaper_offers(used, catalog)
    assert [o.id for o in offers] == ["routr/meta/llama-4-70b"]


def test_the_text_report_shows_anomalies_suggestions_and_budgets(store: UsageStore) -> None:
    import io

    from knollm.render import Output
    from knollm.usage_render import render_report

    _days(store, ["1", "1", "1", "1"], [0, 1, 0, 5])  # an error-rate jump today
    _days(store, ["0.1", "0.1", "0.1", "9"], [0, 0, 0, 0])  # and a spend spike
    store.insert([record(NOW - 60, provider="hostco", model="hostco/acme-small", cost_usd=None)])
    data = report.usage_report(store, since_s=86_400, by="model", catalog=knollm.Catalog.load(BUNDLE),
                               settings=Analytics(budget_per_month_usd=Decimal("1000")), now=NOW)
    for rich in (False, True):
        buffer = io.StringIO()
        render_report(data, Output(buffer, rich=rich))
        text = buffer.getvalue()
        assert "Anomalies" in text and "Suggestions" in text and "ALERT" not in text
        if not rich:  # rich folds long cells at its 80 columns
            assert "error_rate" in text and "spend_usd" in text and "acme/acme-small" in text
            assert "(+1 unknown)" in text


def test_a_busy_database_is_retried_and_other_errors_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setattr("knollm.analytics.store.time.sleep", lambda _: None)
    tries: list[int] = []

    def busy_twice() -> None:
        tries.append(1)
        if len(tries) < 3:
            raise sqlite3.OperationalError("database is locked")

    UsageStore._retry(busy_twice)
    assert len(tries) == 3

    def broken() -> None:
        raise sqlite3.OperationalError("no such table: usage")

    with pytest.raises(sqlite3.OperationalError):
        UsageStore._retry(broken)


def test_a_failed_insert_is_rolled_back(store: UsageStore) -> None:
    store.insert([record(1.0)])
    import sqlite3

    with pytest.raises((sqlite3.ProgrammingError, sqlite3.InterfaceError)):  # a value sqlite3 cannot bind
        store.insert([record(2.0), record(3.0, route=object())])
    assert [r.ts for r in store.records()] == [1.0]
