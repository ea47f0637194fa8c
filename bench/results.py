"""The committed benchmark results (bench/results.json): each benchmark merges its figures under its own name
with `--record`, and the site's Performance page is generated from the file (knollm_site.performance)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import orjson


def record(path: Path, section: str, figures: dict[str, Any]) -> None:
    """Merge `figures` into the JSON file at `path` under `section`, with the time and the machine's CPU count."""
    results = orjson.loads(path.read_bytes()) if path.is_file() else {}
    results[section] = {**figures, "measured_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        "cpus": os.cpu_count()}
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
