"""Response cache benchmark: the time a cache lookup adds to a request that misses (key + indexed SELECT, in a
cache of 10,000 entries), the time the store after the answer adds, and the latency of a cached answer against a
round trip to the fake provider (in a child process, so it shares no GIL with the client). Medians of interleaved
rounds, with the spread of the round medians; no timing is asserted anywhere.

Usage: python bench/bench_cache.py [--requests N] [--rounds R] [--entries E]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import knollm
from knollm.cache import ResponseCache, request_key
from knollm.client.caching import CacheGate
from knollm.client.types import ChatRequest
from knollm.config import Config
from knollm.testing import CANARY_KEYS, FakeProviderProcess

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "runtime" / "bundle.json"
PROMPT = "Summarise the release notes of version {n} in three short bullet points for the changelog."


def timed(action: Callable[[], object], requests: int) -> float:
    """The median seconds of `requests` calls of `action` (after 20 warm-up calls)."""
    for _ in range(20):
        action()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def spread(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"median {statistics.median(ms):.3f} ms (rounds {ms[0]:.3f}..{ms[-1]:.3f})"


def lookup_costs(path: Path, entries: int, requests: int, rounds: int) -> tuple[list[float], list[float]]:
    """(miss lookup, store) medians per round, through the same code the client runs (key, then the cache)."""
    counter = itertools.count()

    def request() -> ChatRequest:
        content = PROMPT.format(n=next(counter))
        return ChatRequest("chat", [{"role": "user", "content": content}], temperature=0)

    with ResponseCache(path) as cache:
        for _ in range(entries):
            cache.store(request_key(request(), ["chat", None]), "p", "p/m", None, '{"id": "x"}')

        def miss() -> None:
            cache.lookup(request_key(request(), ["chat", None]))

        def store() -> None:
            cache.store(request_key(request(), ["chat", None]), "p", "p/m", None, '{"id": "x"}')

        misses, stores = [], []
        for _ in range(rounds):
            misses.append(timed(miss, requests))
            stores.append(timed(store, requests))
    return misses, stores


def not_used(rounds: int, requests: int) -> list[float]:
    """What every call that does not use the cache pays for asking (the gate's check of route and switch)."""
    config = Config.model_validate({"routes": {"chat": {"candidates": ["a/b"]}}})
    gate, request = CacheGate(), ChatRequest("chat", [{"role": "user", "content": "hi"}])
    return [timed(lambda: gate.plan(config, request), requests) for _ in range(rounds)]


def hit_versus_provider(base_url: str, path: Path, requests: int, rounds: int) -> tuple[list[float], list[float]]:
    config = Config.model_validate({
        "providers": {"fake": {"base_url": f"{base_url}/v1", "api": "openai", "keys": ["env:FAKE_KEY"]}},
        "cache": {"path": str(path)}})
    messages = [{"role": "user", "content": "say hi"}]
    with knollm.Client(config, catalog=knollm.Catalog.load(FIXTURE), env={"FAKE_KEY": CANARY_KEYS[0]}) as client:
        def hit() -> None:
            client.chat.completions.create(model="fake/tiny-chat", messages=messages, temperature=0, cache=True)

        def provider() -> None:
            client.chat.completions.create(model="fake/tiny-chat", messages=messages, temperature=0)

        hits, trips = [], []
        for _ in range(rounds):  # interleaved rounds: drift in the machine's load hits both alike
            hits.append(timed(hit, requests))
            trips.append(timed(provider, requests))
    return hits, trips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        misses, stores = lookup_costs(Path(tmp) / "lookup.sqlite", args.entries, args.requests, args.rounds)
        with FakeProviderProcess(keys=CANARY_KEYS) as server:
            hits, trips = hit_versus_provider(server.base_url, Path(tmp) / "hits.sqlite", args.requests, args.rounds)
    unused = not_used(args.rounds, args.requests)
    middle = statistics.median(misses) * 1000
    print(f"response cache, {args.rounds} rounds x {args.requests} requests, {args.entries:,} entries in the file:")
    print(f"  added by a lookup that misses (key + SELECT): {spread(misses)}; target < 0.2 ms -> "
          f"{'OK' if middle < 0.2 else 'OVER'}")
    micro = sorted(v * 1e6 for v in unused)
    print(f"  added to a call that does not use the cache: median {statistics.median(micro):.2f} us "
          f"(rounds {micro[0]:.2f}..{micro[-1]:.2f})")
    print(f"  added by storing an answer (after the provider answered): {spread(stores)}")
    print(f"  cached answer through Client.create: {spread(hits)}")
    print(f"  provider round trip (fake provider, loopback, child process): {spread(trips)}")
    ratio = statistics.median(trips) / statistics.median(hits)
    print(f"  a hit is {ratio:.1f}x faster than the loopback round trip (real providers: 100s of ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
