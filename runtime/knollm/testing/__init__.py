"""Test helpers that ship with the runtime (standard library only; never imported by `import knollm`).

- `FakeProvider`: a fault-injecting fake of the OpenAI, Anthropic and Gemini APIs on 127.0.0.1
  (see `knollm.testing.fake_provider`; `python -m knollm.testing.fake_provider --help`).
- `FakeProviderProcess`: the same server in a child process (benchmarks: no GIL shared with the client).
- `CANARY_KEYS`: recognisable fake keys; tests send them and grep every captured output for them, so a leak of a
  key into a log, a message or a repr is caught.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fake_faults import ROUTES, parse_fault
    from .fake_handler import RecordedRequest
    from .fake_process import FakeProviderProcess
    from .fake_provider import FakeProvider

CANARY_KEYS = ("sk-test-KNOLLM-LEAK-CANARY-0001", "sk-test-KNOLLM-LEAK-CANARY-0002")

# Loaded on first use: `python -m knollm.testing.fake_provider` must find its module not yet imported by the
# package (runpy warns otherwise).
_LAZY = {"ROUTES": "fake_faults", "parse_fault": "fake_faults", "RecordedRequest": "fake_handler",
         "FakeProviderProcess": "fake_process", "FakeProvider": "fake_provider"}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'knollm.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


__all__ = ["CANARY_KEYS", "ROUTES", "FakeProvider", "FakeProviderProcess", "RecordedRequest", "parse_fault"]
