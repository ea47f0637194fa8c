"""The Performance page's table, from the committed benchmark results (`bench/results.json`, written by
`make bench`, whose benchmarks merge their figures into it with `--record`).

Each row of the table is one target of the performance work: what is measured, the latest figure, the target.
A section not recorded yet shows as such, never as a made-up or zero figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from .escape import escape_md, escape_md_spans
from .load import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results.json"
NOT_RECORDED = "not recorded yet (`make bench`)"
RUNTIME_ROWS = (  # key in results["runtime"]["rows"], what, target
    ("cold", "cold: import + load + one estimate", "≤ 0.5x genai-prices' time, ≤ 1.0x its peak memory"),
    ("estimate", "estimate_cost, warm", "≥ 15x faster than genai-prices' `calc_price`"),
    ("lookup", "lookup by id, warm", "≤ 0.5 µs; first ≤ 1 ms"),
    ("search", "filtered text search (20 hits)", "≤ 2 ms; first ≤ 20 ms"),
    ("filter", "structured filter + sort, no text", "≤ 3 ms"),
    ("scale", "100k models: load / peak memory / unknown-id suggestions", "≤ 1 s / ≤ 200 MB / ≤ 100 ms"),
)
DESKTOP, PHONE = "desktop", "phone, CPU 4x slower"


def load_results(path: Path = RESULTS) -> dict[str, Any]:
    """The results file as a dict; empty when it is absent or unreadable (the page then says so)."""
    try:
        results = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return results if isinstance(results, dict) else {}


def _ms(figures: Any) -> str:
    """`median ms (p90 ms)` of one summary, or the not-recorded text."""
    if not isinstance(figures, dict) or not isinstance(figures.get("median"), int | float):
        return NOT_RECORDED
    return f"median {figures['median']:.0f} ms, p90 {figures['p90']:.0f} ms (n={figures.get('n', '?')})"


def explorer_rows(explorer: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The explorer's rows of the table: (what, latest figure, target)."""
    desktop, phone = explorer.get(DESKTOP) or {}, explorer.get(PHONE) or {}
    data = explorer.get("data_kb_gz") or {}
    head = data.get("head")
    data_text = NOT_RECORDED if not isinstance(head, int | float) else (
        f"{head:.1f} KB gzipped (the default view's first rows); then every row {data.get('rows', 0):.0f} KB and "
        f"the rest {data.get('more', 0):.0f} KB, after the first paint")
    return [
        ("explorer first rows (desktop, local server)",
         f"desktop: {_ms(desktop.get('first_rows_ms'))}; phone, CPU 4x slower: {_ms(phone.get('first_rows_ms'))}",
         "≤ 300 ms; ≤ 1.5 s with the CPU slowed 4x at phone size"),
        ("explorer keystroke → painted rows",
         f"desktop: {_ms(desktop.get('keystroke_ms'))}; phone, CPU 4x slower: {_ms(phone.get('keystroke_ms'))}",
         "median ≤ 33 ms, p90 ≤ 50 ms; ≤ 150 ms at 4x slowdown"),
        ("explorer first rows of a shared link (a search in the address)",
         f"desktop: {_ms(desktop.get('shared_link_first_rows_ms'))}; "
         f"phone, CPU 4x slower: {_ms(phone.get('shared_link_first_rows_ms'))}",
         "≤ 300 ms; ≤ 1.5 s with the CPU slowed 4x at phone size"),
        ("explorer main-thread tasks over 50 ms while typing",
         f"desktop: {_long_tasks(desktop)}; phone, CPU 4x slower: {_long_tasks(phone)}",
         "filtering never blocks a frame (time slices a newer keystroke cancels)"),
        ("explorer data on first view", data_text, "≤ 200 KB gzipped before first rows"),
    ]


def _long_tasks(figures: dict[str, Any]) -> str:
    """How many long tasks the typing passes saw and the longest, or the not-recorded text."""
    count, longest = figures.get("typing_long_tasks"), figures.get("typing_longest_task_ms")
    if not isinstance(count, int) or not isinstance(longest, int | float):
        return NOT_RECORDED
    return "none" if count == 0 else f"{count}, the longest {longest:.0f} ms"


def runtime_rows(runtime: dict[str, Any], scale: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """The runtime's rows: the text its benchmarks recorded per row (bench_runtime in `runtime`, bench_scale in
    `scale`), or the not-recorded text."""
    recorded: dict[str, Any] = {}
    for section in (runtime, scale or {}):
        rows = section.get("rows")
        recorded.update(rows if isinstance(rows, dict) else {})
    return [(what, str(recorded.get(key) or NOT_RECORDED), target) for key, what, target in RUNTIME_ROWS]


def performance_markdown(results: dict[str, Any]) -> str:
    """The table of every target, with when and where each section was measured."""
    runtime, explorer, scale = (results.get(name) or {} for name in ("runtime", "explorer", "scale"))
    lines = ["| what | latest `make bench` | target |", "| --- | --- | --- |"]
    lines += [f"| {escape_md(what)} | {escape_md_spans(value)} | {escape_md_spans(target)} |"
              for what, value, target in [*runtime_rows(runtime, scale), *explorer_rows(explorer)]]
    notes = [f"{name}: measured {section['measured_at']} on {section.get('cpus', '?')} CPUs"
             + (f", {section['models']:,} models" if isinstance(section.get("models"), int) else "")
             for name, section in (("runtime", runtime), ("100k scale", scale), ("explorer", explorer))
             if isinstance(section, dict) and section.get("measured_at")]
    return "\n".join(lines) + ("\n\n" + "; ".join(escape_md(n) for n in notes) + "." if notes else "")
