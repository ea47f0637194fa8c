"""The response cache (`knollm.cache`) against the fake provider: hits after normalisation, the temperature policy,
per-call and per-route switches, expiry (injected clock) and per-provider TTLs, pruning, the similarity match,
streams stored and replayed, async calls, a broken file, and no key in the database."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from cache_helpers import HI, async_client, client
from knollm.cache import ResponseCache, normalise_text, request_key
from knollm.cache.codec import BadEntry, decode, pieces, replay
from knollm.cache.key import jaccard, shingles
from knollm.client.caching import refusal
from knollm.client.types import ChatRequest
from knollm.config import CacheSettings
from knollm.testing import CANARY_KEYS, FakeProvider

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def ask(made, content: str = "say hi", **options):  # type: ignore[no-untyped-def]
    return made.chat.completions.create(model="chat", messages=[{"role": "user", "content": content}],
                                        **{"temperature": 0, **options})


def test_a_repeated_request_is_served_from_the_cache(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        first = ask(made)
        again = ask(made, "  say   hi \n")  # incidental whitespace does not count
        assert not first.knollm.cache_hit and again.knollm.cache_hit
        assert again.choices[0].message.content == first.choices[0].message.content == "ok: say hi"
        assert again.usage == first.usage and again.knollm.attempts == () and again.knollm.cost is None
        assert "response cache" in again.knollm.cost_note and again.knollm.provider == "fake-openai"
        assert len(fake_provider.requests) == 1
        stats = made._cache_gate.cache(made.config.cache).stats()
    assert (stats.hits, stats.misses, stats.stores, stats.entries) == (1, 1, 1, 1)
    assert stats.hit_ratio == 0.5


def test_json_key_order_and_number_forms_do_not_count(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        ask(made, '{"city": "Paris", "days": 2}', tools=[TOOL], temperature=0)
        reordered = {"function": {"parameters": TOOL["function"]["parameters"], "name": "get_weather"},
                     "type": "function"}
        hit = ask(made, '{ "days": 2.0, "city": "Paris" }', tools=[reordered], temperature=0.0)
        assert hit.knollm.cache_hit and hit.choices[0].message.tool_calls
        assert not ask(made, '{"city": "Lyon", "days": 2}', tools=[TOOL]).knollm.cache_hit
        assert not ask(made, '{"city": "Paris", "days": 2}').knollm.cache_hit  # no tools: another request


def test_parameters_that_change_the_answer_are_part_of_the_key(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        ask(made, max_tokens=5)
        assert not ask(made, max_tokens=6).knollm.cache_hit
        assert ask(made, max_tokens=5, user="someone", stream_options={"include_usage": True}).knollm.cache_hit


def test_nondeterministic_requests_are_not_cached_unless_allowed(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        for options in ({"temperature": 0.7}, {"temperature": None}, {"n": 2}):
            ask(made, **options)
            assert not ask(made, **options).knollm.cache_hit, options
    assert len(fake_provider.requests) == 6
    with client(fake_provider, tmp_path, cache={"cache_nondeterministic": True}) as made:
        ask(made, temperature=0.7)
        assert ask(made, temperature=0.7).knollm.cache_hit
        assert not ask(made, n=2, temperature=0).knollm.cache_hit


def test_refusal_reasons() -> None:
    settings = CacheSettings()
    assert "not set" in (refusal(ChatRequest("m", HI), settings) or "")
    assert "> 0" in (refusal(ChatRequest("m", HI, temperature=0.2), settings) or "")
    assert refusal(ChatRequest("m", HI, temperature=0), settings) is None


def test_per_call_switch_and_route_switch(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        direct = {"model": "fake-openai/tiny-chat", "messages": HI, "temperature": 0}
        made.chat.completions.create(**direct)
        assert not made.chat.completions.create(**direct).knollm.cache_hit  # not a cached route, no cache=True
        made.chat.completions.create(**direct, cache=True)
        assert made.chat.completions.create(**direct, cache=True).knollm.cache_hit
        ask(made)
        assert not ask(made, cache=False).knollm.cache_hit
        assert "cache" not in json.dumps(fake_provider.requests[-1].body)  # never sent to the provider


def test_changed_route_candidates_do_not_serve_old_answers(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        ask(made)
    routes = {"chat": {"candidates": ["fake-gemini/tiny-chat"], "cache": True}}
    with client(fake_provider, tmp_path, routes=routes) as made:
        answer = ask(made)
        assert not answer.knollm.cache_hit and answer.knollm.provider == "fake-gemini"


def test_entries_expire_with_their_ttl_and_per_provider_ttls(tmp_path: Path) -> None:
    now = [1000.0]
    key = request_key(ChatRequest("chat", HI, temperature=0), ["chat", None])
    with ResponseCache(tmp_path / "c.sqlite", ttl_s=60, provider_ttl_s={"slow": 600}, clock=lambda: now[0]) as cache:
        cache.store(key, "fast", "fast/m", None, "{}")
        now[0] += 59
        assert cache.lookup(key) is not None
        now[0] += 2
        assert cache.lookup(key) is None
        cache.store(key, "slow", "slow/m", "fam", "{}")
        now[0] += 599
        found = cache.lookup(key)
        assert found is not None and found.family == "fam"
        now[0] += 2
        assert cache.lookup(key) is None
        assert cache.stats().expired == 1


def test_prune_removes_expired_and_old_entries(tmp_path: Path) -> None:
    now = [0.0]
    with ResponseCache(tmp_path / "c.sqlite", ttl_s=100, clock=lambda: now[0]) as cache:
        for day in range(5):
            now[0] = day * 50.0
            cache.store(request_key(ChatRequest("m", [{"role": "user", "content": f"q{day}"}]), "m"), "p", "p/m",
                        None, "{}")
        assert cache.prune() == 3  # now 200: stored at 0, 50 and 100, expired
        assert cache.prune(older_than_s=40) == 1  # stored at 150
        assert cache.stats().entries == 1
        assert cache.clear() == 1 and cache.stats().entries == 0


def test_similarity_match_is_opt_in_and_bounded(fake_provider: FakeProvider, tmp_path: Path) -> None:
    long = "Summarise the following meeting notes in three bullet points for the weekly engineering newsletter"
    with client(fake_provider, tmp_path) as made:
        ask(made, long)
        assert not ask(made, long + " please").knollm.cache_hit  # off by default
    with client(fake_provider, tmp_path, cache={"similarity": 0.8}) as made:
        near = ask(made, long + " thanks")
        assert near.knollm.cache_hit and near.choices[0].message.content == f"ok: {long}"
        assert not ask(made, "Translate the following meeting notes into German").knollm.cache_hit
        assert made._cache_gate.cache(made.config.cache).stats().similar_hits == 1


def test_shingles_and_jaccard() -> None:
    assert shingles("One two") == frozenset({"one", "two"})
    assert shingles("a b c d") == frozenset({"a b c", "b c d"})
    assert jaccard(shingles("a b c d"), shingles("a b c d")) == 1.0
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_normalisation_keeps_indentation_and_reads_json_as_data() -> None:
    code = "def f():\n    return  1   \n\n\n\nprint(f())"
    assert normalise_text(code) == "def f():\n    return 1\n\nprint(f())"
    assert normalise_text('{"b": 1, "a": [1, 2]}') == normalise_text('{ "a": [1,2], "b": 1 }')
    assert normalise_text("{not json}") == "{not json}"


def test_a_stream_is_stored_as_text_and_replayed_as_a_stream(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        live = ask(made, "stream this answer please", stream=True)
        live_text = "".join(c.choices[0].delta.content or "" for c in live if c.choices)
        assert live.knollm is not None and not live.knollm.cache_hit
        replayed = ask(made, "stream this answer please", stream=True)
        chunks = list(replayed)
        assert replayed.knollm is not None and replayed.knollm.cache_hit and replayed.knollm.ttft_s is not None
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == live_text
        assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].usage is not None
        assert chunks[-2].choices[0].finish_reason == "stop"
        plain = ask(made, "stream this answer please")  # a plain call is served from the stream's answer
        assert plain.knollm.cache_hit and plain.choices[0].message.content == live_text
        assert len(fake_provider.requests) == 1


def test_replayed_chunks_are_openai_chunks(fake_provider: FakeProvider, tmp_path: Path) -> None:
    openai_types = pytest.importorskip("openai.types.chat")
    with client(fake_provider, tmp_path) as made:
        ask(made, tools=[TOOL])
        for chunk in ask(made, tools=[TOOL], stream=True):
            openai_types.ChatCompletionChunk.model_validate(chunk.to_dict())


def test_streams_stopped_early_failed_or_calling_tools_are_not_stored(fake_provider: FakeProvider,
                                                                    tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        stream = ask(made, "one two three four", stream=True)
        next(iter(stream))
        stream.close()
        list(ask(made, "x", stream=True, tools=[TOOL]))
        fake_provider.script(["cut_mid"])
        with pytest.raises(Exception, match="stream"):
            list(ask(made, "five six seven eight", stream=True))
        assert made._cache_gate.cache(made.config.cache).stats().stores == 0


def test_async_calls_use_the_cache(fake_provider: FakeProvider, tmp_path: Path) -> None:
    async def run() -> tuple[bool, bool, str]:
        async with async_client(fake_provider, tmp_path) as made:
            messages = [{"role": "user", "content": "async hi"}]
            await made.chat.completions.create(model="chat", messages=messages, temperature=0)
            hit = await made.chat.completions.create(model="chat", messages=messages, temperature=0)
            stream = await made.chat.completions.create(model="chat", messages=messages, temperature=0, stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            other = await made.chat.completions.create(model="chat", messages=[{"role": "user", "content": "new"}],
                                                       temperature=0, stream=True)
            async for _ in other:
                pass
            again = await made.chat.completions.create(model="chat", messages=[{"role": "user", "content": "new"}],
                                                       temperature=0)
            replayed = bool(stream.knollm and stream.knollm.cache_hit and again.knollm.cache_hit)
            return hit.knollm.cache_hit, replayed, text

    assert asyncio.run(run()) == (True, True, "ok: async hi")
    assert len(fake_provider.requests) == 2


def test_no_key_reaches_the_database(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        ask(made)
        ask(made, stream=True).close()
        list(ask(made, "streamed", stream=True))
        made._cache_gate.cache(made.config.cache).close()
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert not any(key.encode() in data for key in CANARY_KEYS), path
        assert b"FAKE_KEY" not in data, path  # not even the key's variable
    assert (tmp_path / "cache.sqlite").stat().st_mode & 0o077 == 0


def test_an_unusable_cache_file_does_not_fail_the_call(fake_provider: FakeProvider, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, "knollm.cache"), client(fake_provider, tmp_path) as made:
        assert ask(made).choices[0].message.content == "ok: say hi"
    assert "response cache not used" in caplog.text


def test_an_unreadable_entry_is_dropped(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with client(fake_provider, tmp_path) as made:
        ask(made)
        db = sqlite3.connect(tmp_path / "cache.sqlite")
        db.execute("UPDATE entries SET response = '{\"choices\": 1}'")
        db.commit()
        db.close()
        assert not ask(made).knollm.cache_hit
        assert ask(made).knollm.cache_hit


def test_codec_round_trip_and_bad_entries() -> None:
    with pytest.raises(BadEntry):
        decode("[]")
    with pytest.raises(BadEntry):
        decode("{")
    assert pieces("  a b  ") == ["  a", " b", "  "] and pieces("") == []
    completion = decode(json.dumps({"id": "x", "model": "m", "created": 1, "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi there"}, "finish_reason": "odd"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3,
                  "prompt_tokens_details": {"cached_tokens": 1}}}))
    assert completion.usage is not None and completion.usage.cached_tokens == 1
    assert completion.choices[0].finish_reason is None
    assert [c.to_dict()["choices"] for c in replay(completion)][-2][0]["finish_reason"] == "stop"


def test_a_request_too_deep_to_key_goes_out_uncached(fake_provider: FakeProvider, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    deep: dict[str, object] = {}
    for _ in range(5000):
        deep = {"x": deep}
    with caplog.at_level(logging.WARNING, "knollm.cache"), client(fake_provider, tmp_path) as made:
        gate = made._cache_gate
        request = ChatRequest("chat", HI, temperature=0, extra={"metadata_deep": deep})
        assert gate.plan(made.config, request) is None
    assert "RecursionError" in caplog.text
