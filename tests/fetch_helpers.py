"""Shared by the fetch tests: a knollm.toml pointing providers at the fake server, and a fetch run."""

from __future__ import annotations

from pathlib import Path

from knollm.testing import CANARY_KEYS, FakeProvider

CATALOG = Path(__file__).resolve().parents[1] / "catalog"
THREE = ["openai", "anthropic", "gemini"]
KEY_ENV = {"OPENAI_API_KEY": CANARY_KEYS[0], "ANTHROPIC_API_KEY": CANARY_KEYS[0], "GOOGLE_API_KEY": CANARY_KEYS[1]}


def write_config(tmp_path: Path, server: FakeProvider) -> Path:
    """A knollm.toml pointing the three dialects' providers at the fake server."""
    base = {"openai": "/v1", "anthropic": "/v1", "gemini": "/v1beta"}
    text = "".join(f'[providers.{pid}]\nbase_url = "{server.base_url}{path}"\n\n' for pid, path in base.items())
    path = tmp_path / "knollm.toml"
    path.write_text(text, encoding="utf-8")
    return path


def fetch(tmp_path: Path, server: FakeProvider, out: Path, *extra: str, env: dict[str, str] | None = None) -> int:
    from knollm_compiler.fetch.command import main

    argv = ["--out", str(out), "--config", str(write_config(tmp_path, server)), "--quiet", *extra]
    for pid in THREE:
        argv += ["--provider", pid]
    return main(argv, env=KEY_ENV if env is None else env)


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        for key in CANARY_KEYS:
            assert key not in text


def folder_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json")))
