"""`knollm usage dashboard`: one self-contained HTML page of the usage store, with inline SVG charts.

No script, no external resource (a Content-Security-Policy forbids both), so the page works offline and a
hostile name in the data can only ever be text: every string goes through `_text` (control characters made
visible, then HTML-escaped) before it reaches the page.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..money_format import format_money
from ..texthygiene import terminal_safe
from .report import grouped, summary
from .stats import latencies, percentile
from .store import UsageRecord

BAR_HEIGHT = 22
LABEL_WIDTH = 190
CHART_WIDTH = 560
PERCENTILES = ((0.5, "p50", "#4e79a7"), (0.9, "p90", "#f28e2b"), (0.99, "p99", "#e15759"))
CSP = "default-src 'none'; style-src 'unsafe-inline'"

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1d1d1f}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:8px;padding:8px 14px}
.card b{display:block;font-size:1.3em}svg{width:100%;height:auto;max-width:100%}
svg text{font:14px system-ui,sans-serif;fill:#1d1d1f}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.92em}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right}.legend span{margin-right:14px}.swatch{display:inline-block;width:10px;height:10px}
"""


def _text(value: object) -> str:
    """Any value as safe HTML text: control and bidi characters visible (`\\x1b`), markup escaped."""
    return html.escape(terminal_safe(str(value)), quote=True)


def _money(value: Decimal | None) -> str:
    return "-" if value is None else format_money(value)


def bar_chart(rows: Sequence[tuple[str, float, str]], *, colour: str = "#4e79a7") -> str:
    """Horizontal bars: (label, value, shown value) per row; the longest bar is the largest value."""
    if not rows:
        return "<p>No data in this window.</p>"
    top = max(value for _, value, _ in rows) or 1.0
    height = BAR_HEIGHT * len(rows) + 8
    room = CHART_WIDTH - LABEL_WIDTH - 110
    parts = [f'<svg viewBox="0 0 {CHART_WIDTH} {height}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * BAR_HEIGHT
        width = max(1.0, room * value / top) if value > 0 else 0.0
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{_text(_clip(label))}</text>'
                     f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" height="{BAR_HEIGHT - 6}" '
                     f'fill="{colour}"><title>{_text(label)}: {_text(shown)}</title></rect>'
                     f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">{_text(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def percentile_chart(by_provider: dict[str, list[float]]) -> str:
    """Latency p50/p90/p99 per provider, as three thin bars each."""
    if not by_provider:
        return "<p>No successful calls in this window.</p>"
    values = {p: [percentile(s, q) or 0.0 for q, _, _ in PERCENTILES] for p, s in sorted(by_provider.items())}
    top = max(max(v) for v in values.values()) or 1.0
    row = BAR_HEIGHT + 14
    room = CHART_WIDTH - LABEL_WIDTH - 175  # the three values are written after the longest bar
    parts = [f'<svg viewBox="0 0 {CHART_WIDTH} {row * len(values) + 8}" role="img" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, (provider, points) in enumerate(values.items()):
        y = 4 + i * row
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end">{_text(_clip(provider))}</text>')
        for j, ((_, name, colour), value) in enumerate(zip(PERCENTILES, points, strict=True)):
            width = max(1.0, room * value / top)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 2 + j * 10}" width="{width:.1f}" height="8" '
                         f'fill="{colour}"><title>{_text(provider)} {name}: {value:.3f} s</title></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + room * max(points) / top + 8:.1f}" y="{y + 18}">'
                     f'{points[0]:.3f} / {points[1]:.3f} / {points[2]:.3f} s</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i class="swatch" style="background:{c}"></i> {n}</span>' for _, n, c in PERCENTILES)
    return f'<p class="legend">{legend}</p>' + "".join(parts)


def _clip(label: str, most: int = 24) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def _table(rows: list[dict[str, Any]]) -> str:
    head = "<tr><th>model</th><th>requests</th><th>failed</th><th>cost (USD)</th><th>p50 latency</th></tr>"
    body = "".join(
        f"<tr><td>{_text(r['model'])}</td><td class=n>{r['requests']}</td><td class=n>{r['failed']}</td>"
        f"<td class=n>{_text(_money(r['cost_usd']))}</td>"
        f"<td class=n>{_text(_seconds(r['latency_p50_s']))}</td></tr>"
        for r in rows)
    return f'<div class="scroll"><table>{head}{body}</table></div>'


def dashboard_html(records: Sequence[UsageRecord], *, title: str, window: str) -> str:
    """The page for `records` (`window` describes the period, e.g. `last 7d`)."""
    totals = summary(records)
    by_provider: dict[str, list[UsageRecord]] = defaultdict(list)
    for record in records:
        by_provider[record.provider or "-"].append(record)
    days = grouped(records, "day")
    cards = [("requests", str(totals["requests"])), ("failed", str(totals["failed"])),
             ("cost (USD)", _money(totals["cost_usd"])), ("p50 latency", _seconds(totals["latency_p50_s"]))]
    if totals["unknown_cost_requests"]:
        cards.append(("unknown cost", f"{totals['unknown_cost_requests']} requests"))
    sections = [
        ("Cost per day (USD)", bar_chart([(d["day"], float(d["cost_usd"]), _money(d["cost_usd"])) for d in days])),
        ("Requests per provider", bar_chart(sorted(((p, float(len(m)), str(len(m))) for p, m in by_provider.items()),
                                                   key=lambda row: -row[1]))),
        ("Latency percentiles per provider", percentile_chart(
            {p: s for p, m in by_provider.items() if (s := latencies(m))})),
        ("Error rate per provider", bar_chart(
            [(p, sum(r.failed for r in m) / len(m), f"{100 * sum(r.failed for r in m) / len(m):.1f}%")
             for p, m in sorted(by_provider.items())], colour="#e15759")),
        ("Models", _table(grouped(records, "model"))),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_text(title)}</h1><p>{_text(window)}</p><div class=cards>"
        + "".join(f"<div class=card>{_text(k)}<b>{_text(v)}</b></div>" for k, v in cards) + "</div>"
        + "".join(f"<h2>{_text(h)}</h2>{body}" for h, body in sections) + "</body></html>\n"
    )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f} s"
