"""Router benchmark: the routing decision (candidate filtering plus scoring, `knollm.router.choose.decide`) for a
family with 30 offers, per strategy, median and spread in µs (target: under 100 µs median); beside it LiteLLM
Router's deployment selection for 30 deployments of one model group, when `litellm` is importable (it is not a
dependency: run this file with an interpreter that has it to compare), and both import times. No timing is
asserted anywhere; the machine's load makes every figure noisy.

Usage: python bench/bench_router.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

from knollm.records import Model, Pricing
from knollm.router.adaptive import AdaptiveScorer
from knollm.router.choose import Needs, Option, decide
from knollm.router.health import HealthStore
from knollm.vocab import STRATEGIES

OFFERS = 30
MESSAGES = [{"role": "user", "content": "Summarise the attached report in three bullet points."}]
# LiteLLM fetches its model price map from the network at import unless told otherwise: no network here.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def family_offers(rng: random.Random) -> list[Option]:
    """30 offers of one model at 30 providers: varied prices and context windows; two declare no tools."""
    offers = []
    for n in range(OFFERS):
        price = Decimal(rng.randint(10, 400)) / 100
        pricing = Pricing(input_per_mtok=price, output_per_mtok=price * 3)
        model = Model(id=f"host{n:02d}/llama-3.3-70b", provider=f"host{n:02d}", model_id="llama-3.3-70b",
                      kind="chat", context_window=rng.choice((8_192, 32_768, 131_072)), pricing=pricing,
                      capabilities={"tools": n % 15 != 7})
        offers.append(Option(model.id, model.provider, f"env:HOST{n:02d}_KEY", model, weight=rng.uniform(1, 5)))
    return offers


def observed(offers: list[Option], rng: random.Random) -> tuple[HealthStore, AdaptiveScorer]:
    """Health and adaptive state as after some traffic: every offer seen, a few failing."""
    health, scorer = HealthStore(), AdaptiveScorer()
    for offer in offers:
        for _ in range(5):
            ok = rng.random() < 0.9
            latency = rng.uniform(0.2, 3.0)
            if ok:
                health.success(offer.provider, offer.key, latency)
            else:
                health.failure(offer.provider, offer.key, "ProviderUnavailable")
            scorer.record(offer.id, ok, latency, Decimal("0.001"))
    return health, scorer


def timed(call: Callable[[], object], runs: int) -> list[float]:
    """Microseconds of each of `runs` calls, after a warm-up."""
    for _ in range(min(200, runs)):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - started) / 1000)
    return times


def timed_async(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """`timed` for a coroutine function, every call inside one event loop (the loop's start is not counted)."""

    async def measure() -> list[float]:
        for _ in range(min(200, runs)):
            await call()
        times = []
        for _ in range(runs):
            started = time.perf_counter_ns()
            await call()
            times.append((time.perf_counter_ns() - started) / 1000)
        return times

    return asyncio.run(measure())


def line(label: str, micros: list[float]) -> str:
    ordered = sorted(micros)
    p10, p90 = ordered[len(ordered) // 10], ordered[len(ordered) * 9 // 10]
    return f"  {label:<44} median {statistics.median(micros):8.1f} µs   p10 {p10:8.1f}   p90 {p90:8.1f}"


def bench_knollm(runs: int) -> dict[str, float]:
    rng = random.Random(1)
    offers = family_offers(rng)
    health, scorer = observed(offers, rng)
    needs = Needs(input_tokens=2_000, max_tokens=500, tools=True)
    medians = {}
    print(f"knollm routing decision, {OFFERS} offers of one family (filter: context, tools; then score):")
    for strategy in STRATEGIES:
        draw = random.Random(2)
        micros = timed(lambda s=strategy, d=draw: decide(offers, needs, s, health=health, rng=d, scorer=scorer),
                       runs)
        medians[strategy] = statistics.median(micros)
        print(line(strategy, micros))
    return medians


LITELLM_STRATEGIES = {"shuffle": "simple-shuffle", "fastest": "latency-based-routing",
                      "cheapest": "cost-based-routing", "balanced": "least-busy"}


def bench_litellm(runs: int) -> dict[str, float] | None:
    try:
        import litellm  # noqa: F401  (not a dependency: only present when the interpreter has it)
        from litellm import Router
    except ImportError:
        print("LiteLLM Router: litellm is not importable in this interpreter: no comparison "
              "(run `python bench/bench_router.py` with an interpreter that has litellm to compare).")
        return None
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):  # its per-deployment warnings would drown the table
        logging.getLogger(name).setLevel(logging.ERROR)
    model_list = [{"model_name": "llama-3.3-70b",
                   "litellm_params": {"model": f"openai/llama-3.3-70b-{n}", "api_base": f"http://127.0.0.1:9/h{n}",
                                      "api_key": "sk-bench-not-a-key", "rpm": 600, "tpm": 1_000_000,
                                      "input_cost_per_token": (n % 7 + 1) / 1e6,
                                      "output_cost_per_token": (n % 7 + 1) * 3 / 1e6}}
                  for n in range(OFFERS)]
    medians = {}
    print(f"LiteLLM Router.get_available_deployment, {OFFERS} deployments of one model group:")
    for ours, theirs in LITELLM_STRATEGIES.items():
        router = Router(model_list=model_list, routing_strategy=theirs)  # type: ignore[arg-type]
        try:
            micros = timed(lambda r=router: r.get_available_deployment(model="llama-3.3-70b", messages=MESSAGES),
                           runs)
            label = f"{theirs} (~ {ours})"
        except Exception:  # some strategies only select in LiteLLM's async path: measure that one
            try:
                micros = timed_async(lambda r=router: r.async_get_available_deployment(
                    model="llama-3.3-70b", messages=MESSAGES, request_kwargs={}), runs)
                label = f"{theirs}, async (~ {ours})"
            except Exception as exc:
                print(f"  {theirs:<44} not measurable here ({type(exc).__name__})")
                continue
        medians[ours] = statistics.median(micros)
        print(line(label, micros))
    return medians


def import_seconds(module: str, runs: int = 5) -> float | None:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            return None
        times.append(float(done.stdout))
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    args = parser.parse_args()
    ours = bench_knollm(args.runs)
    theirs = bench_litellm(args.runs)
    if theirs:
        print("ratio (LiteLLM median / knollm median, comparable strategies):")
        for strategy, micros in theirs.items():
            print(f"  {strategy:<12} {micros / ours[strategy]:6.1f}x")
    print("import time (median of 5 fresh interpreters):")
    for module in ("knollm.router.choose", "litellm"):
        seconds = import_seconds(module)
        print(f"  import {module:<28} " + (f"{seconds * 1000:8.1f} ms" if seconds is not None else "not importable"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
