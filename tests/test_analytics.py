"""Usage analytics: the SQLite store, the background writer, the client's observers, and recording under four
writer processes at once (row counts exact). Calls go to the fake provider; no key reaches the store."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import knollm
from knollm.analytics.recorder import BackgroundWriter, UsageRecorder, store_path, writer_for
from knollm.analytics.store import UsageStore, default_path
from knollm.client.records import CallFailure
from knollm.config import load_config
from usage_helpers import BUNDLE, ENV, assert_no_key, record, write_config

HI = [{"role": "user", "content": "say hi"}]


def client(config: Path) -> knollm.Client:
    return knollm.Client(config, catalog=knollm.Catalog.load(BUNDLE), env=ENV)


def test_store_round_trips_records_exactly(tmp_path: Path) -> None:
    store = UsageStore(tmp_path / "deep" / "usage.sqlite")
    store.insert([record(1.0, cost_usd="0.000000123456789"), record(2.0, cost_usd=None, status="failed",
                                                                     error_class="Timeout", cache_hit=True)])
    first, second = store.records()
    assert first.cost == Decimal("0.000000123456789") and second.cost is None and second.cache_hit
    assert [r.ts for r in store.records(since=1.5)] == [2.0] and store.records(until=1.5) == [first]
    assert store.count() == 2
    assert UsageStore(store.path).count() == 2  # reopening keeps the rows (and the schema is not re-created)


def test_calls_and_failures_are_recorded_with_aliases_only(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path, fake_provider.base_url)
    fake_provider.script(["503"], model="tiny-chat")
    with client(config) as made:
        made.chat.completions.create(model="chat", messages=HI)  # alpha fails with 503, beta answers
        stream = made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "ok: say hi"
        fake_provider.script(["400"])
        with pytest.raises(knollm.client.errors.ProviderError):
            made.chat.completions.create(model="alpha/tiny-chat", messages=HI)
        fake_provider.script(["400"])
        with pytest.raises(knollm.client.errors.ProviderError):
            list(made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True))
        made.observers[0].writer.flush()
    store = UsageStore(tmp_path / "usage.sqlite")
    routed, streamed, failed, failed_stream = store.records()
    assert (routed.route, routed.provider, routed.attempts, routed.status) == ("chat", "beta", 2, "ok")
    assert routed.key_alias == "env:BETA_KEY" and routed.prompt_tokens and routed.completion_tokens == 3
    assert routed.cost == (Decimal(routed.prompt_tokens) * 1 + 3 * 2) / 1_000_000
    assert streamed.ttft_s is not None and streamed.provider == "alpha" and streamed.latency_s is not None
    assert (failed.status, failed.error_class, failed.model, failed.cost_usd) == \
        ("failed", "ProviderError", "alpha/tiny-chat", None)
    assert failed_stream.status == "failed"
    assert_no_key(store.path.read_bytes(), *(p.read_bytes() for p in tmp_path.glob("usage.sqlite*")))


def test_async_client_records_too(fake_provider, tmp_path: Path) -> None:
    import asyncio

    config = write_config(tmp_path, fake_provider.base_url)

    async def main() -> None:
        async with knollm.AsyncClient(config, catalog=knollm.Catalog.load(BUNDLE), env=ENV) as made:
            await made.chat.completions.create(model="alpha/tiny-chat", messages=HI)
            stream = await made.chat.completions.create(model="alpha/tiny-chat", messages=HI, stream=True)
            async for _ in stream:
                pass
            fake_provider.script(["400", "400"])
            for streaming in (False, True):
                with pytest.raises(knollm.client.errors.ProviderError):
                    if streaming:
                        async for _ in await made.chat.completions.create(model="alpha/tiny-chat", messages=HI,
                                                                          stream=True):
                            pass
                    else:
                        await made.chat.completions.create(model="alpha/tiny-chat", messages=HI)
            made.observers[0].writer.flush()

    asyncio.run(main())
    assert [r.status for r in UsageStore(tmp_path / "usage.sqlite").records()] == ["ok", "ok", "failed", "failed"]


def test_no_analytics_table_records_nothing(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path, fake_provider.base_url, analytics="enabled = false")
    with client(config) as made:
        assert made.observers == []
        made.notify_failure("x", knollm.client.errors.ClientError("boom"), [], 0.0)  # no observer: nothing to do
    assert not (tmp_path / "usage.sqlite").exists()


def test_a_failing_observer_never_fails_the_call(fake_provider, tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    config = write_config(tmp_path, fake_provider.base_url)

    def broken(_: object) -> None:
        raise RuntimeError("observer bug")

    with client(config) as made:
        made.observers[:] = [broken]
        with caplog.at_level(logging.WARNING, "knollm.client"):
            assert made.chat.completions.create(model="alpha/tiny-chat", messages=HI).choices
    assert "observer" in caplog.text


def test_store_path_is_relative_to_the_config_file_and_defaults_to_the_data_dir(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "http://127.0.0.1:1"), env=ENV)
    assert store_path(config) == tmp_path / "usage.sqlite"
    assert store_path(load_config(write_config(tmp_path, "http://x", analytics=""), env=ENV)) == default_path()
    assert default_path().name == "usage.sqlite"


def test_writer_flushes_batches_and_survives_a_broken_store(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    writer = BackgroundWriter(UsageStore(tmp_path / "u.sqlite"))
    writer.flush()  # nothing started yet: returns at once
    recorder = UsageRecorder(writer, "production")
    for i in range(1200):  # more than one batch
        writer.put(record(float(i)))
    recorder(CallFailure("chat", "Timeout", (), 1.5))
    writer.close()
    writer.close()  # twice is harmless
    rows = writer.store.records()
    assert len(rows) == 1201 and rows[-1].profile == "production" and rows[-1].provider is None
    (tmp_path / "u.sqlite").unlink()
    (tmp_path / "u.sqlite").mkdir()  # the file became a directory: writes fail, the thread survives
    with caplog.at_level(logging.WARNING, "knollm.analytics"):
        writer.put(record(1.0))
        writer.flush()
    assert writer.lost == 1 and "not written" in caplog.text
    writer.close()
    assert writer_for(tmp_path / "v.sqlite") is writer_for(tmp_path / "." / "v.sqlite")


WRITER = textwrap.dedent("""
    import sys
    import knollm
    config, bundle, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with knollm.Client(config, catalog=knollm.Catalog.load(bundle)) as client:
        for i in range(calls):
            answer = client.chat.completions.create(model="alpha/tiny-chat",
                                                    messages=[{"role": "user", "content": str(i)}], stream=bool(i % 2))
            if i % 2:
                list(answer)
    # no flush: the writer's atexit hook writes what is queued
""")

STORE_WRITER = textwrap.dedent("""
    import sys
    from knollm.analytics.store import UsageRecord, UsageStore
    store, n, me = UsageStore(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for i in range(n):  # one transaction per record: as much contention as possible
        store.insert([UsageRecord(float(i), me, "r", "p", "p/m", None, None, 1, 1, "0.1", 0.1, None, "ok", None, 1)])
""")


def _processes(script: str, *args_per_process: list[str], env: dict[str, str] | None = None) -> None:
    import os

    procs = [subprocess.Popen([sys.executable, "-c", script, *args], env={**os.environ, **(env or {})},
                              stderr=subprocess.PIPE, text=True) for args in args_per_process]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err


def test_four_client_processes_lose_nothing(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path, fake_provider.base_url)
    _processes(WRITER, *([str(config), str(BUNDLE), "25"] for _ in range(4)), env=ENV)
    rows = UsageStore(tmp_path / "usage.sqlite").records()
    assert len(rows) == 100 and all(r.ok for r in rows)
    assert sum(r.ttft_s is not None for r in rows) == 48  # 12 streamed calls per process (odd i), the rest not
    assert_no_key(*(p.read_bytes() for p in tmp_path.glob("usage.sqlite*")))


def test_four_store_processes_one_transaction_each_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    UsageStore(path)
    _processes(STORE_WRITER, *([str(path), "150", f"p{i}"] for i in range(4)))
    rows = UsageStore(path).records()
    assert len(rows) == 600
    expected = sorted((f"p{i}", float(n)) for i in range(4) for n in range(150))
    assert sorted({(r.profile, r.ts) for r in rows}) == expected


def test_reload_config_follows_the_analytics_table(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path, fake_provider.base_url, analytics="enabled = false")
    with client(config) as made:
        mine = made.observers
        mine.append(print)
        write_config(tmp_path, fake_provider.base_url, analytics='path = "later.sqlite"')
        made.reload_config()
        assert made.observers is mine and made.observers[0] is print
        assert made.observers[1].writer.store.path == (tmp_path / "later.sqlite").resolve()
        write_config(tmp_path, fake_provider.base_url, analytics="enabled = false")
        made.reload_config()
        assert made.observers == [print]
