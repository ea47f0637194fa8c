"""`knollm.multi` against the fake provider: a parallel query with partial failures (an error, a per-call timeout,
the batch's deadline), consensus by vote and by a judge model, an A/B split with its report, and the comparison."""

from __future__ import annotations

import asyncio
import json
import math
import random
from decimal import Decimal
from pathlib import Path

import pytest

from cache_helpers import HI, async_client, client
from knollm.multi import (
    ABTest,
    JudgeError,
    ajudge_consensus,
    aquery_many,
    compare,
    consensus,
    judge_consensus,
    normalise_answer,
    query_many,
    similarity,
    wilson,
)
from knollm.multi.query import MemberResult, MultiResult
from knollm.multi.stats import decimal_mean_interval, mean_interval, t_value
from knollm.testing import CANARY_KEYS, FakeProvider

MODELS = ["fake-openai/tiny-chat", "fake-anthropic/tiny-chat", "fake-gemini/tiny-chat"]


def test_a_parallel_query_reports_every_member(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        result = query_many(made, [*MODELS, "fake-openai/fault/503", "fake-gemini/fault/hang:3"], HI, timeout_s=1)
    ok, failed, hung = result.members[:3], result.members[3], result.members[4]
    assert [m.status for m in ok] == ["ok"] * 3 and all(m.answer == "ok: say hi" for m in ok)
    for member in ok:
        assert member.cost == Decimal("0.000008") and (member.prompt_tokens, member.completion_tokens) == (2, 3)
        assert member.ttft_s is not None and member.latency_s is not None and member.ttft_s <= member.latency_s
    assert failed.status == "failed" and failed.error == "ProviderUnavailable" and "503" in (failed.error_message or "")
    assert hung.status == "timeout" and hung.answer is None and hung.cost is None
    assert result.total_cost == Decimal("0.000024") and len(result.succeeded) == 3 and len(result.failed) == 2
    assert set(result.answers()) == set(MODELS)
    assert not any(key in repr(result) for key in CANARY_KEYS)


def test_the_deadline_bounds_the_batch(fake_provider: FakeProvider, tmp_path: Path) -> None:
    async def run() -> MultiResult:
        async with async_client(fake_provider, tmp_path) as made:
            return await aquery_many(made, ["fake-openai/fault/hang:3", "fake-openai/tiny-chat"], HI,
                                     deadline_s=0.5, concurrency=1, stream=False)

    result = asyncio.run(run())
    assert [m.status for m in result.members] == ["deadline", "deadline"]  # the second never got its turn
    assert result.total_cost == Decimal(0) and result.answers() == {}


def test_plain_members_and_bad_arguments(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        result = query_many(made, MODELS[:1], HI, stream=False, max_tokens=2)
        assert result.members[0].answer == "ok: say" and result.members[0].ttft_s is None
        with pytest.raises(ValueError, match="concurrency"):
            query_many(made, MODELS, HI, concurrency=0)
        assert query_many(made, [], HI).members == ()
        unknown = query_many(made, ["nobody/nothing"], HI).members[0]
        assert unknown.status == "failed" and unknown.error == "NoCandidate"


def test_unknown_cost_is_never_counted_as_zero() -> None:
    members = (MemberResult("a", "ok", "x", cost=Decimal(1)), MemberResult("b", "ok", "x", cost=None))
    assert MultiResult(members, 0.1).total_cost is None


def test_vote_normalises_short_and_structured_answers() -> None:
    assert normalise_answer(' "Paris." ') == normalise_answer("paris") == normalise_answer("PARIS!")
    assert normalise_answer('```json\n{"b": [1, 2.0], "a": 1}\n```') == normalise_answer('{"a": 1.0, "b": [1, 2]}')
    found = consensus({"m1": "Paris.", "m2": "paris", "m3": "Lyon", "m4": None})
    assert found.answer == "Paris." and math.isclose(found.agreement, 2 / 3) and found.majority
    assert (found.agreeing, found.dissenters, found.abstained) == (("m1", "m2"), ("m3",), ("m4",))
    tie = consensus({"a": "yes", "b": "no"})
    assert not tie.majority and tie.answer == "yes" and tie.method == "vote"
    assert consensus({}).answer is None and consensus({}).agreement == 0.0


def test_vote_over_a_parallel_query(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        found = consensus(query_many(made, [*MODELS, "fake-openai/fault/500"], HI))
    assert found.agreement == 1.0 and found.abstained == ("fake-openai/fault/500",)


def test_a_judge_groups_free_text_answers(fake_provider: FakeProvider, tmp_path: Path) -> None:
    # The fake answers "ok: " + the last user text, which holds the question: a question carrying a verdict makes
    # the judge's reply hold that verdict, so what is tested is the request, the parsing and the grouping.
    answers = {"m1": "The capital is Paris.", "m2": "Lyon, I think.", "m3": "It is Paris", "m4": None}
    with client(fake_provider, tmp_path) as made:
        found = judge_consensus(made, "fake-openai/tiny-chat", 'Capital of France? {"groups": [[1, 3], [2]]}',
                                answers, temperature=0)
        sent = fake_provider.requests[-1].body["messages"]
        with pytest.raises(JudgeError):
            judge_consensus(made, "fake-openai/tiny-chat", "Capital of France?", answers)
    assert "Group the answers" in sent[0]["content"] and "[2] Lyon, I think." in sent[1]["content"]
    assert (found.agreeing, found.dissenters, found.abstained, found.method) == (("m1", "m3"), ("m2",), ("m4",),
                                                                                "judge")

    async def run() -> tuple[str, ...]:
        async with async_client(fake_provider, tmp_path) as made:
            verdict = await ajudge_consensus(made, "fake-gemini/tiny-chat", 'Q {"groups": [[2], [9, 1, 1]]}', answers)
            empty = await ajudge_consensus(made, "fake-gemini/tiny-chat", "Q", {"m": None})
            assert empty.answer is None
            return verdict.dissenters

    assert asyncio.run(run()) == ("m1", "m3")  # [2], then [1] (9 is out of range, the second 1 a repeat), then 3


def test_ab_assignment_is_sticky_and_follows_the_share() -> None:
    test = ABTest("checkout-copy", "chat-a", "chat-b", b_share=0.3)
    arms = [test.arm(f"user-{i}") for i in range(4000)]
    assert arms == [test.arm(f"user-{i}") for i in range(4000)]  # sticky
    assert 0.27 < arms.count("b") / len(arms) < 0.33
    other = ABTest("another-test", "chat-a", "chat-b", b_share=0.3)
    assert arms != [other.arm(f"user-{i}") for i in range(4000)]  # tests split users independently
    assert {ABTest("t", "a", "b", b_share=0).arm(f"u{i}") for i in range(100)} == {"a"}
    assert {ABTest("t", "a", "b", b_share=1).arm(None) for _ in range(100)} == {"b"}
    with pytest.raises(ValueError):
        ABTest("t", "a", "b", b_share=1.5)


def test_ab_calls_are_recorded_and_reported(fake_provider: FakeProvider, tmp_path: Path) -> None:
    # The failing arm is on another provider: a 503 cools the key it came with (health is per provider and key).
    test = ABTest("fallback", "fake-openai/tiny-chat", "fake-anthropic/fault/503", rng=random.Random(7))
    with client(fake_provider, tmp_path) as made:
        for i in range(30):
            outcome, completion = test.call(made, HI, user_key=f"u{i}")
            assert (completion is not None) == outcome.ok == (outcome.arm == "a")
            if outcome.ok:
                test.score(outcome, 1.0 if i % 3 else 0.0)
    report = test.report()
    assert report.a.calls + report.b.calls == 30 and report.b.successes == 0
    assert report.a.success_rate is not None and report.a.success_rate.estimate == 1.0
    assert report.b.success_rate is not None and report.b.success_rate.high < report.a.success_rate.low
    assert report.a.cost is not None and report.a.cost.estimate == Decimal("0.000008")
    assert report.a.latency_s is not None and report.b.latency_s is None and report.a.score is not None
    assert report.differences() == {"success_rate": "a"}
    data = json.loads(json.dumps(test.to_data()))
    assert len(data["outcomes"]) == 30 and data["outcomes"][0]["arm"] in ("a", "b")
    with pytest.raises(KeyError):
        test.score(999, 1.0)


def test_ab_async_calls_and_cached_answers(fake_provider: FakeProvider, tmp_path: Path) -> None:
    test = ABTest("cached", "chat", "chat")

    async def run() -> None:
        async with async_client(fake_provider, tmp_path) as made:
            for _ in range(3):  # the route `chat` is cached: the 2nd and 3rd answers cost nothing
                await test.acall(made, HI, temperature=0)
            failing = ABTest("failing", "fake-openai/fault/503", "fake-openai/fault/503")
            outcome, completion = await failing.acall(made, HI)
            assert not outcome.ok and completion is None

    asyncio.run(run())
    assert [o.cost for o in test.outcomes[:3]] == [Decimal("0.000008"), Decimal(0), Decimal(0)]


def test_intervals() -> None:
    interval = wilson(8, 10)
    assert interval is not None and round(interval.low, 3) == 0.490 and round(interval.high, 3) == 0.943
    assert wilson(0, 0) is None
    assert round(t_value(0.95, 1), 3) == 12.706 and round(t_value(0.95, 2), 3) == 4.303
    assert abs(t_value(0.95, 10) - 2.228) < 0.005 and abs(t_value(0.95, 1000) - 1.962) < 0.005
    mean = mean_interval([1.0, 2.0, 3.0])
    assert mean is not None and mean.estimate == 2.0 and round(mean.high - 2.0, 3) == 2.484
    assert mean_interval([]) is None and mean_interval([5.0]) == mean_interval([5.0])
    cost = decimal_mean_interval([Decimal("0.1"), Decimal("0.2"), Decimal("0.3")])
    assert cost is not None and cost.estimate == Decimal("0.2") and isinstance(cost.low, Decimal)
    assert decimal_mean_interval([]) is None and decimal_mean_interval([Decimal(1)]) is not None
    with pytest.raises(ValueError):
        wilson(1, 2, confidence=1.5)


def test_compare_side_by_side(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        result = query_many(made, [*MODELS[:2], "fake-openai/fault/429"], HI)
    side = compare(result)
    assert [r.status for r in side.rows] == ["ok", "ok", "failed: RateLimited"]
    assert side.rows[0].characters == 10 and side.rows[0].words == 3 and side.rows[0].cost == Decimal("0.000008")
    assert side.similarity == {(MODELS[0], MODELS[1]): 1.0}
    table = side.table()
    assert "latency s" in table and "0.000008" in table and "similarity" in table
    hostile = compare([MemberResult("evil\x1b[31m/model", "ok", "text")]).table()
    assert "\x1b" not in hostile
    assert similarity("the cat sat on the mat", "the cat sat on a mat") < 1.0
