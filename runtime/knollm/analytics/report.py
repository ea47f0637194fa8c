"""`knollm usage report`: totals and trends, reliability, budgets, anomalies and suggestions, as JSON-ready data.

Rules (documented in the monitoring guide):
- Reliability score: the lower bound of the 95% Wilson interval of a provider's success rate, so a few lucky
  calls never outrank a long record.
- Anomaly: a UTC day of the window whose spend, or error rate, is more than `ANOMALY_FACTOR` times the median
  of the up to `TRAILING_DAYS` days with calls before it (at least `MIN_TRAILING_DAYS` of them). Spend needs a
  non-zero median; an error rate must also be at least `MIN_ERROR_RATE_JUMP` above the median, on a day with at
  least `MIN_DAY_REQUESTS` calls.
- Suggestion: a cheaper offer (the catalog's comparable price) of the same family with at least the context
  window and every capability the used model declares; its cost for the window's tokens is exact, or left out.
- Budgets: spend of the current UTC day and month against `[analytics] budget_per_day_usd` /
  `budget_per_month_usd`: `ok`, `warning` from `alert_at` of the budget, `over` from 100%.
"""

from __future__ import annotations

import calendar
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..comparable import comparable_price
from ..costs import estimate_cost
from ..errors import InvalidArgument, KnollmError
from .stats import day_of, known_cost, latencies, median, month_of, percentile, rounded, wilson_lower
from .store import UsageRecord, UsageStore

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config.model import Analytics
    from ..records import Model

GROUPINGS = ("provider", "model", "route", "day")
ANOMALY_FACTOR = 3.0
TRAILING_DAYS = 7
MIN_TRAILING_DAYS = 3
MIN_ERROR_RATE_JUMP = 0.1
MIN_DAY_REQUESTS = 10
DAY_S = 86_400
_SPAN = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$")
_UNITS = {"m": 60, "h": 3_600, "d": DAY_S, "w": 7 * DAY_S}


def parse_since(text: str) -> int:
    """`--since`: a span back from now, `30m`, `12h`, `7d`, `2w`, in seconds."""
    found = _SPAN.match(text.lower())
    if not found:
        raise InvalidArgument(f"not a time span: {text!r} (use e.g. 30m, 12h, 7d, 2w)")
    return int(found.group(1)) * _UNITS[found.group(2)]


def _key(record: UsageRecord, by: str) -> str:
    if by == "day":
        return day_of(record.ts)
    value = getattr(record, by)
    return "-" if value is None else str(value)


def summary(records: Sequence[UsageRecord]) -> dict[str, Any]:
    """Requests, failures, exact known cost, tokens and latency percentiles of some records."""
    cost, unknown = known_cost(records)
    failed = sum(r.failed for r in records)
    seconds = latencies(records)
    ttfts = [r.ttft_s for r in records if r.ok and r.ttft_s is not None]
    return {
        "requests": len(records), "failed": failed,
        "error_rate": rounded(failed / len(records)) if records else None,
        "cost_usd": cost, "unknown_cost_requests": unknown,
        "prompt_tokens": sum(r.prompt_tokens or 0 for r in records),
        "completion_tokens": sum(r.completion_tokens or 0 for r in records),
        "cache_hits": sum(r.cache_hit for r in records),
        "latency_p50_s": rounded(percentile(seconds, 0.5)), "latency_p95_s": rounded(percentile(seconds, 0.95)),
        "ttft_p50_s": rounded(median(ttfts)),
    }


def grouped(records: Sequence[UsageRecord], by: str) -> list[dict[str, Any]]:
    """One summary per group; days in order, other groups by cost then requests (largest first)."""
    groups: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in records:
        groups[_key(record, by)].append(record)
    rows = [{by: key, **summary(members)} for key, members in groups.items()]
    if by == "day":
        return sorted(rows, key=lambda row: row["day"])
    return sorted(rows, key=lambda row: (-row["cost_usd"], -row["requests"], row[by]))


def reliability(records: Sequence[UsageRecord]) -> list[dict[str, Any]]:
    """Per provider: calls, success rate, the Wilson score and the most common error; best score first."""
    by_provider: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in records:
        by_provider[record.provider or "-"].append(record)
    rows = []
    for provider, members in by_provider.items():
        ok = sum(r.ok for r in members)
        decided = ok + sum(r.failed for r in members)  # abandoned streams are neither
        errors: dict[str, int] = defaultdict(int)
        for r in members:
            if r.error_class:
                errors[r.error_class] += 1
        common = max(sorted(errors), key=lambda name: errors[name]) if errors else None
        rate = ok / decided if decided else None
        rows.append({"provider": provider, "requests": len(members), "success_rate": rounded(rate),
                     "score": rounded(wilson_lower(ok, decided)), "common_error": common})
    return sorted(rows, key=lambda row: (-(row["score"] or 0.0), row["provider"]))


def anomalies(records: Sequence[UsageRecord], since: float) -> list[dict[str, Any]]:
    """Days at or after `since` whose spend or error rate is far above the trailing median (see the module)."""
    days: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in records:
        days[day_of(record.ts)].append(record)
    ordered = sorted(days)
    found = []
    for index, day in enumerate(ordered):
        if day < day_of(since):
            continue
        trailing = [d for d in ordered[:index] if _days_between(d, day) <= TRAILING_DAYS][-TRAILING_DAYS:]
        if len(trailing) < MIN_TRAILING_DAYS:
            continue
        found += _day_anomalies(day, days[day], [days[d] for d in trailing])
    return found


def _day_anomalies(day: str, today: list[UsageRecord], before: list[list[UsageRecord]]) -> list[dict[str, Any]]:
    found = []
    spend, usual_spend = known_cost(today)[0], median([float(known_cost(d)[0]) for d in before]) or 0.0
    if usual_spend > 0 and float(spend) > ANOMALY_FACTOR * usual_spend:
        found.append({"day": day, "metric": "spend_usd", "value": spend, "trailing_median": usual_spend,
                      "factor": round(float(spend) / usual_spend, 1)})
    rate = sum(r.failed for r in today) / len(today)
    usual_rate = median([sum(r.failed for r in d) / len(d) for d in before]) or 0.0
    if len(today) >= MIN_DAY_REQUESTS and rate > ANOMALY_FACTOR * usual_rate and rate - usual_rate >= \
            MIN_ERROR_RATE_JUMP:
        found.append({"day": day, "metric": "error_rate", "value": round(rate, 4),
                      "trailing_median": round(usual_rate, 4),
                      "factor": round(rate / usual_rate, 1) if usual_rate else None})
    return found


def _days_between(first: str, second: str) -> int:
    return round((_utc_day(second) - _utc_day(first)) / DAY_S)


def _utc_day(day: str) -> int:
    return calendar.timegm(time.strptime(day, "%Y-%m-%d"))


def budget_status(store: UsageStore, settings: Analytics | None, now: float) -> dict[str, Any]:
    """Spend of this UTC day and month against the configured budgets (`configured: false` when none)."""
    if settings is None or (settings.budget_per_day_usd is None and settings.budget_per_month_usd is None):
        return {"configured": False,
                "note": "no budget configured: set budget_per_day_usd or budget_per_month_usd in [analytics]"}
    month_start = calendar.timegm(time.strptime(month_of(now), "%Y-%m"))
    records = store.records(since=min(month_start, now - DAY_S))
    out: dict[str, Any] = {"configured": True, "alert_at": settings.alert_at, "budgets": []}
    for period, limit, bucket in (("day", settings.budget_per_day_usd, day_of),
                                  ("month", settings.budget_per_month_usd, month_of)):
        if limit is None:
            continue
        spent, unknown = known_cost([r for r in records if bucket(r.ts) == bucket(now)])
        fraction = spent / limit if limit else Decimal(1 if spent else 0)
        status = "over" if fraction >= 1 else "warning" if fraction >= settings.alert_at else "ok"
        out["budgets"].append({"period": period, "limit_usd": limit, "spent_usd": spent,
                               "used": round(fraction, 4), "status": status, "unknown_cost_requests": unknown})
    return out


def suggestions(records: Sequence[UsageRecord], catalog: Catalog, limit: int = 3) -> list[dict[str, Any]]:
    """Cheaper offers of the same family that meet the used model's context and capabilities (see the module)."""
    by_model: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in records:
        if record.ok and record.model:
            by_model[record.model].append(record)
    found = []
    for model_id, members in sorted(by_model.items()):
        try:
            used = catalog.get(model_id)
        except KnollmError:
            continue  # a model of the configuration only: no family to compare with
        cheaper = _cheaper_offers(used, catalog)[:limit]
        if not cheaper:
            continue
        prompt = sum(r.prompt_tokens or 0 for r in members)
        completion = sum(r.completion_tokens or 0 for r in members)
        spent, unknown = known_cost(members)
        found.append({"model": model_id, "family": used.family, "requests": len(members),
                      "spent_usd": None if unknown else spent,
                      "cheaper": [_offer(o, prompt, completion) for o in cheaper]})
    return found


def _price(model: Model) -> Decimal | None:
    return comparable_price(model.input_price, model.output_price, model.kind)


def _cheaper_offers(used: Model, catalog: Catalog) -> list[Model]:
    own = _price(used)
    if used.family is None or own is None:
        return []
    needs = [name for name, declared in used.capabilities.items() if declared]
    out = []
    for offer in catalog.offers(used.family):
        price = _price(offer)
        if offer.id == used.id or price is None or price >= own:
            continue
        if used.context_window and (offer.context_window or 0) < used.context_window:
            continue
        if all(offer.capabilities.get(name) is True for name in needs):
            out.append(offer)
    return out


def _offer(model: Model, prompt: int, completion: int) -> dict[str, Any]:
    try:
        cost: Decimal | None = estimate_cost(model, prompt, completion).total
    except KnollmError:
        cost = None
    return {"model": model.id, "comparable_per_mtok": _price(model), "context_window": model.context_window,
            "cost_usd": cost}


def usage_report(store: UsageStore, *, since_s: int, by: str, catalog: Catalog | None,
                 settings: Analytics | None, now: float | None = None) -> dict[str, Any]:
    """The whole report of the last `since_s` seconds, grouped `by` (one of `GROUPINGS`)."""
    if by not in GROUPINGS:
        raise InvalidArgument(f"unknown grouping {by!r}; use one of: {', '.join(GROUPINGS)}")
    now = time.time() if now is None else now
    since = now - since_s
    history = store.records(since=since - TRAILING_DAYS * DAY_S, until=now + 1)
    window = [r for r in history if r.ts >= since]
    return {
        "store": str(store.path), "since": _iso(since), "until": _iso(now), "by": by,
        "totals": summary(window), "groups": grouped(window, by), "trend": grouped(window, "day"),
        "reliability": reliability(window), "budget": budget_status(store, settings, now),
        "anomalies": anomalies(history, since),
        "suggestions": suggestions(window, catalog) if catalog is not None else [],
    }


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
