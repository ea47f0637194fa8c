"""History benchmark: detecting the changes between two bundles of 100,000 models, recording them, and reading
them back as the runtime does; and fetching listings from the fake provider (in a child process) at several
concurrency levels. No timing is asserted anywhere; the machine may be shared, so the figures are indicative.

Usage: python bench/bench_history.py [--models N] [--providers P]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from knollm.client.target import Secret
from knollm.history import load_changes
from knollm.testing import CANARY_KEYS, FakeProviderProcess
from knollm_compiler.change_detect import changes_document
from knollm_compiler.fetch.command import run
from knollm_compiler.fetch.plan import ListingPlan
from knollm_compiler.history_record import BESIDE_BUNDLE, HISTORY_FILE, record


def bundle(date: str, count: int, shift: int) -> dict[str, Any]:
    """`count` models; every tenth price differs with `shift`, and `shift` models are new at the end."""
    models = []
    for i in range(count + shift):
        price = Decimal(i % 97 + 1) / 10 + (Decimal(shift) / 100 if i % 10 == 0 else 0)
        models.append({"id": f"p{i % 50}/model-{i}", "provider": f"p{i % 50}", "context_window": 8192 * (1 + i % 4),
                       "pricing": {"input_per_mtok": str(price), "output_per_mtok": str(price * 3)},
                       "capabilities": {"tools": i % 3 == 0}})
    return {"data_date": date, "providers": [{"id": f"p{i}"} for i in range(50)], "models": models}


def timed(label: str, action: Any) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label:<48} {time.perf_counter() - started:8.3f} s")
    return result


def bench_changes(count: int) -> None:
    old, new = bundle("2026-01-01", count, 0), bundle("2026-02-01", count, 5)
    document = timed(f"diff two bundles of {count:,} models", lambda: changes_document(old, new))
    print(f"  {len(document['changes']):,} changes")
    with tempfile.TemporaryDirectory() as folder:
        history = Path(folder)
        timed("record them (new history file)", lambda: record(history, document["changes"]))
        timed("record them again (nothing new)", lambda: record(history, document["changes"]))
        (history / BESIDE_BUNDLE).write_bytes((history / HISTORY_FILE).read_bytes())
        size = (history / HISTORY_FILE).stat().st_size
        print(f"  history file: {size / 1e6:.1f} MB")
        timed("runtime: load the history", lambda: load_changes(history / BESIDE_BUNDLE))


def bench_fetch(providers: int) -> None:
    with FakeProviderProcess(keys=list(CANARY_KEYS)) as server, tempfile.TemporaryDirectory() as folder:
        plans = [ListingPlan(f"p{i}", f"{server.base_url}/v1/models", "bearer", Secret(CANARY_KEYS[0], "env:K"))
                 for i in range(providers)]
        for concurrency in (1, 8):
            args = SimpleNamespace(concurrency=concurrency, timeout=20.0, attempts=3, max_listing_mb=64 * 2**20,
                                   out=Path(folder))
            outcomes = timed(f"fetch {providers} listings, concurrency {concurrency}", lambda a=args: run(plans, a))
            assert all(o.status == "fetched" for o in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=40)
    args = parser.parse_args()
    bench_changes(args.models)
    bench_fetch(args.providers)


if __name__ == "__main__":
    main()
