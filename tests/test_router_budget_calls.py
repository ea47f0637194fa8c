"""Budgets and the adaptive strategy in routed calls against fake providers: `refuse` raises `BudgetExceeded`
before any request, `downgrade` serves the call from the cheapest candidate that fits (and refuses when none
does), the actual cost is recorded, a budget is shared through the `[health] path` file, and an adaptive route
moves its traffic away from a failing provider."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from knollm.client.aio import AsyncClient
from knollm.client.errors import BudgetExceeded, ClientError
from knollm.client.sync import Client
from knollm.router.adaptive import AdaptiveRouting, AdaptiveScorer
from knollm.router.budget import BudgetLedger
from knollm.router.choose import Needs
from knollm.router.route import policy_for
from router_helpers import FIXTURE, ask, fakes
from router_helpers import KEYS as ENV

KEYS = {"alpha": ["ALPHA_KEY_1"], "beta": ["BETA_KEY_1"], "gamma": ["GAMMA_KEY_1"]}
# Without max_tokens a request is estimated with 500 output tokens: alpha (6 USD/Mtok out) about 0.003 USD,
# beta (2 USD/Mtok) about 0.001 USD.


def budget_route(daily: str, on_exceed: str) -> str:
    return ('[routes.chat]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat"]\n'
            f'budget = {{ daily_usd = "{daily}", on_exceed = "{on_exceed}" }}\n')


def sent(env: object) -> int:
    return sum(len(server.requests) for server in env.servers.values())  # type: ignore[attr-defined]


def test_refuse_raises_before_any_request(tmp_path: Path) -> None:
    with fakes(tmp_path, KEYS, budget_route("0.002", "refuse")) as env, env.client() as client:
        with pytest.raises(BudgetExceeded) as refused:
            client.chat.completions.create(model="chat", messages=ask("x"))
        assert refused.value.scope == "chat" and refused.value.limit_usd == Decimal("0.002")
        assert sent(env) == 0
        other = client.chat.completions.create(model="alpha/tiny-chat", messages=ask("x"))  # not the route
        assert other.knollm.provider == "alpha"


def test_downgrade_serves_from_the_cheapest_that_fits_then_refuses(tmp_path: Path) -> None:
    with fakes(tmp_path, KEYS, budget_route("0.0015", "downgrade")) as env, env.client() as client:
        info = client.chat.completions.create(model="chat", messages=ask("x")).knollm
        assert info.provider == "beta" and info.decision.strategy == "cheapest"
        assert info.cost is not None
        ledger = client.router.budget._ledgers[None]  # type: ignore[union-attr]
        assert isinstance(ledger, BudgetLedger)
        assert ledger.spent("chat") == (info.cost.total, info.cost.total)  # the held estimate became the cost
        ledger.record("chat", Decimal("0.0006"))  # another caller of the route spends
        with pytest.raises(BudgetExceeded):  # now not even beta's estimate (about 0.001) fits
            client.chat.completions.create(model="chat", messages=ask("y"))
        assert sent(env) == 1


def test_a_budget_is_shared_through_the_health_file(tmp_path: Path) -> None:
    shared = f'[health]\npath = "{(tmp_path / "state.sqlite").as_posix()}"\n'
    with fakes(tmp_path, KEYS, shared + budget_route("0.004", "refuse")) as env:
        with env.client() as first:
            first.chat.completions.create(model="chat", messages=ask("x"))
        with env.client() as second:  # another client (as another process would) sees the spending
            ledger = BudgetLedger(path=tmp_path / "state.sqlite")
            assert ledger.spent("chat")[0] > 0
            second.chat.completions.create(model="chat", messages=ask("x"))
            assert ledger.spent("chat")[0] > 0


def test_explaining_a_route_holds_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    shared = f'[health]\npath = "{state.as_posix()}"\n'
    with fakes(tmp_path, KEYS, shared + budget_route("0.0015", "downgrade")) as env:
        done = subprocess.run([sys.executable, "-m", "knollm", "route", "chat", "--json"], capture_output=True,
                              text=True, cwd=tmp_path, timeout=120, check=False,
                              env={**ENV, "KNOLLM_BUNDLE": str(FIXTURE), "KNOLLM_CONFIG": str(env.config)})
        assert done.returncode == 0, done.stderr
        shown = json.loads(done.stdout)
        # alpha (about 0.003) does not fit 0.0015: the plan shows the downgrade a call would make
        assert shown["choice"] == "beta/tiny-chat" and shown["strategy"] == "cheapest" and sent(env) == 0
        assert "downgraded to the cheapest candidate" in shown["budget"]
    assert BudgetLedger(path=state).spent("chat") == (Decimal(0), Decimal(0))


def explained(client: Client, route: str = "chat") -> tuple[str, str, str | None]:
    """(strategy, choice, budget note) of `knollm route`'s plan, in process."""
    policy = policy_for(client.config, route)
    plan, note = client.router.explain(client.resolve(route), Needs(), policy, client.router.store(client.config),
                                       client.config)
    return plan.decision.strategy, plan.decision.ranked[0].option.id, note


@pytest.mark.parametrize(("daily", "on_exceed", "expected", "note"), [
    ("1", "downgrade", ("ordered", "alpha/tiny-chat"), None),
    ("0.0015", "downgrade", ("cheapest", "beta/tiny-chat"), "downgraded to the cheapest candidate"),
    ("0.0001", "downgrade", ("cheapest", "beta/tiny-chat"), "does not fit either: the call would be refused"),
    ("0.0015", "refuse", ("ordered", "alpha/tiny-chat"), "the call would be refused"),
])
def test_explaining_shows_what_the_budget_does(tmp_path: Path, daily: str, on_exceed: str,
                                               expected: tuple[str, str], note: str | None) -> None:
    with fakes(tmp_path, KEYS, budget_route(daily, on_exceed)) as env, env.client() as client:
        strategy, choice, said = explained(client)
        assert (strategy, choice) == expected
        assert said is None if note is None else note in (said or "")
        assert sent(env) == 0 and client.router.budget._ledgers[None].spent("chat")[0] == 0  # type: ignore[union-attr]


def test_an_adaptive_route_moves_away_from_a_failing_provider(tmp_path: Path) -> None:
    route = ('[routes.chat]\ncandidates = ["alpha/tiny-chat", "beta/tiny-chat", "gamma/tiny-chat"]\n'
             'strategy = "adaptive"\n')
    with fakes(tmp_path, KEYS, route) as env, env.client() as client:
        client.router.scorer = AdaptiveRouting(AdaptiveScorer(), random.Random(7))
        env.servers["alpha"].script(["500"] * 200)
        firsts = []
        for n in range(40):
            info = client.chat.completions.create(model="chat", messages=ask(f"q{n}")).knollm
            assert info.decision.strategy == "adaptive" and info.provider in ("beta", "gamma")
            firsts.append(info.attempts[0].provider)
        assert firsts[20:].count("alpha") <= 2  # after a few failures, alpha is rarely tried first


def test_a_call_that_fails_everywhere_releases_its_hold(tmp_path: Path) -> None:
    with fakes(tmp_path, KEYS, budget_route("1", "refuse")) as env, env.client() as client:
        for server in env.servers.values():
            server.script(["500"])  # one failure each, then answers
        with pytest.raises(ClientError):
            client.chat.completions.create(model="chat", messages=ask("x"))
        ledger = client.router.budget._ledgers[None]  # type: ignore[union-attr]
        assert sent(env) == 2 and ledger.spent("chat") == (Decimal(0), Decimal(0))  # not held for 15 minutes
        info = client.chat.completions.create(model="chat", messages=ask("y")).knollm  # the servers recovered
        assert info.cost is not None and ledger.spent("chat")[0] == info.cost.total


def test_an_async_call_that_fails_everywhere_releases_its_hold(tmp_path: Path) -> None:
    async def fail(client: AsyncClient) -> None:
        async with client:
            with pytest.raises(ClientError):
                await client.chat.completions.create(model="chat", messages=ask("x"))
            stream = await client.chat.completions.create(model="chat", messages=ask("x"), stream=True)
            with pytest.raises(ClientError):
                async for _ in stream:
                    pass

    with fakes(tmp_path, KEYS, budget_route("1", "refuse")) as env:
        for server in env.servers.values():
            server.script(["500"] * 10)
        client = env.aclient()
        asyncio.run(fail(client))
        ledger = client.router.budget._ledgers[None]  # type: ignore[union-attr]
        assert sent(env) == 4 and ledger.spent("chat") == (Decimal(0), Decimal(0))
