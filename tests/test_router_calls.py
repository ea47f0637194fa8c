"""Routed calls against fake providers: key rotation under 429s, a dead key retired after its first 401, cooldown
then recovery, Retry-After honoured, failover before a stream's first token and `StreamInterrupted` after it,
per-call strategies, exclusions, and the decision carried in `.knollm` (the same `knollm route` prints)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from knollm.client.errors import NoCandidate, ProviderError, StreamInterrupted
from knollm.errors import InvalidArgument
from knollm.router.health import COOLDOWN_BASE_S, FAILURES_TO_COOL, HealthStore
from knollm.router.route import Router, process_health
from router_helpers import KEYS, ask, assert_no_key_in, fakes

ONE = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\n'
CHAIN = '[routes.chain]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat", "gamma/tiny-chat"]\n'


def test_key_rotation_under_429s_cools_only_that_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1", "ALPHA_KEY_2"]}, ONE) as env, env.client() as client:
        env.servers["alpha"].script(["429:30"])
        first = client.chat.completions.create(model="chat", messages=ask("one"))
        info = first.knollm
        assert first.choices[0].message.content == "ok: one"
        assert [a.error for a in info.attempts] == ["RateLimited", None]
        limited, answered = info.attempts[0].key_alias, info.attempts[1].key_alias
        assert limited != answered and info.key_alias == answered  # the same provider, the other key, at once
        for n in range(4):  # the limited key cools (for its Retry-After); the other carries on
            again = client.chat.completions.create(model="chat", messages=ask(f"again {n}"))
            assert len(again.knollm.attempts) == 1 and again.knollm.key_alias == answered
            assert any(limited in cid and "cooling" in why for cid, why in again.knollm.decision.excluded)
        states = {h.key: h.state(time.time()) for h in process_health().snapshot()}
        assert states == {limited: "cooling", answered: "healthy"}
        print(first.knollm, again.knollm)
    assert_no_key_in(*capsys.readouterr())


def test_dead_key_is_retired_after_its_first_401(tmp_path: Path) -> None:
    with fakes(tmp_path, {"alpha": ["DEAD_KEY", "ALPHA_KEY_1"]}, ONE) as env, env.client() as client:
        infos = [client.chat.completions.create(model="chat", messages=ask(f"q{n}")).knollm for n in range(6)]
        dead_sends = [k for k in env.sent_keys("alpha") if k == KEYS["DEAD_KEY"][-4:]]
        assert len(dead_sends) <= 1  # at most its first use: then it is retired for the process
        assert all(i.key_alias == "env:ALPHA_KEY_1" for i in infos)
        assert all(i.retired_keys == ("alpha env:DEAD_KEY",) for i in infos[5:]) or not dead_sends


def test_retired_key_is_named_in_the_metadata_and_never_tried_again(tmp_path: Path) -> None:
    with fakes(tmp_path, {"alpha": ["DEAD_KEY"], "beta": ["BETA_KEY_1"]},
               '[routes.chat]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat"]\n') as env, env.client() as client:
        first = client.chat.completions.create(model="chat", messages=ask("x")).knollm
        assert [(a.provider, a.error, a.key_alias) for a in first.attempts] == [
            ("alpha", "AuthenticationFailed", "env:DEAD_KEY"), ("beta", None, "env:BETA_KEY_1")]
        assert first.retired_keys == ("alpha env:DEAD_KEY",)
        second = client.chat.completions.create(model="chat", messages=ask("y")).knollm
        assert [a.provider for a in second.attempts] == ["beta"]
        assert dict(second.decision.excluded)["alpha/tiny-chat"].startswith("key retired (401 AuthenticationFailed)")
        assert len(env.sent_keys("alpha")) == 1


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_cooldown_then_half_open_probe_then_recovery(tmp_path: Path) -> None:
    clock = Clock()
    with fakes(tmp_path, {"beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]},
               '[routes.chat]\ncandidates = ["beta/tiny-chat", "gamma/tiny-chat"]\n') as env, env.client() as client:
        client.router = Router(HealthStore(clock=clock))
        env.servers["beta"].script(["503"] * FAILURES_TO_COOL)
        for n in range(FAILURES_TO_COOL):
            info = client.chat.completions.create(model="chat", messages=ask(f"a{n}")).knollm
            assert [a.provider for a in info.attempts] == ["beta", "gamma"]
        cooled = client.chat.completions.create(model="chat", messages=ask("b")).knollm
        assert [a.provider for a in cooled.attempts] == ["gamma"]  # beta is cooling: not even tried
        assert "cooling down" in dict(cooled.decision.excluded)["beta/tiny-chat"]
        clock.now += COOLDOWN_BASE_S + 0.5  # the cooldown ended: one probe goes to beta, and it answers
        probe = client.chat.completions.create(model="chat", messages=ask("c")).knollm
        assert [a.provider for a in probe.attempts] == ["beta"]
        health = {h.provider: h.state(clock.now) for h in client.router.store(client.config).snapshot()}
        assert health == {"beta": "healthy", "gamma": "healthy"}


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\nmax_attempts = 2\n'
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, route) as env, env.client() as client:
        env.servers["alpha"].script(["429:1"])
        started = time.perf_counter()
        result = client.chat.completions.create(model="chat", messages=ask("patience"))
        waited = time.perf_counter() - started
    assert result.choices[0].message.content == "ok: patience"
    assert [a.error for a in result.knollm.attempts] == ["RateLimited", None]
    print(f"Retry-After: 1 s; the call took {waited:.2f} s")
    assert waited >= 1.0  # waited at least what the provider asked


def test_a_deadline_ends_the_waiting(tmp_path: Path) -> None:
    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\nmax_attempts = 3\ndeadline_s = 0.5\n'
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, route) as env, env.client() as client:
        env.servers["alpha"].script(["429:20"])
        with pytest.raises(ProviderError) as raised:
            client.chat.completions.create(model="chat", messages=ask("hurry"))
    assert len(raised.value.attempts) == 1  # a 20 s Retry-After does not fit a 0.5 s deadline


def test_stream_fails_over_before_its_first_token(tmp_path: Path) -> None:
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]},
               CHAIN) as env, env.client() as client:
        env.servers["alpha"].script(["cut_start"])
        env.servers["beta"].script(["503"])
        stream = client.chat.completions.create(model="chain", messages=ask("stream me please"), stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "ok: stream me please"
    assert [(a.provider, a.status) for a in stream.knollm.attempts] == [
        ("alpha", "failed"), ("beta", "failed"), ("gamma", "ok")]


def test_stream_interrupted_after_its_first_token_carries_the_text(tmp_path: Path) -> None:
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"]},
               '[routes.chat]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat"]\n') as env, env.client() as client:
        env.servers["alpha"].script(["cut_mid"])
        received = []
        with pytest.raises(StreamInterrupted) as raised:
            for chunk in client.chat.completions.create(model="chat", messages=ask("one two three four five six"),
                                                        stream=True):
                received.extend(c.delta.content or "" for c in chunk.choices)
        assert not env.sent_keys("beta")  # no failover once text reached the caller: it would repeat it
    assert raised.value.text_so_far == "".join(received) and raised.value.text_so_far.startswith("ok: one")
    assert [a.error for a in raised.value.attempts] == ["StreamInterrupted"]


def test_async_rotation_and_stream_failover(tmp_path: Path) -> None:
    async def run(env) -> None:  # type: ignore[no-untyped-def]
        async with env.aclient() as client:
            env.servers["alpha"].script(["429:30"])
            plain = await client.chat.completions.create(model="chat", messages=ask("a"))
            assert [a.error for a in plain.knollm.attempts] == ["RateLimited", None]
            env.servers["alpha"].script(["cut_start"])
            stream = await client.chat.completions.create(model="chat", messages=ask("b c"), stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            assert text == "ok: b c" and [a.error for a in stream.knollm.attempts] == ["StreamInterrupted", None]

    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\nmax_attempts = 3\n'
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1", "ALPHA_KEY_2", "ALPHA_KEY_3"]}, route) as env:
        asyncio.run(run(env))


def test_strategy_per_call_overrides_the_route(tmp_path: Path) -> None:
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]},
               CHAIN) as env, env.client() as client:
        ordered = client.chat.completions.create(model="chain", messages=ask("x")).knollm
        cheapest = client.chat.completions.create(model="chain", messages=ask("x"), strategy="cheapest").knollm
        assert (ordered.provider, ordered.decision.strategy) == ("alpha", "ordered")
        assert (cheapest.provider, cheapest.decision.strategy) == ("beta", "cheapest")
        assert [c.id for c in cheapest.decision.candidates] == ["beta/tiny-chat", "gamma/tiny-chat",
                                                                "alpha/tiny-chat"]
        assert "strategy" not in env.servers["beta"].requests[-1].body  # knollm's parameter, not the provider's
        with pytest.raises(InvalidArgument, match="unknown strategy 'priciest'"):
            client.chat.completions.create(model="chain", messages=ask("x"), strategy="priciest")


def test_exclusions_and_stop_on(tmp_path: Path) -> None:
    routes = ('[routes.chain]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat", "gamma/tiny-chat"]\n'
              'deny = ["gamma"]\nmax_price_per_mtok = "5"\n'
              '[routes.lenient]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat"]\nstop_on = []\n'
              '[routes.nobody]\ncandidates = ["alpha/tiny-chat"]\nallow = ["delta"]\n')
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]},
               routes) as env, env.client() as client:
        info = client.chat.completions.create(model="chain", messages=ask("x"), max_tokens=50).knollm
        excluded = dict(info.decision.excluded)
        assert excluded["gamma/tiny-chat"] == "a denied provider"
        assert excluded["alpha/tiny-chat"].startswith("over the maximum price")
        assert info.provider == "beta"
        env.servers["beta"].script(["400"])
        with pytest.raises(ProviderError) as raised:  # a request every provider would refuse: no failover
            client.chat.completions.create(model="chain", messages=ask("bad"))
        assert raised.value.status == 400 and len(raised.value.attempts) == 1
        env.servers["alpha"].script(["400"])
        lenient = client.chat.completions.create(model="lenient", messages=ask("retry")).knollm
        assert [a.provider for a in lenient.attempts] == ["alpha", "beta"]
        with pytest.raises(NoCandidate, match="not in the allowed providers"):
            client.chat.completions.create(model="nobody", messages=ask("x"))
