"""Confidence intervals for the A/B report: Wilson for a success rate, Student's t for a mean (latency, score,
and cost in exact Decimals). Standard library only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist
from typing import Generic, TypeVar

N = TypeVar("N", float, Decimal)


@dataclass(slots=True, frozen=True)
class Interval(Generic[N]):
    """An estimate with its confidence interval, from `n` observations."""

    estimate: N
    low: N
    high: N
    n: int

    def overlaps(self, other: Interval[N]) -> bool:
        return self.low <= other.high and other.low <= self.high


def z_value(confidence: float) -> float:
    """The two-sided normal quantile: 1.96 for 0.95."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def t_value(confidence: float, df: int) -> float:
    """The two-sided Student's t quantile (exact for 1 and 2 degrees of freedom, else the Cornish-Fisher expansion,
    within 0.2% of the table from 3 degrees of freedom on)."""
    p = 0.5 + confidence / 2
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z, v = z_value(confidence), float(df)
    return (z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4))


def wilson(successes: int, n: int, confidence: float = 0.95) -> Interval[float] | None:
    """The Wilson score interval of a success rate (None without observations); sound for small n and for rates
    near 0 or 1, where the plain normal interval is not."""
    if n == 0:
        return None
    z, p = z_value(confidence), successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval[float] | None:
    """The mean with its t interval (one value: the interval is the value itself; none: None)."""
    if not values:
        return None
    n, mean = len(values), math.fsum(values) / len(values)
    if n == 1:
        return Interval(mean, mean, mean, 1)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_value(confidence, n - 1) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def decimal_mean_interval(values: Sequence[Decimal], confidence: float = 0.95) -> Interval[Decimal] | None:
    """`mean_interval` in exact Decimal arithmetic (costs); only the t quantile is a float, taken as its text."""
    if not values:
        return None
    n = len(values)
    mean = sum(values, Decimal(0)) / n
    if n == 1:
        return Interval(mean, mean, mean, 1)
    sd = (sum(((v - mean) ** 2 for v in values), Decimal(0)) / (n - 1)).sqrt()
    half = Decimal(repr(round(t_value(confidence, n - 1), 6))) * sd / Decimal(n).sqrt()
    return Interval(mean, mean - half, mean + half, n)
