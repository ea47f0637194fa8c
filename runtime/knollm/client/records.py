"""What a call records about itself: each attempt, and the `.knollm` record every response carries.

Only aliases of keys (`env:NAME`) are kept here, never keys; these records go into logs, reprs and analytics.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..records import CostBreakdown


@dataclass(slots=True, frozen=True)
class Attempt:
    """One try at one candidate: where it went, how it ended and how long it took."""

    provider: str
    model_id: str
    status: str
    """`ok`, or `failed` (then `error` names the exception class), or `skipped` (not tried: see `error`), or
    `abandoned` (a stream the caller stopped reading)."""
    error: str | None = None
    """The exception class name (`RateLimited`, `Timeout`, ...) of a failed attempt."""
    seconds: float = 0.0
    key_alias: str | None = None


@dataclass(slots=True, frozen=True)
class RankedCandidate:
    """One candidate of a routing decision, in the order tried: its id, key alias, score and estimated cost."""

    id: str
    key_alias: str
    score: float | None
    cost: Decimal | None
    """The estimated cost of the request here (USD, exact), None when a price it needs is unknown."""


@dataclass(slots=True, frozen=True)
class RouteDecision:
    """The router's decision for a call (what `knollm route` prints): candidates in order with their scores,
    the excluded ones with the reason, and the first choice."""

    strategy: str
    candidates: tuple[RankedCandidate, ...]
    excluded: tuple[tuple[str, str], ...]
    """(candidate, why) pairs: no key, context too small, a missing capability, denied, too dear, key cooling."""
    choice: str | None


@dataclass(slots=True, frozen=True)
class CallInfo:
    """The `.knollm` record of a response: who answered, what was tried, how fast, and what it cost."""

    provider: str
    model_id: str
    model: str
    """The global id `<provider>/<model_id>` that answered."""
    family: str | None
    key_alias: str | None
    attempts: tuple[Attempt, ...]
    latency_s: float
    """Seconds from the request to the whole answer (for streams: to the last chunk)."""
    ttft_s: float | None = None
    """Seconds to the first content chunk (streams only)."""
    cost: CostBreakdown | None = None
    """The exact cost from the catalog's (or the configuration's) prices and the returned usage."""
    cost_note: str | None = None
    """Why `cost` is None (no usage returned, or a price it needs is unknown)."""
    requested: str = ""
    """What the caller asked for: a global id, a family or a route name."""
    cache_hit: bool = False
    """True when the answer came from the response cache (no provider was called; `attempts` is empty)."""
    prompt_tokens: int | None = None
    """Input tokens the provider reported (None: no usage returned)."""
    completion_tokens: int | None = None
    """Output tokens the provider reported."""
    decision: RouteDecision | None = None
    """How the router ordered the candidates (the same as `knollm route` prints)."""
    retired_keys: tuple[str, ...] = ()
    """`provider env:NAME` of each key of this call's candidates retired for the process (e.g. after a 401)."""
    abandoned: bool = False
    """True when the caller stopped a stream before its end (closed it, broke out, or was cancelled): tokens and
    cost are what was known by then, usually None (providers report usage in the last chunk)."""


@dataclass(slots=True, frozen=True)
class CallFailure:
    """What observers (`ClientCore.observers`) receive when no candidate answered: the request, the class name
    of the error raised, every attempt, and the seconds spent."""

    requested: str
    error: str
    attempts: tuple[Attempt, ...]
    latency_s: float
