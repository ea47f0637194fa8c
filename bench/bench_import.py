"""Import benchmark: what `import knollm` costs a program, against `import genai_prices` (a peer price library,
installed by the build extra), measured in the same run with `python -X importtime`, each in a fresh interpreter.

The figure is the cumulative time of the package's own line in the importtime report (the package and
everything it imports that the interpreter had not loaded yet), median of `--runs` runs. No timing is asserted;
on a shared machine the absolute figures are noisy, the ratio less so.

Usage: python bench/bench_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

PACKAGES = ("knollm", "genai_prices")


def import_microseconds(package: str, python: str = sys.executable) -> int:
    """Cumulative microseconds of `import package` in a fresh interpreter, from `-X importtime`."""
    result = subprocess.run([python, "-X", "importtime", "-c", f"import {package}"],
                            capture_output=True, text=True, check=True)
    return cumulative(result.stderr, package)


def cumulative(importtime_report: str, package: str) -> int:
    """The cumulative column of `package`'s own line (`import time: self | cumulative | name`)."""
    for line in importtime_report.splitlines():
        fields = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == package and fields[1].isdigit():
            return int(fields[1])
    raise ValueError(f"no importtime line for {package!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per package (default: 15)")
    args = parser.parse_args()
    medians = {}
    for package in PACKAGES:
        import_microseconds(package)  # warm the file system cache and the bytecode
        runs = [import_microseconds(package) for _ in range(args.runs)]
        medians[package] = statistics.median(runs)
        print(f"import {package:<13} median {medians[package] / 1000:7.1f} ms  "
              f"(min {min(runs) / 1000:.1f}, max {max(runs) / 1000:.1f}; {args.runs} runs)")
    ratio = medians["knollm"] / medians["genai_prices"]
    print(f"knollm / genai_prices: {ratio:.2f}x")


if __name__ == "__main__":
    main()
