"""Explorer benchmark in headless Chromium on the full corpus: the data fetched before the first rows (gzipped),
the time to the first painted rows, keystroke -> painted rows and the long main-thread tasks (over 50 ms, the
browser's `longtask` entries) while typing, at desktop size and at phone size with the CPU slowed 4x (DevTools
protocol `Emulation.setCPUThrottlingRate`).

Times come from the page itself, from navigation start: first rows is the first contentful paint, which is the
frame that paints the explorer's first rows (or the start of that frame, which the explorer notes, when the
controls were painted first); a keystroke is timed from the keydown event's timestamp to the frame after the
table was drawn with that keystroke's rows (requestAnimationFrame, then a task: the paint has happened).
The local server answers as the site's hosts do (GitHub Pages, nginx gzip_static/brotli_static): each data file
has the precompressed `.gz` and `.br` copies the site build writes (knollm_site.precompress) beside it, sent with its
Content-Encoding when the browser accepts it (tools/headless.py). `--assets DIR` serves another copy of
assets/explorer (e.g. an older commit's, `git archive`), to compare two versions on the same data and server.
Targets are the issue's. The machine is shared: run it twice and compare the spreads.
Usage: KNOLLM_CORPUS=../shared/model_catalog python bench/bench_explorer.py [--record bench/results.json]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from browser import browser, have_chromium, rows_preload_script, serve  # noqa: E402
from knollm_compiler.build import compile_catalog  # noqa: E402
from knollm_compiler.bundle_writer import bundle_bytes  # noqa: E402
from knollm_site.explorer_bundle import BUNDLE_NAME, bundle_source  # noqa: E402
from knollm_site.explorer_data import MORE_FILE, ROWS_FILE, explorer_document, part_bytes, published_parts  # noqa: E402
from knollm_site.precompress import compressed_copies, gzip_copy  # noqa: E402
from results import record  # noqa: E402

# As the site's explorer page: the head data and the explorer's one module file (explorer_bundle) preloaded, and
# every row too when the address holds a shared view (the page's inline script).
PRELOADS = (f'<link rel="preload" href="explorer.json" as="fetch" crossorigin="anonymous">'
            f'<link rel="modulepreload" href="{BUNDLE_NAME}">{rows_preload_script()}')
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body>{PRELOADS}<div id="knollm-explorer" data-src="explorer.json"></div>
<script type="module" src="{BUNDLE_NAME}"></script></body></html>"""
# Keystroke timing, bench-side only: the keydown's timestamp to the first frame after the explorer drew all the
# rows of the query that keystroke made (its `kx-rows` event names the query and says whether the rows are
# complete: filtering runs in slices, and a search's exact matches may be drawn before its near spellings).
# Long tasks (over 50 ms) are recorded for the typing rows.
PROBE = """
window.__kxKeys = [];
window.__kxLong = [];
new PerformanceObserver((list) => {
  for (const task of list.getEntries()) window.__kxLong.push(task.duration);
}).observe({ type: "longtask" });
document.addEventListener("keydown", (e) => { window.__kxDown = e.timeStamp; }, true);
document.addEventListener("kx-rows", (e) => {
  const box = document.querySelector("input[name=find]");
  const down = window.__kxDown;
  if (down == null || !box || e.detail.find !== box.value || !e.detail.complete) return;
  window.__kxDown = null;
  const frame = e.detail.inFrame ? (then) => then() : requestAnimationFrame; // drawn in a frame: that one paints
  frame(() => setTimeout(() => window.__kxKeys.push(performance.now() - down), 0));
}, true);
"""
# The first rows: the explorer notes the start of the frame that paints them (requestAnimationFrame) once they
# are drawn, or the time it drew them when it drew them in an animation frame (that frame paints them, as a
# keystroke's `inFrame` below); the page's first contentful paint may come sooner (a shared link's search draws
# its controls first), so the later of the two is the first rows' paint.
FIRST_ROWS = """new Promise((done) => {
  const check = () => {
    const drawn = document.querySelector("#knollm-explorer[data-first-rows=true]");
    const frame = (window.__knollmExplorer && window.__knollmExplorer.firstRowsFrameAt) || 0;
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    if (drawn && paint && frame) done(Math.max(paint.startTime, frame));
    else setTimeout(check, 5);
  };
  check();
})"""
QUERIES = ("deepseek r1", "lama 3.3 70b", "qwen3 coder", "gpt-oss")
SCENARIOS = (  # label, viewport, CPU slowdown
    ("desktop", {"width": 1280, "height": 900}, 1),
    ("phone, CPU 4x slower", {"width": 390, "height": 844}, 4),
)
LOADS = 5
FAST_KEY_MS = 40  # a quick typist: the keys of one query come faster than its rows at 4x slowdown
LONG_TASK_AIM = 50  # no task over this while typing (a long task, by the browser's definition)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, help="merge the figures into this JSON results file")
    parser.add_argument("--assets", type=Path, default=REPO / "assets" / "explorer",
                        help="the explorer's assets to serve (default: this tree's assets/explorer)")
    args = parser.parse_args(argv)
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    if not have_chromium():
        print("bench_explorer: no Chromium at /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    snapshots = corpus if corpus.is_dir() else None
    result = compile_catalog(REPO / "catalog", snapshots, use_genai_prices=True, use_models_dev=True)
    parts = {name or "explorer.json": part_bytes(part)
             for name, part in published_parts(explorer_document(orjson.loads(bundle_bytes(result.bundle)))).items()}
    sizes = {name: len(gzip_copy(data)) for name, data in parts.items()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in parts.items():
            write_precompressed(root / name, data)
        for asset in args.assets.iterdir():
            shutil.copy(asset, root / asset.name)
        write_precompressed(root / BUNDLE_NAME, bundle_source(args.assets).encode("utf-8"))
        (root / "index.html").write_text(PAGE, encoding="utf-8")
        figures = measure(root)
    models = len(result.bundle.models)
    figures["data_kb_gz"] = {"head": sizes["explorer.json"] / 1000, "rows": sizes[ROWS_FILE] / 1000,
                             "more": sizes[MORE_FILE] / 1000}
    figures["models"] = models
    report(figures, "full corpus" if snapshots else "default sources")
    if args.record:
        record(args.record, "explorer", figures)
    return 0


def write_precompressed(path: Path, data: bytes) -> None:
    """`data` at `path`, with the same `.gz` and `.br` copies the site build writes beside it."""
    path.write_bytes(data)
    for name, copy in compressed_copies(path.name, data):
        path.with_name(name).write_bytes(copy)


def measure(root: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with serve(root) as base, browser() as chromium:
        for label, viewport, slowdown in SCENARIOS:
            firsts = [first_rows(chromium, base, viewport, slowdown) for _ in range(LOADS)]
            shared = [first_rows(chromium, base, viewport, slowdown, "?find=llama") for _ in range(LOADS)]
            keys, long_tasks = keystrokes(chromium, base, viewport, slowdown)
            figures[label] = {"first_rows_ms": summary(firsts), "shared_link_first_rows_ms": summary(shared),
                              "keystroke_ms": summary(keys),
                              "typing_longest_task_ms": round(max(long_tasks, default=0.0), 1),
                              "typing_long_tasks": len(long_tasks)}
    return figures


def open_tab(chromium: Any, viewport: dict[str, int], slowdown: int) -> tuple[Any, Any]:
    context = chromium.new_context(viewport=viewport)  # a new context: nothing cached from the last load
    page = context.new_page()
    if slowdown > 1:
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    return context, page


def first_rows(chromium: Any, base: str, viewport: dict[str, int], slowdown: int, query: str = "") -> float:
    context, page = open_tab(chromium, viewport, slowdown)
    page.goto(base + "index.html" + query, wait_until="commit")
    painted = float(page.evaluate(FIRST_ROWS))
    context.close()
    return painted


def keystrokes(chromium: Any, base: str, viewport: dict[str, int], slowdown: int) -> tuple[list[float], list[float]]:
    """Keystroke -> painted rows, one key at a time (each waits for its rows); and the long tasks (ms) seen
    while typing, key by key and then quickly (FAST_KEY_MS apart, the rows of each query checked at the end)."""
    context, page = open_tab(chromium, viewport, slowdown)
    page.add_init_script(PROBE)
    page.goto(base + "index.html")
    page.wait_for_selector("#knollm-explorer[data-ready=true]")
    page.wait_for_timeout(500)  # the idle-time text index build
    measured: list[float] = []
    page.evaluate("window.__kxLong = []")
    for query in QUERIES:
        clear_search(page)
        page.evaluate("window.__kxKeys = []")
        for count, letter in enumerate(query, start=1):
            page.keyboard.type(letter)
            page.wait_for_function(f"window.__kxKeys.length >= {count}")
        measured += [float(x) for x in page.evaluate("window.__kxKeys")]
    for query in QUERIES:
        clear_search(page)
        page.keyboard.type(query, delay=FAST_KEY_MS)
        page.wait_for_function("!document.querySelector('#knollm-explorer').dataset.filtering")
        shown = page.evaluate("window.__knollmExplorer.drawnFind")
        if shown != query:
            print(f"bench_explorer: after typing {query!r} the rows drawn are those of {shown!r}", file=sys.stderr)
    long_tasks = [float(x) for x in page.evaluate("window.__kxLong")]
    context.close()
    return measured, long_tasks


def clear_search(page: Any) -> None:
    page.fill("input[name=find]", "")
    page.focus("input[name=find]")
    page.wait_for_function("!document.querySelector('#knollm-explorer').dataset.filtering")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done, 10)))")


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p90": round(p90, 1), "min": round(ordered[0], 1),
            "max": round(ordered[-1], 1), "n": len(ordered)}


def report(figures: dict[str, Any], corpus: str) -> None:
    data = figures["data_kb_gz"]
    print(f"explorer over {figures['models']} models ({corpus}); times in ms: median / p90 (min-max, n)")
    print(f"  data before first rows (head): {data['head']:.1f} KB gzipped (target <= 200 KB) -> "
          f"{'OK' if data['head'] <= 200 else 'OVER'}; then every row {data['rows']:.0f} KB, the rest "
          f"{data['more']:.0f} KB gzipped")
    targets = {"desktop": (300, 33, 50), "phone, CPU 4x slower": (1500, 150, None)}
    for label, (first_target, key_target, p90_target) in targets.items():
        row = figures[label]
        first, shared, keys = row["first_rows_ms"], row["shared_link_first_rows_ms"], row["keystroke_ms"]
        print(f"  {label}: first rows {line(first)} (target <= {first_target}) -> "
              f"{'OK' if first['median'] <= first_target else 'OVER'}; a shared link's first rows {line(shared)}")
        keys_ok = keys["median"] <= key_target and (p90_target is None or keys["p90"] <= p90_target)
        p90_text = f", p90 <= {p90_target}" if p90_target else ""
        print(f"  {label}: keystroke -> painted rows {line(keys)} (target median <= {key_target}{p90_text}) -> "
              f"{'OK' if keys_ok else 'OVER'}")
        longest, count = row.get("typing_longest_task_ms"), row.get("typing_long_tasks")
        if count == 0:
            print(f"  {label}: while typing no main-thread task over {LONG_TASK_AIM} ms -> OK")
        elif count is not None:
            print(f"  {label}: while typing {count} main-thread tasks over {LONG_TASK_AIM} ms, the longest "
                  f"{longest:.0f} ms (aim: none) -> OVER")


def line(values: dict[str, float]) -> str:
    return f"{values['median']:.0f} / {values['p90']:.0f} ({values['min']:.0f}-{values['max']:.0f}, n={values['n']})"


if __name__ == "__main__":
    raise SystemExit(main())
