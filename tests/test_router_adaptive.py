"""The adaptive strategy: traffic moves away from a provider that degrades and comes back after it recovers
(seeded random draws, a virtual clock, simulated outcomes with failover to the next option)."""

from __future__ import annotations

import random
import statistics
import threading
from decimal import Decimal

import pytest

from knollm.records import Model, Pricing
from knollm.router.adaptive import AdaptiveScorer, beta_draw
from knollm.router.choose import Needs, Option, decide
from knollm.vocab import STRATEGIES

KEYS = ["alpha", "beta", "gamma"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def simulate(scorer: AdaptiveScorer, clock: Clock, rng: random.Random, world: random.Random,
             beta_success: float, requests: int) -> list[str]:
    """`requests` calls one second apart; each tries the options in the scorer's order until one succeeds.
    Returns the first choice of each call (the traffic share a provider gets)."""
    firsts = []
    for _ in range(requests):
        clock.now += 1.0
        order = scorer.order(KEYS, rng)
        firsts.append(order[0])
        for key in order:
            ok = world.random() < (beta_success if key == "beta" else 0.99)
            scorer.record(key, ok, 0.5, Decimal("0.001"))
            if ok:
                break
    return firsts


def share(firsts: list[str], key: str) -> float:
    return firsts.count(key) / len(firsts)


def test_traffic_leaves_a_degraded_provider_and_returns_after_it_recovers() -> None:
    clock = Clock()
    scorer = AdaptiveScorer(half_life_s=120, clock=clock)
    rng, world = random.Random(11), random.Random(111)
    healthy = simulate(scorer, clock, rng, world, 0.99, 600)
    assert 0.25 < share(healthy, "beta") < 0.5  # about a third each while all are healthy
    degraded = simulate(scorer, clock, rng, world, 0.3, 600)
    assert share(degraded[300:], "beta") < 0.05  # once it has learnt, beta gets little but probes
    assert share(degraded[300:], "beta") > 0  # ... and never nothing: that is how it notices a recovery
    recovered = simulate(scorer, clock, rng, world, 0.99, 900)
    assert share(recovered[600:], "beta") > 0.2  # back to roughly its third
    alpha, beta = scorer.posterior("beta")
    assert alpha > 10 * beta


def test_old_outcomes_fade_with_the_half_life() -> None:
    clock = Clock()
    scorer = AdaptiveScorer(half_life_s=10, clock=clock)
    for _ in range(8):
        scorer.record("x", False, 1.0)
    assert scorer.posterior("x") == (1.0, 9.0)
    clock.now += 10
    assert scorer.posterior("x") == (1.0, 5.0)
    clock.now += 1000
    assert scorer.posterior("x") == pytest.approx((1.0, 1.0))  # back to the uniform prior


def test_latency_and_cost_bend_the_utility() -> None:
    clock = Clock()
    scorer = AdaptiveScorer(clock=clock)
    for _ in range(50):  # equally reliable; slow is 10x slower, dear 10x dearer
        scorer.record("fast", True, 0.2, Decimal("0.001"))
        scorer.record("slow", True, 2.0, Decimal("0.001"))
        scorer.record("dear", True, 0.2, Decimal("0.01"))
    rng = random.Random(3)
    firsts = [scorer.order(["slow", "dear", "fast"], rng)[0] for _ in range(500)]
    assert share(firsts, "fast") > 0.9
    mean = {k: sum(scorer.utilities(["fast", "slow", "dear"], rng)[k] for _ in range(200)) / 200
            for k in ("fast", "slow", "dear")}
    assert mean["fast"] > mean["dear"] > mean["slow"]  # price is a tie-breaker, latency weighs more


def test_unknown_cost_is_never_taken_as_free() -> None:
    scorer = AdaptiveScorer()
    rng = random.Random(5)
    costs = {"priced": Decimal("0.002"), "dear": Decimal("0.2"), "unknown": None}
    means = {k: 0.0 for k in costs}
    for _ in range(400):
        for key, value in scorer.utilities(list(costs), rng, costs).items():
            means[key] += value / 400
    assert means["unknown"] == pytest.approx(means["dear"], rel=0.15) and means["priced"] > means["unknown"]
    free = scorer.utilities(["free", "x"], rng, {"free": Decimal(0), "x": Decimal("0.001")})
    assert free["free"] > 0 and free["x"] > 0
    nothing_known = scorer.utilities(["a", "b"], rng, {"a": None, "b": None})
    assert all(0 < v <= 1 for v in nothing_known.values())


def test_hostile_outcomes_do_not_poison_the_scorer() -> None:
    scorer = AdaptiveScorer()
    scorer.record("x", True, float("nan"), Decimal("NaN"))
    scorer.record("x", True, -1.0, Decimal("-1"))
    scorer.record("x", True, float("inf"), Decimal("Infinity"))
    assert all(0 <= v <= 1 for v in scorer.utilities(["x"], random.Random(1)).values())
    with pytest.raises(ValueError, match="half_life_s"):
        AdaptiveScorer(half_life_s=0)


def test_the_scorer_is_shared_by_threads() -> None:
    scorer = AdaptiveScorer()

    def worker(n: int) -> None:
        rng = random.Random(n)
        for _ in range(200):
            scorer.order(KEYS, rng)
            scorer.record(KEYS[n % 3], n % 2 == 0, 0.1)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(sum(scorer.posterior(k)) - 2 for k in KEYS)
    assert 0 < total <= 8 * 200  # every outcome counted once (less its fading over the test's real seconds)


def model_option(name: str, inp: str, out: str) -> Option:
    pricing = Pricing(input_per_mtok=Decimal(inp), output_per_mtok=Decimal(out))
    model = Model(id=f"{name}/m", provider=name, model_id="m", kind="chat", context_window=100_000, pricing=pricing)
    return Option(f"{name}/m", name, f"env:{name.upper()}", model)


def test_decide_orders_by_the_scorer() -> None:
    assert "adaptive" in STRATEGIES
    options = [model_option("a", "1", "2"), model_option("b", "1", "2"), model_option("c", "1", "2")]
    scorer = AdaptiveScorer()
    for _ in range(40):
        scorer.record("b/m", True, 0.3)
        scorer.record("a/m", False, 0.3)
    rng = random.Random(2)
    decisions = [decide(options, Needs(1000, 100), "adaptive", scorer=scorer, rng=rng) for _ in range(200)]
    # the unobserved c keeps the uniform prior: it beats b's Beta(21, 1) about one draw in 22 (exploration)
    assert sum(d.ranked[0].option.id == "b/m" for d in decisions) > 0.85 * len(decisions)
    assert sum(d.ranked[-1].option.id == "a/m" for d in decisions) > 0.85 * len(decisions)
    for decision in decisions:
        scores = [r.score for r in decision.ranked]
        assert all(s is not None and 0 <= s <= 1 for s in scores)
        assert scores == sorted(scores)  # type: ignore[type-var]
    prior_only = decide(options, Needs(1000, 100), "adaptive", rng=random.Random(2))  # no scorer: the prior
    assert len(prior_only.ranked) == 3


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (6.0, 1.0), (1.0, 4.5), (5.5, 1.5), (1.0001, 1.0001), (1.3, 19.7),
                                      (21.0, 1.2)])
def test_the_beta_sampler_has_the_beta_distribution(a: float, b: float) -> None:
    rng = random.Random(17)
    draws = sorted(beta_draw(rng, a, b) for _ in range(20_000))
    library = random.Random(18)
    reference = sorted(library.betavariate(a, b) for _ in range(20_000))
    assert all(0.0 <= x <= 1.0 for x in draws)
    mean, variance = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    assert statistics.fmean(draws) == pytest.approx(mean, abs=0.01)
    assert statistics.pvariance(draws) == pytest.approx(variance, rel=0.06)
    for quantile in (0.05, 0.25, 0.5, 0.75, 0.95):  # the same distribution as the library's two-Gamma sampler
        at = int(quantile * len(draws))
        assert draws[at] == pytest.approx(reference[at], abs=0.012)


def test_the_beta_sampler_hands_odd_parameters_to_the_library() -> None:
    rng = random.Random(3)
    assert 0.0 <= beta_draw(rng, 0.5, 0.5) <= 1.0
    assert 0.0 <= beta_draw(rng, 2e6, 3.0) <= 1.0
