"""Small statistics over usage records: percentiles, medians, the Wilson score and day buckets (UTC)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal

from .store import UsageRecord

Z_95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile (0..1) by linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


def wilson_lower(successes: int, total: int) -> float | None:
    """The lower bound of the 95% Wilson interval of a success rate: a reliability score that does not rank
    3 successes of 3 above 990 of 1000."""
    if total == 0:
        return None
    rate = successes / total
    centre = rate + Z_95**2 / (2 * total)
    spread = Z_95 * math.sqrt(rate * (1 - rate) / total + Z_95**2 / (4 * total * total))
    return max(0.0, (centre - spread) / (1 + Z_95**2 / total))


def day_of(ts: float) -> str:
    """The UTC day of a timestamp, `YYYY-MM-DD`."""
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def month_of(ts: float) -> str:
    return time.strftime("%Y-%m", time.gmtime(ts))


def known_cost(records: Iterable[UsageRecord]) -> tuple[Decimal, int]:
    """The exact sum of the known costs, and how many records had no known cost (not counted as zero)."""
    total, unknown = Decimal(0), 0
    for record in records:
        cost = record.cost
        if cost is None:
            unknown += not record.failed  # a failed call has no cost to know; an abandoned stream has one
        else:
            total += cost
    return total, unknown


def latencies(records: Iterable[UsageRecord]) -> list[float]:
    return [r.latency_s for r in records if r.ok and r.latency_s is not None]


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
