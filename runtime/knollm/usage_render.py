"""The text form of `knollm usage report` (tables on a terminal, plain text in pipes); `--json` prints the data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .render import NONE, Output, money, number

if TYPE_CHECKING:
    from .multi.ab import ABReport
    from .multi.stats import Interval


def _seconds(value: float | None) -> str:
    return NONE if value is None else f"{value:.3f} s"


def _percent(value: float | None) -> str:
    return NONE if value is None else f"{100 * value:.1f}%"


def _score(value: float | None) -> str:
    return NONE if value is None else f"{value:.3f}"  # None: only abandoned streams, no success or failure


def _summary_row(label: str, row: dict[str, Any]) -> list[str]:
    cost = money(row["cost_usd"])
    if row["unknown_cost_requests"]:
        cost += f" (+{row['unknown_cost_requests']} unknown)"
    return [label, number(row["requests"]), _percent(row["error_rate"]), cost,
            number(row["prompt_tokens"] + row["completion_tokens"]), _seconds(row["latency_p50_s"]),
            _seconds(row["latency_p95_s"])]


COLUMNS = ["requests", "errors", "cost", "tokens", "latency p50", "latency p95"]


def render_report(report: dict[str, Any], out: Output) -> None:
    """Every section of the report, each one short; empty sections say why they are empty."""
    by = report["by"]
    out.line(f"Usage {report['since']} .. {report['until']} ({report['store']})")
    if not report["totals"]["requests"]:
        out.line("No calls recorded in this window.")
    out.table([by, *COLUMNS], [_summary_row(str(g[by]), g) for g in report["groups"]] +
              [_summary_row("total", report["totals"])], title=f"By {by}", right=[1, 2, 3, 4, 5, 6])
    if by != "day" and len(report["trend"]) > 1:
        out.table(["day", *COLUMNS], [_summary_row(d["day"], d) for d in report["trend"]], title="Trend",
                  right=[1, 2, 3, 4, 5, 6])
    out.table(["provider", "requests", "success", "score", "most common error"],
              [[r["provider"], number(r["requests"]), _percent(r["success_rate"]), _score(r["score"]),
                r["common_error"] or NONE] for r in report["reliability"]],
              title="Reliability", right=[1, 2, 3],
              caption="score: lower bound of the 95% Wilson interval of the success rate")
    _budget(report["budget"], out)
    _anomalies(report["anomalies"], out)
    _suggestions(report["suggestions"], out)


def _budget(budget: dict[str, Any], out: Output) -> None:
    if not budget["configured"]:
        out.line(f"Budget: {budget['note']}.")
        return
    rows = [[b["period"], money(b["limit_usd"]), money(b["spent_usd"]), _percent(float(b["used"])),
             b["status"].upper() if b["status"] != "ok" else "ok"] for b in budget["budgets"]]
    out.table(["period", "budget", "spent", "used", "status"], rows, title="Budget", right=[1, 2, 3],
              caption=f"warning from {_percent(float(budget['alert_at']))} of a budget, over from 100%")
    for b in budget["budgets"]:
        if b["status"] != "ok":
            out.line(f"ALERT: {b['period']} budget {b['status']}: {money(b['spent_usd'])} of "
                     f"{money(b['limit_usd'])}")


def _anomalies(found: list[dict[str, Any]], out: Output) -> None:
    if not found:
        out.line("Anomalies: none (a day is flagged at 3x the trailing 7-day median spend or error rate).")
        return
    rows = []
    for a in found:
        money_metric = a["metric"] == "spend_usd"
        value = money(a["value"]) if money_metric else _percent(a["value"])
        usual = f"${a['trailing_median']:.6g}" if money_metric else _percent(a["trailing_median"])
        rows.append([a["day"], a["metric"], value, usual, NONE if a["factor"] is None else f"{a['factor']}x"])
    out.table(["day", "metric", "value", "trailing median", "factor"], rows, title="Anomalies", right=[2, 3, 4])


def _suggestions(found: list[dict[str, Any]], out: Output) -> None:
    if not found:
        out.line("Suggestions: none (no cheaper offer of a used family meets its context and capabilities).")
        return
    rows = [[s["model"], c["model"], money(c["comparable_per_mtok"], "/M"), money(s["spent_usd"]),
             money(c["cost_usd"])] for s in found for c in s["cheaper"]]
    out.table(["used", "cheaper offer", "price (3:1)", "spent", "would have cost"], rows, title="Suggestions",
              right=[2, 3, 4], caption="same family, at least the same context window and declared capabilities")


def _interval(value: Interval[Any] | None, show: Any) -> str:
    return NONE if value is None else f"{show(value.estimate)} [{show(value.low)} .. {show(value.high)}]"


def render_ab(report: ABReport, out: Output) -> None:
    """`knollm usage report --ab NAME`: both arms with their confidence intervals, and the supported differences."""
    rows = []
    for arm in (report.a, report.b):
        cost = _interval(arm.cost, money) + (f" (+{arm.cost_unknown} unknown)" if arm.cost_unknown else "")
        rows.append([arm.arm, arm.route, number(arm.calls), _interval(arm.success_rate, _percent),
                     _interval(arm.latency_s, _seconds), cost])
    out.table(["arm", "route", "calls", "success", "latency", "cost per call"], rows,
              title=f"A/B test {report.name}", right=[2],
              caption=f"estimate [{100 * report.confidence:g}% interval]; latency and cost of successful calls")
    better = report.differences()
    out.line("Differences the data supports: " + (", ".join(f"{m}: {a}" for m, a in sorted(better.items()))
                                                  or "none yet"))
