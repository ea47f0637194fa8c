"""Shared pieces of the usage-analytics tests: a knollm.toml for the fake provider with `[analytics]`, and
usage records made by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knollm.analytics.store import UsageRecord
from knollm.testing import CANARY_KEYS

KEY = CANARY_KEYS[0]
ENV = {"ALPHA_KEY": KEY, "BETA_KEY": CANARY_KEYS[1]}
BUNDLE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
HOSTILE = "<img src=x onerror=alert(1)>\x1b[31m\x07"
"""A model name no output may act on: markup, an escape sequence, a bell."""


def write_config(directory: Path, base_url: str, *, analytics: str = 'path = "usage.sqlite"') -> Path:
    path = directory / "knollm.toml"
    path.write_text(f"""
[providers.alpha]
base_url = "{base_url}/v1"
api = "openai"
keys = ["env:ALPHA_KEY"]

[providers.beta]
base_url = "{base_url}/v1"
api = "anthropic"
keys = ["env:BETA_KEY"]

[models."alpha/tiny-chat"]
input_per_mtok = "0.10"
output_per_mtok = "0.40"

[models."beta/tiny-chat"]
input_per_mtok = "1"
output_per_mtok = "2"

[routes.chat]
candidates = ["alpha/tiny-chat", "beta/tiny-chat"]

[analytics]
{analytics}
""", encoding="utf-8")
    return path


def record(ts: float, **changes: Any) -> UsageRecord:
    fields: dict[str, Any] = {
        "ts": ts, "profile": None, "route": "chat", "provider": "alpha", "model": "alpha/tiny-chat",
        "family": None, "key_alias": "env:ALPHA_KEY", "prompt_tokens": 100, "completion_tokens": 20,
        "cost_usd": "0.001", "latency_s": 0.5, "ttft_s": None, "status": "ok", "error_class": None, "attempts": 1,
    }
    fields.update(changes)
    return UsageRecord(**fields)


def assert_no_key(*texts: str | bytes) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        assert not [key for key in CANARY_KEYS if key.encode() in data]
