"""Follow-ups of issue 16: `[analytics]` per profile, abandoned streams recorded, `close()` flushing the usage
writer and closing the response cache, and A/B outcomes kept in (and rebuilt from) the usage store."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sqlite3
import time
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

import knollm
from knollm.analytics import recorder
from knollm.analytics.recorder import store_path
from knollm.analytics.store import COLUMNS, UsageStore
from knollm.config import load_config
from knollm.multi.ab import ABTest
from usage_helpers import BUNDLE, ENV, HOSTILE, record, write_config

HI = [{"role": "user", "content": "say hi"}]


def client(config: Path) -> knollm.Client:
    return knollm.Client(config, catalog=knollm.Catalog.load(BUNDLE), env=ENV)


def test_a_profile_changes_the_analytics_table(tmp_path: Path) -> None:
    path = write_config(tmp_path, "http://127.0.0.1:1")
    with path.open("a", encoding="utf-8") as out:
        out.write('\n[profiles.testing.analytics]\nenabled = false\n'
                  '\n[profiles.production.analytics]\npath = "prod.sqlite"\nbudget_per_day_usd = "5"\n')
    top, testing, production = (load_config(path, name, ENV) for name in (None, "testing", "production"))
    assert top.analytics is not None and top.analytics.enabled and store_path(top) == tmp_path / "usage.sqlite"
    assert testing.analytics is not None and not testing.analytics.enabled
    assert testing.analytics.path == "usage.sqlite"  # merged key by key: the top level's path stays
    assert production.analytics is not None and store_path(production) == tmp_path / "prod.sqlite"
    assert str(production.analytics.budget_per_day_usd) == "5"
    assert client(path).observers  # recording at the top level ...
    assert knollm.Client(path, profile="testing", env=ENV, catalog=knollm.Catalog.load(BUNDLE)).observers == []


def _cached_and_recorded(server_url: str, tmp_path: Path) -> Path:
    path = write_config(tmp_path, server_url)
    with path.open("a", encoding="utf-8") as out:
        out.write(f'\n[cache]\npath = "{(tmp_path / "cache.sqlite").as_posix()}"\n')
    return path


def test_close_flushes_the_usage_writer_and_closes_the_cache(fake_provider, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder, "WAIT_S", 60.0)  # without a flush the writer would hold the record a minute
    made = client(_cached_and_recorded(fake_provider.base_url, tmp_path))
    made.chat.completions.create(model="alpha/tiny-chat", messages=HI, temperature=0, cache=True)
    cache = made._cache_gate.cache(made.config.cache)
    made.close()
    assert UsageStore(tmp_path / "usage.sqlite").count() == 1
    assert not cache._finalizer.alive and made._cache_gate._open is None
    made.close()  # twice is harmless


def test_aclose_flushes_and_closes_too(fake_provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder, "WAIT_S", 60.0)
    config = _cached_and_recorded(fake_provider.base_url, tmp_path)

    async def main() -> object:
        async with knollm.AsyncClient(config, catalog=knollm.Catalog.load(BUNDLE), env=ENV) as made:
            await made.chat.completions.create(model="alpha/tiny-chat", messages=HI, temperature=0, cache=True)
            return made._cache_gate.cache(made.config.cache)

    cache = asyncio.run(main())
    assert UsageStore(tmp_path / "usage.sqlite").count() == 1
    assert not cache._finalizer.alive  # type: ignore[attr-defined]


def test_closing_survives_a_broken_observer_and_cache(fake_provider, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    class Stuck:
        def __call__(self, _: object) -> None: ...

        def flush(self) -> None:
            raise OSError("disk gone")

    class BadGate:
        def close(self) -> None:
            raise sqlite3.OperationalError("disk I/O error")

    made = client(_cached_and_recorded(fake_provider.base_url, tmp_path))
    made.observers[:] = [Stuck()]
    made._cache_gate = BadGate()  # type: ignore[assignment]
    with caplog.at_level(logging.WARNING, "knollm.client"):
        made.close()
    assert "not flushed" in caplog.text and "not closed" in caplog.text


def test_a_stream_the_caller_stops_is_recorded_as_abandoned(fake_provider, tmp_path: Path) -> None:
    from knollm.analytics.report import reliability
    from knollm.analytics.stats import known_cost

    with client(write_config(tmp_path, fake_provider.base_url)) as made:
        stream = made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True)
        next(iter(stream))
        stream.close()  # the usage chunk never came: tokens and cost stay unknown
        unopened = made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True)
        unopened.close()  # never iterated: nothing was sent, nothing is recorded
        with made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True) as whole:
            for _ in whole:
                pass
    stopped, finished = UsageStore(tmp_path / "usage.sqlite").records()
    assert (stopped.status, stopped.provider, stopped.key_alias) == ("abandoned", "alpha", "env:ALPHA_KEY")
    assert stopped.prompt_tokens is None and stopped.completion_tokens is None and stopped.cost_usd is None
    assert stopped.latency_s is not None and not stopped.failed and not stopped.ok
    assert finished.status == "ok"
    assert known_cost([stopped, finished]) == (finished.cost, 1)  # unknown, not zero
    assert reliability([stopped, finished])[0]["success_rate"] == 1.0  # neither a success nor a failure


def test_an_abandoned_async_stream_is_recorded_too(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path, fake_provider.base_url)

    async def main() -> None:
        async with knollm.AsyncClient(config, catalog=knollm.Catalog.load(BUNDLE), env=ENV) as made:
            stream = await made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True)
            async for _ in stream:
                break
            await stream.aclose()

    asyncio.run(main())
    (stopped,) = UsageStore(tmp_path / "usage.sqlite").records()
    assert stopped.status == "abandoned" and stopped.cost_usd is None and stopped.attempts == 1


def test_ab_calls_are_recorded_and_the_report_is_rebuilt_from_the_store(fake_provider, tmp_path: Path) -> None:
    test = ABTest("greeting", "alpha/tiny-chat", "beta/tiny-chat", rng=random.Random(7))
    with client(write_config(tmp_path, fake_provider.base_url)) as made:
        made.chat.completions.create(model="alpha/tiny-chat", messages=HI)  # not part of the test
        for user in range(12):
            test.call(made, HI, user_key=f"user-{user}")
        fake_provider.script(["400"])
        test.call(made, HI)
    store = UsageStore(tmp_path / "usage.sqlite")
    plain, *tagged = store.records()
    assert plain.ab_test is None and plain.ab_arm is None
    assert {(r.ab_test, r.ab_arm, r.route) for r in tagged} == {("greeting", "a", "alpha/tiny-chat"),
                                                                ("greeting", "b", "beta/tiny-chat")}
    assert [r.failed for r in tagged].count(True) == 1
    rebuilt = ABTest.from_store(store, "greeting")
    assert (rebuilt.a, rebuilt.b) == (test.a, test.b)
    assert rebuilt.report() == test.report()  # counts, success rates, exact costs, latencies
    assert ABTest.from_store(store, "another", a="x", b="y").report().a.calls == 0
    with pytest.raises(ValueError, match="arm a and b"):
        ABTest.from_store(store, "another")


def test_async_ab_calls_are_tagged(fake_provider, tmp_path: Path) -> None:
    test = ABTest("async", "alpha/tiny-chat", "beta/tiny-chat", b_share=1.0)
    config = write_config(tmp_path, fake_provider.base_url)

    async def main() -> None:
        async with knollm.AsyncClient(config, catalog=knollm.Catalog.load(BUNDLE), env=ENV) as made:
            await test.acall(made, HI)

    asyncio.run(main())
    (only,) = UsageStore(tmp_path / "usage.sqlite").ab_records("async")
    assert (only.ab_arm, only.provider, only.status) == ("b", "beta", "ok")


def test_an_old_usage_file_is_migrated_and_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old_columns = [c for c in COLUMNS if not c.startswith("ab_")]
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"CREATE TABLE usage ({', '.join(old_columns)})")
        db.execute(f"INSERT INTO usage VALUES ({', '.join('?' for _ in old_columns)})",
                   (1.0, None, "chat", "alpha", "alpha/m", None, None, 1, 2, "0.5", 0.1, None, "ok", None, 1, 0,
                    "call"))
    store = UsageStore(path)
    (old,) = store.records()
    assert (old.route, old.cost, old.ab_test, old.ab_arm) == ("chat", Decimal("0.5"), None, None)
    store.insert([record(2.0, ab_test="t", ab_arm="a"), record(3.0, ab_test="t", ab_arm="b", cost_usd="bad"),
                  record(4.0, ab_test="t", ab_arm="<x>"), record(5.0, ab_test="t", ab_arm="a", status="abandoned"),
                  record(6.0, ab_test="t", ab_arm="b", cache_hit=True)])
    assert UsageStore(path).count() == 6  # a second store migrates nothing twice
    rebuilt = ABTest.from_store(store, "t").report()
    assert (rebuilt.a.calls, rebuilt.b.calls, rebuilt.b.cost_unknown) == (1, 2, 1)  # "bad" is unknown, not zero
    assert rebuilt.b.cost is not None and rebuilt.b.cost.estimate == Decimal(0)  # the cache hit cost nothing


def test_usage_report_ab_prints_the_rebuilt_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from knollm.cli import main

    monkeypatch.setenv("KNOLLM_CONFIG", str(write_config(tmp_path, "http://127.0.0.1:1")))
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    UsageStore(tmp_path / "usage.sqlite").insert(
        [record(float(i), route="alpha/tiny-chat", ab_test="t", ab_arm="a", cost_usd="0.002") for i in range(5)]
        + [record(10.0 + i, route=HOSTILE, ab_test="t", ab_arm="b", cost_usd="0.001", latency_s=0.1 + i / 100)
           for i in range(5)]
        + [record(20.0, route=HOSTILE, ab_test="t", ab_arm="b", status="failed", cost_usd=None),
           record(21.0, route="alpha/tiny-chat", ab_test="t", ab_arm="a", status="abandoned", cost_usd=None)])
    assert main(["usage", "report", "--ab", "t"]) == 0
    out = capsys.readouterr().out
    assert "A/B test t" in out and "\x1b" not in out and "\x07" not in out and "Differences" in out
    assert main(["usage", "report", "--ab", "t", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["a"]["calls"], data["b"]["calls"], data["b"]["successes"]) == (5, 6, 5)
    assert data["b"]["route"] == HOSTILE and data["differences"]["cost"] == "b"
    assert main(["usage", "report", "--ab", "missing"]) == 1
    assert "arm a and b" in capsys.readouterr().err


def test_a_provider_with_only_abandoned_streams_has_no_reliability_score(tmp_path: Path) -> None:
    import io

    from knollm.analytics.report import reliability
    from knollm.render import Output
    from knollm.usage_render import render_report

    store = UsageStore(tmp_path / "usage.sqlite")
    store.insert([record(time.time(), status="abandoned", cost_usd=None)])
    assert reliability(store.records()) == [{"provider": "alpha", "requests": 1, "success_rate": None, "score": None,
                                             "common_error": None}]
    from knollm.analytics.report import usage_report

    buffer = io.StringIO()
    render_report(usage_report(store, since_s=86_400, by="provider", catalog=None, settings=None), Output(buffer))
    assert "Reliability" in buffer.getvalue()


def test_cache_hits_are_recorded_as_calls(fake_provider, tmp_path: Path) -> None:
    made = client(_cached_and_recorded(fake_provider.base_url, tmp_path))
    for _ in range(2):
        made.chat.completions.create(model="alpha/tiny-chat", messages=HI, temperature=0, cache=True)
    for _ in range(2):  # the same request streamed: stored as its text, then replayed
        for _chunk in made.chat.completions.create(model="alpha/tiny-chat", messages=HI, temperature=0,
                                                   cache=True, stream=True):
            pass
    made.close()
    rows = UsageStore(tmp_path / "usage.sqlite").records()
    assert [row.cache_hit for row in rows] == [False, True, True, True]
