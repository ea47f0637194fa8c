"""What changed, how fresh: the "What changed" page, its Atom feed, the price-history chart of family pages, and
the age of each source (home and provider pages).

The changes come from `history.jsonl` beside the bundle (`knollm.history`); a bundle without one has an empty
page and feed, and family pages without a chart. Everything is computed from the bundle and the history only,
so two builds of the same inputs give the same bytes (the feed's `updated` is the newest change's date).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

import knollm
from knollm.history import Change, history_path, load_changes

FEED_PATH = "models/changes.xml"
"""Where the Atom feed is published (beside the "What changed" page)."""
PAGE_PATH = "models/changes.md"
FEED_ENTRIES = 100
"""Most entries in the feed (one per day and provider, newest first)."""
ENTRY_LINES = 100
"""Most changes listed in one feed entry (the page and the history file have them all)."""
PAGE_ROWS = 2000
"""Most rows on the page (newest first); the history file holds them all."""
CHART_SERIES = 8
"""Most lines drawn in one price chart (the offers with the most price changes; input and output of an offer are
two lines, kept together)."""
CHART_FIELDS = ("input_per_mtok", "output_per_mtok")
"""The charted prices, in legend order: input as solid lines, output as dashed lines of the offer's colour."""
CHART_FIELD = CHART_FIELDS[0]
CHART_DASH = {"input_per_mtok": "", "output_per_mtok": "6 4"}
CHART_WORD = {"input_per_mtok": "input", "output_per_mtok": "output"}
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
COLOURS = ("#3f51b5", "#009688", "#e91e63", "#ff9800", "#795548", "#607d8b", "#9c27b0", "#4caf50")


def site_changes(catalog: knollm.Catalog) -> list[Change]:
    """The catalog's recorded changes, newest first (stable within a day)."""
    changes = load_changes(history_path(catalog.path))
    return sorted(changes, key=lambda c: c.date, reverse=True)


def change_type(change: Change) -> str:
    """The page's coarse type of a change, one of `CHANGE_TYPES`: `model_added` and `provider_added` are both
    "added" (the change column still says which)."""
    return change.kind.rsplit("_", 1)[-1]


CHANGE_TYPES = ("added", "removed", "price", "context", "capability")


def page_rows(changes: Sequence[Change]) -> list[Change]:
    return list(changes[:PAGE_ROWS])


# -- Atom feed ---------------------------------------------------------------------------------------------------


def _xml_text(value: object) -> str:
    return XML_UNSAFE.sub("\ufffd", str(value))


def atom_feed(changes: Sequence[Change], site_url: str) -> bytes:
    """An Atom 1.0 feed: one entry per (day, provider), newest first, with the changes as escaped text."""
    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)
    feed = ET.Element(f"{{{atom}}}feed")
    page = site_url.rstrip("/") + "/" + PAGE_PATH.removesuffix(".md") + "/"

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{atom}}}{tag}", attributes)
        if text is not None:
            node.text = _xml_text(text)
        return node

    add(feed, "title", "Knollm: what changed in the catalog")
    add(feed, "id", page)
    add(feed, "link", href=page)
    add(feed, "updated", _stamp(changes[0].date if changes else "1970-01-01"))
    add(add(feed, "author"), "name", "Knollm")
    groups: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        groups.setdefault((change.date, change.provider or "catalog"), []).append(change)
    for (date, provider), items in list(groups.items())[:FEED_ENTRIES]:
        entry = add(feed, "entry")
        add(entry, "title", f"{date} {provider}: {len(items)} change(s)")
        add(entry, "id", f"{page}#{date}-{provider}")
        add(entry, "link", href=page)
        add(entry, "updated", _stamp(date))
        lines = [f"{c.model or c.provider or ''}: {c.describe()}" for c in items[:ENTRY_LINES]]
        if len(items) > ENTRY_LINES:
            lines.append(f"... and {len(items) - ENTRY_LINES} more on the What changed page")
        add(entry, "content", "\n".join(lines), type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def _stamp(day: str) -> str:
    try:
        return dt.date.fromisoformat(day).isoformat() + "T00:00:00Z"
    except ValueError:
        return "1970-01-01T00:00:00Z"


# -- price-history chart -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    model: str
    points: tuple[tuple[str, Decimal], ...]
    """(day, price) in day order: the price before each change at its day, then after it."""
    field: str = CHART_FIELD
    """Which price the line is (one of `CHART_FIELDS`)."""


def price_index(changes: Sequence[Change]) -> dict[str, list[Change]]:
    """The charted price changes by model id (built once per site, not once per family page)."""
    by_model: dict[str, list[Change]] = {}
    for change in changes:
        if change.kind == "price" and change.field in CHART_FIELDS and change.model:
            by_model.setdefault(change.model, []).append(change)
    return by_model


def price_series(offers: Sequence[knollm.Model], by_model: dict[str, list[Change]]) -> list[Series]:
    """For each offer with recorded input or output price changes: one line per price, its value before and after
    each change in day order. The offers with the most points come first; an offer's lines stay together."""
    offers_lines: list[list[Series]] = []
    for model in offers:
        lines = [line for field in CHART_FIELDS if (line := _line(model.id, field, by_model.get(model.id, [])))]
        if lines:
            offers_lines.append(lines)
    offers_lines.sort(key=lambda lines: (-sum(len(line.points) for line in lines), lines[0].model))
    found: list[Series] = []
    for lines in offers_lines:
        if len(found) + len(lines) > CHART_SERIES:
            break
        found.extend(lines)
    return found


def _line(model_id: str, field: str, changes: Sequence[Change]) -> Series | None:
    points: list[tuple[str, Decimal]] = []
    for step in sorted((c for c in changes if c.field == field), key=lambda c: c.date):
        if isinstance(step.old, Decimal):
            points.append((step.date, step.old))
        if isinstance(step.new, Decimal):
            points.append((step.date, step.new))
    return Series(model_id, tuple(points), field) if points else None


def price_chart(series: Sequence[Series], width: int = 640, height: int = 220) -> Markup:
    """An inline SVG step chart of input (solid) and output (dashed) prices over time (no script, no external file),
    with a key, an accessible title and description, and a legend listing every point; empty markup when there
    is nothing to draw. Every text from the data is escaped; the same series give the same bytes."""
    if not series:
        return Markup("")
    days = sorted({day for s in series for day, _ in s.points})
    prices = [price for s in series for _, price in s.points]
    low, high = min(prices), max(prices)
    # Each line holds its old price from the left edge and its newest price to the right edge (a step chart), so
    # margins of a tenth of the span (at least a day) keep a one-day history readable.
    margin = max(1, (_day(days[-1]) - _day(days[0])).days // 10)
    first = _day(days[0]) - dt.timedelta(days=margin)
    span_days = (_day(days[-1]) - first).days + margin
    span_price = (high - low) or Decimal(1)
    pad = 40

    def x(day: str) -> float:
        return pad + (width - 2 * pad) * (_day(day) - first).days / span_days

    def y(price: Decimal) -> float:
        return float(height - pad - (height - 2 * pad) * (price - low) / span_price)

    offers = list(dict.fromkeys(line.model for line in series))
    drawn = sorted({line.field for line in series}, key=CHART_FIELDS.index)
    description = (f"Step chart of the {' and '.join(CHART_WORD[f] for f in drawn)} prices of {len(offers)} "
                   f"offer(s) from {days[0]} to {days[-1]}, between ${_plain(low)} and ${_plain(high)}; "
                   "input prices are solid lines, output prices dashed lines; every point is listed below.")
    parts = [f'<svg class="knollm-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="knollm-chart-title knollm-chart-desc">'
             '<title id="knollm-chart-title">Input and output prices per million tokens over time</title>'
             f'<desc id="knollm-chart-desc">{escape(description)}</desc>',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="currentColor"/>',
             f'<text x="{pad}" y="{height - 12}" font-size="11" fill="currentColor">{escape(days[0])}</text>',
             f'<text x="{width - pad}" y="{height - 12}" font-size="11" text-anchor="end" '
             f'fill="currentColor">{escape(days[-1])}</text>',
             f'<text x="4" y="{pad - 8}" font-size="11" fill="currentColor">${escape(_plain(high))}</text>',
             f'<text x="4" y="{height - pad + 4}" font-size="11" fill="currentColor">${escape(_plain(low))}</text>',
             _chart_key(width, drawn)]
    legend = []
    for line in series:
        colour = COLOURS[offers.index(line.model) % len(COLOURS)]
        steps = [(pad, y(line.points[0][1]))] + [(x(day), y(price)) for day, price in line.points]
        steps.append((width - pad, steps[-1][1]))
        coords = " ".join(f"{sx:.1f},{sy:.1f}" for sx, sy in steps)
        dash = f' stroke-dasharray="{CHART_DASH[line.field]}"' if CHART_DASH[line.field] else ""
        word = CHART_WORD[line.field]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{coords}">'
                     f"<title>{escape(line.model)} {word}</title></polyline>")
        marker = "■" if not dash else "□"
        legend.append(f'<li><span style="color:{colour}">{marker}</span> <code>{escape(line.model)}</code> {word}: '
                      + ", ".join(f"{escape(day)} ${escape(_plain(price))}" for day, price in line.points) + "</li>")
    parts.append("</svg>")
    return Markup("".join(parts) + '\n<ul class="knollm-chart-legend">' + "".join(legend) + "</ul>")


def _chart_key(width: int, drawn: Sequence[str]) -> str:
    """The line styles' key in the chart's top right corner: a short solid or dashed stroke and its price's name."""
    key = []
    for row, field in enumerate(drawn):
        top = 14 + 14 * row
        dash = f' stroke-dasharray="{CHART_DASH[field]}"' if CHART_DASH[field] else ""
        key.append(f'<line x1="{width - 110}" y1="{top}" x2="{width - 84}" y2="{top}" stroke="currentColor" '
                   f'stroke-width="2"{dash}/><text x="{width - 78}" y="{top + 4}" font-size="11" '
                   f'fill="currentColor">{CHART_WORD[field]} $/Mtok</text>')
    return "".join(key)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date(1970, 1, 1)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# -- freshness ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    file: str
    day: str
    age_days: int | None
    """Days between the source's date and the bundle's data date."""


def source_freshness(catalog: knollm.Catalog) -> list[Freshness]:
    """Every dated source, newest first, with its age at the data date."""
    anchor = catalog.data_date
    rows = []
    for file, day in catalog.source_dates.items():
        age = (_day(anchor) - _day(day)).days if anchor and len(day) == 10 else None
        rows.append(Freshness(file, day, age))
    return sorted(rows, key=lambda r: (r.day, r.file), reverse=True)


def failed_fetches(catalog: knollm.Catalog) -> list[knollm.Provider]:
    """Providers whose last listing fetch failed (their listing is the last good one)."""
    return [p for p in catalog.providers() if p.status is not None and p.status.failed]


def provider_source_day(catalog: knollm.Catalog, provider_id: str) -> str | None:
    """The date of the provider's own listing file (`models_<id>.json`), when the bundle has it."""
    name = f"models_{provider_id.replace('-', '_')}.json"
    return catalog.source_dates.get(name) or catalog.source_dates.get(f"models_{provider_id}.json")
