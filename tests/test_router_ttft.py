"""Health keeps the time to first token beside the whole call's latency, and `fastest` ranks by it: a stream's
whole time measures its answer's length as much as the provider's speed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from knollm.router.choose import Needs, Option, decide
from knollm.router.health import HealthStore, KeyHealth, SqliteHealthStore, record_success
from router_helpers import ask, fakes


def test_a_success_records_the_time_to_first_token() -> None:
    health = KeyHealth("a", "env:A")
    record_success(health, 2.0)  # a plain answer arrives whole: its first token came at its end
    assert (health.latency_s, health.ttft_s) == (2.0, 2.0)
    record_success(health, 7.0, ttft_s=0.5)  # a long stream that started quickly
    assert health.latency_s == pytest.approx(3.0) and health.ttft_s == pytest.approx(1.7)


def test_fastest_ranks_by_time_to_first_token(tmp_path: Path) -> None:
    options = [Option("long/m", "long", "env:L", None), Option("short/m", "short", "env:S", None),
               Option("new/m", "new", "env:N", None)]
    for store in (HealthStore(), SqliteHealthStore(tmp_path / "h.sqlite")):
        store.success("long", "env:L", 6.0, ttft_s=0.2)  # long answers, streamed from the first 0.2 s
        store.success("short", "env:S", 0.8)  # short plain answers
        ranked = decide(options, Needs(), "fastest", health=store).ranked
        assert [r.option.id for r in ranked] == ["long/m", "short/m", "new/m"]  # unobserved: the 1 s prior
        assert [r.score for r in ranked] == [0.2, 0.8, 1.0]
        balanced = {r.option.id: r.latency_s for r in decide(options, Needs(), "balanced", health=store).ranked}
        assert balanced["long/m"] == 6.0  # the whole latency is still kept (balanced, `knollm health`)


def test_a_record_from_before_time_to_first_token_ranks_by_its_latency(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store = SqliteHealthStore(path)
    old = {"provider": "a", "key": "env:A", "success_rate": 1.0, "latency_s": 0.3, "consecutive_failures": 0,
           "cooldowns": 0, "cooldown_until": 0.0, "probing": False, "retired": None, "last_error": None, "calls": 1}
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO health VALUES (?, ?, ?)", ("a", "env:A", json.dumps(old)))
    ranked = decide([Option("a/m", "a", "env:A", None)], Needs(), "fastest", health=store).ranked
    assert ranked[0].score == 0.3


def test_a_streamed_call_records_its_time_to_first_token(tmp_path: Path) -> None:
    route = '[routes.chat]\ncandidates = ["alpha/tiny-chat"]\n'
    store = HealthStore()
    with fakes(tmp_path, {"alpha": ["ALPHA_KEY_1"]}, route) as env, env.client() as client:
        client.router.health = store
        env.servers["alpha"].script(["slow:0.02"])  # every frame of the stream 20 ms apart
        stream = client.chat.completions.create(model="chat", messages=ask("one two three four"), stream=True)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        assert text and stream.knollm.ttft_s is not None
        (health,) = store.snapshot()
        assert health.ttft_s == pytest.approx(stream.knollm.ttft_s, abs=1e-5)
        assert health.latency_s is not None and health.ttft_s < health.latency_s  # frames came after the first
