"""Scale benchmark: a generated 100k-model listing (bench/gen_listing.py, in a temp folder, never committed)
compiled by `knollm-build` as the CLI runs it, then the runtime on the resulting bundle. Every measurement runs
in a fresh child process, which reports its own wall time and peak RSS (VmHWM, Linux).

Prints: compile seconds and peak MB (targets: under 30 s and 600 MB), then for the runtime, in several fresh
processes (median [min–max]: the machine is shared): `import knollm` + `Catalog.load()` (target ≤ 1 s at 100k),
the first lookup, peak RSS (target ≤ 200 MB) and the latency of suggestions for unknown ids, the first one and
later ones (target ≤ 100 ms), at 100k models and at the real corpus's size when it is present. The bundles are
compiled by `knollm-build`, which writes the index the runtime reads (`catalog.json.idx`).

Usage: KNOLLM_CORPUS=../shared/model_catalog python bench/bench_scale.py [--models N] [--keep DIR] [--runs N]
       [--compile-only] [--compile-runs N]   (--compile-only: the compile figures alone, of the listing and the corpus)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from gen_listing import generate  # noqa: E402

COMPILE_SECONDS, COMPILE_MB, SUGGEST_MS = 30.0, 600.0, 100.0
# The child's own high-water mark (VmHWM, KiB): ru_maxrss would carry the bench process's peak across exec.
PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"
COMPILE = f"""
import json, resource, sys, time
from knollm_compiler.build_cli import main
started = time.perf_counter()
code = main(["--snapshots", sys.argv[1], "--out", sys.argv[2], "--quiet"])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": {PEAK}, "code": code}}))
"""
RUNTIME = f"""
import json, resource, statistics, sys, time
started = time.perf_counter()
import knollm
catalog = knollm.Catalog.load(sys.argv[1])
loaded = time.perf_counter()
known = catalog.get(sys.argv[2])
looked = time.perf_counter()
load_mb = {PEAK}
def unknown(ref):
    started = time.perf_counter()
    try:
        catalog.get(ref)
    except knollm.ModelNotFound as exc:
        return time.perf_counter() - started, exc.suggestions
    raise SystemExit(f"{{ref}} was found")
first, _ = unknown("no-such-provider/no-such-model")
samples = [unknown(ref) for ref in json.loads(sys.argv[3])]
print(json.dumps({{
    "models": len(catalog), "load": loaded - started, "first_lookup": looked - loaded, "load_peak_mb": load_mb,
    "first_unknown": first, "unknown_median": statistics.median(s for s, _ in samples),
    "unknown_max": max(s for s, _ in samples), "suggested": sum(bool(found) for _, found in samples),
    "asked": len(samples), "peak_mb": {PEAK},
}}))
"""


def child(script: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"bench: child failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def typos(ids: list[str]) -> list[str]:
    """Unknown ids as people type them: a dropped letter, swapped letters, a wrong letter, no provider."""
    picked = [ids[len(ids) * k // 7] for k in range(1, 7)]
    made = [picked[0][:-2] + picked[0][-1], picked[1][:5] + picked[1][6] + picked[1][5] + picked[1][7:],
            picked[2].replace("-", "_", 1) + "x", picked[3].split("/", 1)[-1] + "-v9", picked[4][:-3],
            "q" + picked[5]]
    return [m for m in made if m not in ids]


LOAD_SECONDS, LOAD_MB = 1.0, 200.0


def spread(values: list[float], scale: float, unit: str) -> str:
    """`median [min–max] unit` of `values` times `scale`."""
    median, low, high = statistics.median(values) * scale, min(values) * scale, max(values) * scale
    return f"{median:.1f} [{low:.1f}–{high:.1f}] {unit}"


def runtime_row(label: str, bundle: Path, runs: int) -> list[dict]:
    """The runtime on `bundle` in `runs` fresh processes: medians with spreads, against the issue's targets."""
    ids = [m["id"] for m in json.loads(bundle.read_bytes())["models"]]
    results = [child(RUNTIME, str(bundle), ids[len(ids) // 2], json.dumps(typos(ids))) for _ in range(runs)]
    first = results[0]
    indexed = "with its index" if (bundle.parent / (bundle.name + ".idx")).is_file() else "no index: JSON"
    print(f"runtime on {label} ({first['models']} models, bundle {bundle.stat().st_size / 1e6:.0f} MB, {indexed}); "
          f"median [min–max] of {runs} fresh processes:")

    def line(what: str, key: str, scale: float, unit: str, target: float | None = None) -> None:
        values = [r[key] for r in results]
        verdict = "" if target is None else (
            f"-> {'OK' if statistics.median(values) * scale <= target else 'OVER TARGET'} (target ≤ {target:g} {unit})")
        print(f"  {what:<44} {spread(values, scale, unit):>28} {verdict}")

    line("import + Catalog.load()", "load", 1, "s", LOAD_SECONDS)
    line("first lookup by id", "first_lookup", 1e3, "ms")
    line("peak RSS after load + lookup", "load_peak_mb", 1, "MB", LOAD_MB)
    line("first unknown id (builds its indexes)", "first_unknown", 1e3, "ms", SUGGEST_MS)
    line(f"unknown ids, median of {first['asked']} per process", "unknown_median", 1e3, "ms", SUGGEST_MS)
    line("unknown ids, slowest per process", "unknown_max", 1e3, "ms", SUGGEST_MS)
    line("peak RSS of the whole process", "peak_mb", 1, "MB", LOAD_MB)
    print(f"  ({first['suggested']} of {first['asked']} unknown ids got suggestions)")
    return results


def record_scale(path: Path, models: int, results: list[dict]) -> None:
    """The Performance page's 100k row: load / peak memory / first and later unknown-id suggestions."""
    from results import record

    def median(key: str, scale: float = 1.0) -> float:
        return statistics.median(r[key] for r in results) * scale

    text = (f"{models:,} models, median of {len(results)} processes: load {median('load'):.2f} s / peak "
            f"{median('peak_mb'):.0f} MB / unknown ids {median('unknown_median', 1e3):.0f} ms median (the first "
            f"{median('first_unknown', 1e3):.0f} ms)")
    record(path, "scale", {"rows": {"scale": text}, "models": models})


def compile_rows(label: str, snapshots: Path, out: Path, runs: int) -> None:
    """Compile `snapshots` into `out` in `runs` fresh processes; wall, CPU and peak against the targets."""
    results = []
    for run in range(runs):  # each into a fresh folder: comparing with an earlier run's outputs would cost time
        target = out if run == 0 else out.with_name(f"{out.name}-{run}")
        results.append(child(COMPILE, str(snapshots), str(target)))
        if run:
            shutil.rmtree(target)
    wall = statistics.median(r["seconds"] for r in results)
    peak = statistics.median(r["peak_mb"] for r in results)
    verdict = "OK" if wall < COMPILE_SECONDS and peak < COMPILE_MB else "OVER TARGET"

    def shown(key: str, unit: str) -> str:
        values = [r[key] for r in results]
        return spread(values, 1, unit) if runs > 1 else f"{values[0]:.1f} {unit}"

    print(f"compile ({label}){f', median [min–max] of {runs} runs' if runs > 1 else ''}: {shown('seconds', 's')} "
          f"wall ({shown('cpu', 's')} CPU: on a busy machine the wall time is longer; load {os.getloadavg()[0]:.1f}),"
          f" peak {shown('peak_mb', 'MB')} -> {verdict} (targets {COMPILE_SECONDS:.0f} s, {COMPILE_MB:.0f} MB)")


def compile_only(models: int, keep: Path | None, runs: int) -> int:
    """`--compile-only`: the generated listing's compile, then the real corpus's when present."""
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        listing = generate(work / "snapshots", models)
        print(f"generated {listing.name}: {models} models, {listing.stat().st_size / 1e6:.0f} MB")
        compile_rows(f"{models} models + default sources", listing.parent, work / "out", runs)
        if corpus.is_dir():
            compile_rows("the real corpus", corpus, work / "corpus", runs)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="generate and compile into this folder instead of a temp one")
    parser.add_argument("--runs", type=int, default=3, help="fresh runtime processes per bundle (default 3)")
    parser.add_argument("--record", type=Path, help="merge the 100k row into this results file (bench/results.json)")
    parser.add_argument("--compile-only", action="store_true",
                        help="only the compile figures (the listing's and the corpus's), no runtime rows")
    parser.add_argument("--compile-runs", type=int, default=1,
                        help="compile each input this many times, in fresh processes (default 1)")
    args = parser.parse_args()
    if args.compile_only:
        return compile_only(args.models, args.keep, args.compile_runs)
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        listing = generate(work / "snapshots", args.models)
        print(f"generated {listing.name}: {args.models} models, {listing.stat().st_size / 1e6:.0f} MB")
        compile_rows(f"{args.models} models + default sources", listing.parent, work / "out", args.compile_runs)
        scaled = runtime_row(f"{args.models} generated models", work / "out" / "catalog.json", args.runs)
        if args.record is not None:
            record_scale(args.record, args.models, scaled)
        if corpus.is_dir():
            child(COMPILE, str(corpus), str(work / "corpus"))
            runtime_row("the real corpus", work / "corpus" / "catalog.json", args.runs)
        else:
            print(f"no corpus at {corpus}: real-size suggestion latency not measured (set KNOLLM_CORPUS)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
