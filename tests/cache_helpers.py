"""Shared pieces of the response cache and `knollm.multi` tests: a configuration of three fake providers (one
per API) on the fake server, with exact prices, and clients over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import knollm
from knollm.config import Config
from knollm.testing import CANARY_KEYS, FakeProvider

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
ENV = {"FAKE_KEY": CANARY_KEYS[0]}
BASES = {"openai": "/v1", "anthropic": "/v1", "gemini": "/v1beta"}
HI = [{"role": "user", "content": "say hi"}]


def config(server: FakeProvider, tmp_path: Path, cache: dict[str, Any] | None = None,
           routes: dict[str, Any] | None = None) -> Config:
    """Providers fake-openai, fake-anthropic, fake-gemini (model tiny-chat, $1 / $2 per million tokens), the route
    `chat` (cached) over them, and the cache file in `tmp_path`."""
    providers = {f"fake-{api}": {"base_url": f"{server.base_url}{prefix}", "api": api, "keys": ["env:FAKE_KEY"],
                                 "timeout_s": 5} for api, prefix in BASES.items()}
    models = {f"fake-{api}/tiny-chat": {"input_per_mtok": "1", "output_per_mtok": "2"} for api in BASES}
    return Config.model_validate({
        "providers": providers, "models": models,
        "routes": routes or {"chat": {"candidates": ["fake-openai/tiny-chat"], "cache": True}},
        "cache": {"path": str(tmp_path / "cache.sqlite"), **(cache or {})},
    })


def client(server: FakeProvider, tmp_path: Path, **changes: Any) -> knollm.Client:
    return knollm.Client(config(server, tmp_path, **changes), catalog=knollm.Catalog.load(FIXTURE), env=ENV)


def async_client(server: FakeProvider, tmp_path: Path, **changes: Any) -> knollm.AsyncClient:
    return knollm.AsyncClient(config(server, tmp_path, **changes), catalog=knollm.Catalog.load(FIXTURE), env=ENV)
