"""Health shared between processes through `[health] path`, shown by `knollm health`; `knollm route` prints the
decision a real call carries in `.knollm`; a route over a family."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from knollm.health_commands import NO_CALLS, key_states
from router_helpers import FIXTURE, KEYS, ask, assert_no_key_in, fakes

TWO = '[routes.chat]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat"]\n'


def knollm(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **KEYS, "KNOLLM_CONFIG": str(config), "KNOLLM_BUNDLE": str(FIXTURE)}
    return subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def test_health_is_shared_between_processes_and_shown(tmp_path: Path) -> None:
    health = f'[health]\npath = "{tmp_path / "health.sqlite"}"\n'
    keys = {"alpha": ["DEAD_KEY"], "beta": ["BETA_KEY_1", "BETA_KEY_2"]}
    with fakes(tmp_path, keys, health + TWO) as env:
        with env.client() as client:
            env.servers["beta"].script(["429:60"])
            info = client.chat.completions.create(model="chat", messages=ask("first"), max_tokens=5).knollm
        assert [(a.provider, a.error) for a in info.attempts] == [
            ("alpha", "AuthenticationFailed"), ("beta", "RateLimited"), ("beta", None)]
        # Another process reads the same store: it never sends the retired key, nor to the cooling one.
        done = knollm(env.config, "chat", "chat", "second", "--json")
        assert done.returncode == 0, done.stderr
        second = json.loads(done.stdout)["knollm"]
        assert [a["provider"] for a in second["attempts"]] == ["beta"] and second["key_alias"] == info.key_alias
        assert len(env.sent_keys("alpha")) == 1
        shown = knollm(env.config, "health", "--json")
        table = knollm(env.config, "health")
    assert shown.returncode == 0, shown.stderr
    states = {(k["provider"], k["key"]): k for k in json.loads(shown.stdout)["keys"]}
    assert states[("alpha", "env:DEAD_KEY")]["state"] == "retired (401 AuthenticationFailed)"
    cooled = states[("beta", info.attempts[1].key_alias or "")]
    assert cooled["state"].startswith("cooling until ") and cooled["cooling_until"]
    answered = states[("beta", info.key_alias or "")]
    assert answered["state"] == "ok" and answered["calls"] == 2
    assert "retired (401 AuthenticationFailed)" in table.stdout and "health store" in table.stdout
    assert_no_key_in(done.stdout, done.stderr, shown.stdout, table.stdout, table.stderr)


def test_health_without_a_store_lists_the_configured_keys(tmp_path: Path) -> None:
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, TWO.replace('"beta/tiny-chat"', '"alpha/tiny-chat"')) as env:
        states, path = key_states(str(env.config), None)
        table = knollm(env.config, "health")
    assert path is None and [(s.provider, s.key, s.state) for s in states] == [("alpha", "env:ALPHA_KEY_1", NO_CALLS)]
    assert "kept in each process's memory" in table.stdout


def test_knollm_route_prints_the_decision_a_call_carries(tmp_path: Path) -> None:
    routes = ('[routes.chain]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat", "gamma/tiny-chat"]\n'
              'strategy = "cheapest"\ndeny = ["gamma"]\n')
    keys = {"alpha": ["ALPHA_KEY_1", "ALPHA_KEY_2"], "beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]}
    with fakes(tmp_path, keys, routes) as env, env.client() as client:
        info = client.chat.completions.create(model="chain", messages=ask("x"), max_tokens=20).knollm
        done = knollm(env.config, "route", "chain", "--input-tokens", "1", "--max-tokens", "20", "--json")
    assert done.returncode == 0, done.stderr
    explained = json.loads(done.stdout)
    assert info.decision is not None and info.decision.strategy == explained["strategy"] == "cheapest"
    assert [c.id for c in info.decision.candidates] == [c["id"] for c in explained["candidates"]]
    assert dict(info.decision.excluded) == explained["excluded"] == {"gamma/tiny-chat": "a denied provider"}
    assert info.decision.choice == explained["choice"] == "beta/tiny-chat"
    assert {c.id for c in info.decision.candidates[1:]} == {"alpha/tiny-chat [env:ALPHA_KEY_1]",
                                                             "alpha/tiny-chat [env:ALPHA_KEY_2]"}


def test_a_route_over_a_family(tmp_path: Path) -> None:
    route = '[routes.big]\nfamily = "llama-4-70b"\nstrategy = "ordered"\n'
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, route) as env:
        hostco = (f'[providers.hostco]\nbase_url = "{env.servers["alpha"].base_url}/v1"\napi = "openai"\n'
                  'keys = ["env:BETA_KEY_1"]\n')
        env.config.write_text(env.config.read_text(encoding="utf-8") + hostco, encoding="utf-8")
        with env.client() as client:
            result = client.chat.completions.create(model="big", messages=ask("family"))
    assert result.knollm.provider == "hostco" and result.knollm.family == "llama-4-70b"
    assert "no key" in dict(result.knollm.decision.excluded)["routr/meta/llama-4-70b"]
