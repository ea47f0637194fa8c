"""Usage analytics: every call recorded in a local SQLite store, and what is read back from it.

Loaded only when used (a client whose configuration has an `[analytics]` table, or `knollm usage` and
`knollm benchmark`): `import knollm` never imports this package.

- `store`: `UsageRecord` and `UsageStore` (SQLite in WAL mode, safe with several writer processes).
- `recorder`: the client observer that turns a finished call into a record, and the background writer that
  batches the inserts off the request path.
- `report`: totals, trends, reliability, budgets, anomalies and suggestions (`knollm usage report`).
- `dashboard`: one self-contained HTML page with inline SVG charts (`knollm usage dashboard`).
- `benchmark`: live benchmarks (`knollm benchmark`) and `observed_speeds`, which the router's `fastest` and
  `balanced` strategies can use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .benchmark import ObservedSpeed, observed_speeds, seed_health
    from .recorder import BackgroundWriter, UsageRecorder, recorder_for
    from .store import UsageRecord, UsageStore, default_path

_LAZY = {"UsageRecord": "store", "UsageStore": "store", "default_path": "store", "BackgroundWriter": "recorder",
         "UsageRecorder": "recorder", "recorder_for": "recorder", "ObservedSpeed": "benchmark",
         "observed_speeds": "benchmark", "seed_health": "benchmark"}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'knollm.analytics' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


__all__ = ["BackgroundWriter", "ObservedSpeed", "UsageRecord", "UsageRecorder", "UsageStore", "default_path",
           "observed_speeds", "recorder_for", "seed_health"]
