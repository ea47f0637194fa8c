"""The "Routing and failover" guide works as written: its worked configuration validates and routes calls
against fake providers (one per configured port), and its Python examples run against the fake provider server
with the outcomes the text describes (failover, key rotation, per-call strategy, streamed failover and
`StreamInterrupted`, budget downgrade and refusal, the adaptive shift). `test_site_examples` also runs its
python blocks and its `knollm` commands, as for every page."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

import knollm
from knollm.config import load_config
from knollm.testing import FakeProvider

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "src_docs" / "md" / "guides" / "routing.md"
FIXTURE = ROOT / "tests" / "fixtures" / "runtime" / "bundle.json"
FENCE = re.compile(r"^```(?P<lang>[a-z]+)[^\n]*\n(?P<body>.*?)^```\s*$", re.M | re.S)
ENV = {"ALPHA_KEY_1": "sk-test-KNOLLM-GUIDE-CANARY-A1", "ALPHA_KEY_2": "sk-test-KNOLLM-GUIDE-CANARY-A2",
       "BETA_KEY": "sk-test-KNOLLM-GUIDE-CANARY-B", "GAMMA_KEY": "sk-test-KNOLLM-GUIDE-CANARY-G"}


def blocks(lang: str) -> list[str]:
    return [m.group("body") for m in FENCE.finditer(GUIDE.read_text(encoding="utf-8")) if m.group("lang") == lang]


def test_the_guide_is_in_the_navigation() -> None:
    assert "Routing and failover: guides/routing.md" in (ROOT / "src_docs" / "mkdocs.yml").read_text("utf-8")


def test_the_worked_configuration_routes_calls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    worked = blocks("toml")[0]
    ports = sorted(set(re.findall(r"127\.0\.0\.1:(\d+)", worked)))
    assert len(ports) == 3
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(FakeProvider(keys=ENV.values())) for _ in ports]
        text = worked.replace('path = "knollm-health.sqlite"', f'path = "{(tmp_path / "h.sqlite").as_posix()}"')
        for port, server in zip(ports, servers, strict=True):
            text = text.replace(f"http://127.0.0.1:{port}", server.base_url)
        config_file = tmp_path / "knollm.toml"
        config_file.write_text(text, encoding="utf-8")
        config = load_config(config_file, env=ENV)
        route = config.routes["chat"]
        assert (route.strategy, route.max_attempts, route.timeout_s) == ("balanced", 4, 20)
        assert route.budget is not None and route.budget.daily_usd == Decimal("5")
        servers[0].script(["503"])  # alpha (first in the configured order) fails: the call goes on to beta
        ask = [{"role": "user", "content": "q"}]
        with knollm.Client(config_file, catalog=knollm.Catalog.load(FIXTURE), env=ENV) as client:
            ordered = client.chat.completions.create(model="chat", messages=ask, strategy="ordered")
            balanced = [client.chat.completions.create(model="chat", messages=ask) for _ in range(3)]
        assert [(a.provider, a.error) for a in ordered.knollm.attempts] == [("alpha", "ProviderUnavailable"),
                                                                            ("beta", None)]
        assert all(b.choices[0].message.content == "ok: q" and b.knollm.decision.strategy == "balanced"
                   for b in balanced)
        assert balanced[0].knollm.provider == "beta"  # cheapest, and alpha has just failed
    out, err = capsys.readouterr()
    assert not any(key in out + err for key in ENV.values())


def test_the_python_examples_do_what_the_text_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOLLM_BUNDLE", str(FIXTURE))
    module = types.ModuleType("knollm_routing_guide")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for number, code in enumerate(blocks("python"), 1):
            try:
                exec(compile(code, f"<routing.md python block {number}>", "exec"), namespace)
            except Exception as exc:
                raise AssertionError(f"python block {number} failed: {exc!r}\n{code}") from exc
    assert namespace["degraded"] < 0.05 < namespace["healthy"] and namespace["recovered"] > 0.2  # adaptive
    attempts = [(a.provider, a.error) for a in namespace["failed_over"].knollm.attempts]
    assert attempts == [("alpha", "ProviderUnavailable"), ("beta", None)]
    rotated = namespace["rotated"].knollm.attempts
    assert [a.provider for a in rotated] == ["alpha", "alpha"] and rotated[0].key_alias != rotated[1].key_alias
    assert namespace["cheap"].knollm.provider == "beta" and namespace["streamed"] == "ok: hello"
    assert "interrupted after 'ok: one" in printed.getvalue()
    thrifty = namespace["thrifty"].knollm
    assert (thrifty.provider, thrifty.decision.strategy) == ("beta", "cheapest")
    assert "daily 0.0001" in printed.getvalue()
    assert not any(key in printed.getvalue() for key in namespace["environment"].values())
