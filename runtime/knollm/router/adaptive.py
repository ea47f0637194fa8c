"""The `adaptive` strategy: discounted Thompson sampling over success, times a latency and a cost reward.

Method. Each option (a candidate id) keeps a Beta posterior over its probability of success: `alpha = 1 + s`,
`beta = 1 + f`, where `s` and `f` are its successes and failures *discounted by age*: every count loses half its
weight each `half_life_s` seconds (`DEFAULT_HALF_LIFE_S`), so old outcomes fade. A provider that degraded an hour
ago is therefore not punished for ever: its counts shrink toward the uniform prior Beta(1, 1), its samples spread
out again, it wins the odd draw, and its new outcomes decide (traffic comes back when it has recovered). The
evidence is also capped at `MAX_EVIDENCE` outcomes (older ones scaled down when a new one arrives): under heavy
traffic a posterior never grows so sure that an equally good option starves, equally reliable options share the
traffic, and a change shows within tens of calls whatever the request rate.

To order options for one request, each draws `theta ~ Beta(alpha, beta)` (one draw per option: this is the
exploration; `beta_draw` samples it exactly, cheaper than `random.betavariate`) and is scored by the utility

    utility = theta * speed * thrift
    speed   = 1 / (1 + latency_s / LATENCY_SCALE_S)             (observed latency EWMA of successful calls)
    thrift  = (cheapest_cost / cost) ** COST_EXPONENT            (across the options being ordered)

An option whose latency was never observed is assumed as fast as the fastest observed one (optimism under
uncertainty: it gets tried, and its first success tells); `PRIOR_LATENCY_S` when none was observed.
Options are tried by decreasing utility. `speed` halves at a latency of `LATENCY_SCALE_S`; `COST_EXPONENT` keeps
price a tie-breaker rather than the master: an option ten times the price keeps 0.56 of its utility, so a much
more reliable provider still wins. The cost is the request's estimate when the caller gives one (`costs=`), else
the average observed cost of the option. An unknown cost is never taken as free: such an option gets the
*lowest* thrift of the options with a known cost (1.0 when no option has a known cost).

`AdaptiveScorer` is shared by every thread and task of a process (one lock); the clock is injectable for tests.
`AdaptiveRouting` plugs it into the client's router (`knollm.router.route.Scorer`): it orders a decision and
observes every attempt's outcome; the process-wide one (`process_scorer()`) learns from every client's calls.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .choose import Decision

DEFAULT_HALF_LIFE_S = 120.0
"""Seconds after which an outcome counts half as much: about two minutes of evidence steers the traffic."""
LATENCY_SCALE_S = 2.0
"""The latency at which `speed` is 0.5."""
PRIOR_LATENCY_S = 1.0
"""Latency assumed when no option has been observed (the same prior as the `fastest` strategy)."""
LATENCY_WEIGHT = 0.2
"""Weight of the newest latency and cost in their moving averages."""
MAX_EVIDENCE = 20.0
"""Most outcomes a posterior holds: beyond it, the older evidence is scaled down (see the module docstring)."""
COST_EXPONENT = 0.25
"""How strongly price bends the utility: 0 ignores it, 1 makes it proportional to the price ratio."""


@dataclass(slots=True)
class Arm:
    """What the scorer knows of one option: discounted success and failure counts, latency and cost averages."""

    successes: float = 0.0
    failures: float = 0.0
    latency_s: float | None = None
    cost: float | None = None
    stamp: float = 0.0
    """When the counts were last discounted (the scorer's clock)."""

    def posterior(self) -> tuple[float, float]:
        return 1.0 + self.successes, 1.0 + self.failures


class AdaptiveScorer:
    """Learns from outcomes which options to try first (see the module docstring for the method)."""

    def __init__(self, half_life_s: float = DEFAULT_HALF_LIFE_S, clock: Callable[[], float] = time.monotonic) -> None:
        if not half_life_s > 0:
            raise ValueError(f"half_life_s must be positive, not {half_life_s!r}")
        self.half_life_s = half_life_s
        self._clock = clock
        self._lock = threading.Lock()
        self._arms: dict[str, Arm] = {}

    def record(self, option_key: str, success: bool, latency_s: float, cost: Decimal | None = None) -> None:
        """One outcome of a call to `option_key`: whether it succeeded, its seconds, its actual cost if known."""
        with self._lock:
            arm = self._fresh(option_key, self._clock())
            if success:
                arm.successes += 1.0
            else:
                arm.failures += 1.0
            evidence = arm.successes + arm.failures
            if evidence > MAX_EVIDENCE:
                arm.successes *= MAX_EVIDENCE / evidence
                arm.failures *= MAX_EVIDENCE / evidence
            if success and math.isfinite(latency_s) and latency_s >= 0:  # a failure's latency says little
                arm.latency_s = _average(arm.latency_s, latency_s)
            if cost is not None and cost.is_finite() and cost >= 0:
                arm.cost = _average(arm.cost, float(cost))

    def order(self, option_keys: Sequence[str], rng: random.Random,
              costs: Mapping[str, Decimal | None] | None = None) -> list[str]:
        """`option_keys` in the order to try them: by decreasing sampled utility."""
        utilities = self.utilities(option_keys, rng, costs)
        return sorted(option_keys, key=lambda key: -utilities[key])

    def utilities(self, option_keys: Sequence[str], rng: random.Random,
                  costs: Mapping[str, Decimal | None] | None = None) -> dict[str, float]:
        """One Thompson draw per option, times its speed and thrift: the utility in 0..1 (higher is better)."""
        listed = None if costs is None else [costs.get(key) for key in option_keys]
        return dict(zip(option_keys, self.sampled(option_keys, rng, listed), strict=True))

    def sampled(self, option_keys: Sequence[str], rng: random.Random,
                costs: Sequence[Decimal | None] | None = None) -> list[float]:
        """`utilities` as a list in the order of `option_keys`, with `costs` in that order too (the router's
        path: no mapping built or looked up per option)."""
        with self._lock:
            fresh, now = self._fresh, self._clock()
            arms = [fresh(key, now) for key in option_keys]
            thetas = [beta_draw(rng, 1.0 + arm.successes, 1.0 + arm.failures) for arm in arms]
        known = [arm.cost for arm in arms] if costs is None else [None if c is None else float(c) for c in costs]
        thrifts = _thrifts(known)
        latencies = [arm.latency_s for arm in arms]
        fastest = min((s for s in latencies if s is not None), default=PRIOR_LATENCY_S)
        return [theta * thrift / (1.0 + (fastest if latency is None else latency) / LATENCY_SCALE_S)
                for latency, theta, thrift in zip(latencies, thetas, thrifts, strict=True)]

    def posterior(self, option_key: str) -> tuple[float, float]:
        """The (alpha, beta) of `option_key` now, discounted to the present."""
        with self._lock:
            return self._fresh(option_key, self._clock()).posterior()

    def _fresh(self, key: str, now: float) -> Arm:
        """The arm of `key` with its counts discounted to `now` (called with the lock held)."""
        arm = self._arms.get(key)
        if arm is None:
            arm = self._arms[key] = Arm(stamp=now)
            return arm
        if now > arm.stamp:
            fade = 0.5 ** ((now - arm.stamp) / self.half_life_s)
            arm.successes *= fade
            arm.failures *= fade
            arm.stamp = now
        return arm


_log, _exp, _sqrt, _pow = math.log, math.exp, math.sqrt, math.pow  # module globals: quicker to look up than attributes
_LOG4 = math.log(4.0)
_ONE_PLUS_LOG5 = 1.0 + math.log(5.0)
_FAST_LIMIT = 1e6
"""Parameters above it go to `random.betavariate` (posteriors here stay under 1 + MAX_EVIDENCE)."""


def beta_draw(rng: random.Random, a: float, b: float) -> float:
    """One exact draw of Beta(a, b) for a, b >= 1 (every posterior here): about twice as fast as
    `random.betavariate`, which draws two Gamma variates. With a parameter at 1 (an option without successes or
    without failures) it inverts the distribution function (Beta(a, 1) = U ** (1/a)); else it is Cheng's
    rejection algorithm BB (Communications of the ACM 21(4), 1978), which accepts most first tries."""
    if a == 1.0 or b == 1.0:
        u = 1.0 - rng.random()  # in (0, 1]
        return _pow(u, 1.0 / a) if b == 1.0 else 1.0 - _pow(u, 1.0 / b)
    if not (1.0 < a < _FAST_LIMIT and 1.0 < b < _FAST_LIMIT):  # not a posterior here (or NaN): the general one
        return rng.betavariate(a, b)
    small, large = (a, b) if a <= b else (b, a)
    total = small + large
    spread = _sqrt((total - 2.0) / (2.0 * small * large - total))
    shift = small + 1.0 / spread
    random_ = rng.random
    while True:
        u1, u2 = random_(), 1.0 - random_()
        if u1 <= 0.0:
            continue
        v = spread * _log(u1 / (1.0 - u1))
        w = small * _exp(v)  # finite: spread <= 1 and |log(u1 / (1 - u1))| < 38
        z = u1 * u1 * u2
        r = shift * v - _LOG4
        s = small + r - w
        if s + _ONE_PLUS_LOG5 >= 5.0 * z:
            break
        t = _log(z)
        if s > t or r + total * _log(total / (large + w)) >= t:
            break
    return w / (large + w) if small == a else large / (large + w)


def _average(old: float | None, new: float) -> float:
    return new if old is None else old + LATENCY_WEIGHT * (new - old)


def _thrifts(costs: Sequence[float | None]) -> list[float]:
    """(cheapest / cost) ** COST_EXPONENT per option, the cheapest being the lowest positive cost (a free option
    scores 1.0 too); unknown costs get the lowest known thrift: never a free pass."""
    known = [c for c in costs if c is not None]
    if not known:
        return [1.0] * len(costs)
    cheapest = min((c for c in known if c > 0), default=0.0)
    if cheapest <= 0:
        return [1.0] * len(costs)  # every known cost is free: price tells nothing apart
    worst = (cheapest / max(known)) ** COST_EXPONENT
    return [worst if c is None else (cheapest / c) ** COST_EXPONENT if c > 0 else 1.0 for c in costs]


class AdaptiveRouting:
    """The router's `Scorer` for the `adaptive` strategy: orders a decision by `scorer` and feeds it outcomes."""

    def __init__(self, scorer: AdaptiveScorer | None = None, rng: random.Random | None = None) -> None:
        self.scorer = scorer if scorer is not None else AdaptiveScorer()
        self._rng = rng if rng is not None else random.Random()

    def order(self, decision: Decision) -> None:
        """Sort `decision.ranked` by decreasing sampled utility; each score is `1 - utility` (lowest first)."""
        ranked_all = decision.ranked
        utilities = self.scorer.sampled([r.option.id for r in ranked_all], self._rng, [r.cost for r in ranked_all])
        for ranked, utility in zip(ranked_all, utilities, strict=True):
            ranked.score = 1.0 - utility
        decision.ranked.sort(key=lambda r: r.score if r.score is not None else 1.0)

    def observe(self, option_id: str, ok: bool, latency_s: float, cost: Decimal | None) -> None:
        self.scorer.record(option_id, ok, latency_s, cost)


_PROCESS_ROUTING = AdaptiveRouting()


def process_scorer() -> AdaptiveRouting:
    """The adaptive scorer shared by every client, thread and task of this process."""
    return _PROCESS_ROUTING


def forget_process_scorer() -> None:
    """Forget what the process scorer learnt (tests; `route.forget_process_state`)."""
    _PROCESS_ROUTING.scorer = AdaptiveScorer()
