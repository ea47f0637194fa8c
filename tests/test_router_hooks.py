"""The router's hooks and waits: a budget guard (refuse before any call, downgrade to another strategy, the
actual cost recorded after), a scorer for the `adaptive` strategy, rate limits waited out by threads and by
tasks (a short window stands in for the minute), and `knollm health` in process."""

from __future__ import annotations

import asyncio
import io
import time
from decimal import Decimal
from pathlib import Path

import pytest

from knollm.errors import KnollmError
from knollm.render import Output
from knollm.router import limits
from knollm.router.choose import Decision
from router_helpers import ask, fakes

CHAIN = '[routes.chain]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat", "gamma/tiny-chat"]\n'
THREE = {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]}


class Refused(KnollmError):
    pass


class Guard:
    def __init__(self, answer: str | None = None, refuse: bool = False) -> None:
        self.answer, self.refuse = answer, refuse
        self.checked: list[tuple[str, Decimal | None]] = []
        self.recorded: list[tuple[str, Decimal | None]] = []

    def check(self, route: str, estimate: Decimal | None) -> str | None:
        self.checked.append((route, estimate))
        if self.refuse:
            raise Refused("over budget")
        return self.answer

    def record(self, route: str, cost: Decimal | None) -> None:
        self.recorded.append((route, cost))


class Reverse:
    """A scorer that tries the candidates in reverse order and remembers outcomes."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def order(self, decision: Decision) -> None:
        decision.ranked.reverse()
        for n, ranked in enumerate(decision.ranked):
            ranked.score = float(n)

    def observe(self, option_id: str, ok: bool, latency_s: float, cost: Decimal | None) -> None:
        self.seen.append((option_id, ok))


def test_budget_guard_downgrades_refuses_and_records(tmp_path: Path) -> None:
    with fakes(tmp_path, THREE, CHAIN) as env, env.client() as client:
        client.router.budget = guard = Guard(answer="cheapest")
        info = client.chat.completions.create(model="chain", messages=ask("x"), max_tokens=10).knollm
        assert info.provider == "beta" and info.decision.strategy == "cheapest"  # downgraded
        assert guard.checked[0][0] == "chain" and guard.checked[0][1] is not None
        assert guard.recorded == [("chain", info.cost.total)]
        client.router.budget = Guard(refuse=True)
        with pytest.raises(Refused):
            client.chat.completions.create(model="chain", messages=ask("y"))
        assert len(env.sent_keys("beta")) == 1 and not env.sent_keys("alpha")  # refused before any call


def test_adaptive_strategy_dispatches_to_the_scorer(tmp_path: Path) -> None:
    with fakes(tmp_path, THREE, CHAIN) as env, env.client() as client:
        assert client.router.scorer is not None  # by default the process-wide one (knollm.router.adaptive)
        client.router.scorer = scorer = Reverse()
        env.servers["gamma"].script(["503"])
        info = client.chat.completions.create(model="chain", messages=ask("x"), strategy="adaptive").knollm
    assert info.decision.strategy == "adaptive" and [a.provider for a in info.attempts] == ["gamma", "beta"]
    assert scorer.seen == [("gamma/tiny-chat", False), ("beta/tiny-chat", True)]


def test_rate_limits_are_waited_out_by_threads_and_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "WINDOW_S", 0.4)  # a short window stands in for the minute
    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\n'
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, route, {"alpha": "rpm = 1"}) as env:
        with env.client() as client:
            started = time.perf_counter()
            for n in range(3):
                client.chat.completions.create(model="chat", messages=ask(f"t{n}"))
            threads_took = time.perf_counter() - started

        async def run() -> float:
            async with env.aclient() as aclient:
                begun = time.perf_counter()
                await asyncio.gather(*(aclient.chat.completions.create(model="chat", messages=ask(f"a{n}"))
                                       for n in range(3)))
                return time.perf_counter() - begun

        tasks_took = asyncio.run(run())
    print(f"3 calls at 1 per 0.4 s window: {threads_took:.2f} s (thread), {tasks_took:.2f} s (tasks)")
    assert threads_took >= 0.8 and tasks_took >= 0.8  # waited at least two windows


def test_health_command_in_process(tmp_path: Path) -> None:
    from argparse import Namespace

    from knollm.health_commands import health

    store = tmp_path / "h.sqlite"
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1", "DEAD_KEY"]},
               f'[health]\npath = "{store}"\n[routes.chat]\ncandidates = ["alpha/tiny-chat"]\n') as env:
        with env.client() as client:
            client.chat.completions.create(model="chat", messages=ask("x"))
        for as_json in (False, True):
            text = io.StringIO()
            assert health(Namespace(config=str(env.config), profile=None), Output(text, json=as_json)) == 0
            assert "env:ALPHA_KEY_1" in text.getvalue() and "env:DEAD_KEY" in text.getvalue()


def test_a_stream_closed_by_the_caller_frees_the_half_open_probe(tmp_path: Path) -> None:
    from knollm.router.health import HealthStore
    from knollm.router.route import Router

    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\n'
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, route) as env, env.client() as client:
        client.router = Router(store := HealthStore())
        with store.editing("alpha", "env:ALPHA_KEY_1") as health:  # a cooldown that has just ended
            health.cooldowns, health.consecutive_failures, health.cooldown_until = 1, 3, time.time() - 1
        stream = client.chat.completions.create(model="chat", messages=ask("one two three"), stream=True)
        next(iter(stream))
        assert store.snapshot()[0].probing  # the probe is out
        stream.close()
        assert not store.snapshot()[0].probing  # no verdict: the next call may probe again
        answer = client.chat.completions.create(model="chat", messages=ask("again"))
    assert answer.choices[0].message.content == "ok: again" and store.snapshot()[0].state(time.time()) == "healthy"


def test_shuffle_spreads_load_in_proportion_to_each_keys_rpm(tmp_path: Path) -> None:
    from collections import Counter

    from knollm.router.choose import Needs
    from knollm.router.route import policy_for

    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat"]\nstrategy = "shuffle"\n'
    keys = {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"]}
    with fakes(tmp_path, keys, route, {"alpha": "rpm = 90", "beta": "rpm = 10"}) as env, env.client() as client:
        resolution, policy = client.resolve("chat"), policy_for(client.config, "chat")
        store = client.router.store(client.config)
        plans = (client.router.plan(resolution, Needs(), policy, store, client.config) for _ in range(2000))
        firsts = Counter(plan.decision.ranked[0].option.provider for plan in plans)
    assert 0.85 < firsts["alpha"] / 2000 < 0.95  # 90 : 10
