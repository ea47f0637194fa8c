"""`knollm.Client` and `AsyncClient` end to end against the fake provider on 127.0.0.1: each API round-trips
plain, streamed, tool-calling and JSON-schema requests; each fault class raises its documented exception; no test
key appears in any output."""

from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest

import knollm
from knollm.client import errors
from knollm.testing import CANARY_KEYS

KEY = CANARY_KEYS[0]
ENV = {"FAKE_KEY": KEY}
FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
BASES = {"openai": "/v1", "anthropic": "/v1", "gemini": "/v1beta"}
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                        "required": ["city"]}}}
SCHEMA = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {
    "type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
    "additionalProperties": False}}}
HI = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "say hi"}]


def write_config(path: Path, base_url: str, timeout_s: float = 5) -> Path:
    sections = [f"""
[providers.fake-{api}]
base_url = "{base_url}{prefix}"
api = "{api}"
keys = ["env:FAKE_KEY"]
timeout_s = {timeout_s}

[models."fake-{api}/tiny-chat"]
input_per_mtok = "1"
output_per_mtok = "2"
""" for api, prefix in BASES.items()]
    sections.append('[routes.any]\ncandidates = ["fake-openai/tiny-chat", "fake-anthropic/tiny-chat", '
                    '"fake-gemini/tiny-chat"]\n')
    path.write_text("".join(sections), encoding="utf-8")
    return path


@pytest.fixture
def client(fake_provider, tmp_path: Path):
    config = write_config(tmp_path / "knollm.toml", fake_provider.base_url)
    with knollm.Client(config, catalog=knollm.Catalog.load(FIXTURE), env=ENV) as made:
        yield made


@pytest.mark.parametrize("api", list(BASES))
def test_plain_request_round_trips_with_exact_cost(client, api: str) -> None:
    result = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI)
    assert result.choices[0].message.content == "ok: say hi"
    usage = result.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens == 3
    cost = result.knollm.cost
    assert cost.total == (Decimal(usage.prompt_tokens) * 1 + Decimal(usage.completion_tokens) * 2) / 1_000_000
    assert result.knollm.provider == f"fake-{api}" and result.knollm.key_alias == "env:FAKE_KEY"


@pytest.mark.parametrize("api", list(BASES))
def test_stream_round_trips_with_usage(client, api: str) -> None:
    stream = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI, stream=True)
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "ok: say hi"
    assert chunks[-1].usage is not None and stream.knollm.cost is not None and stream.knollm.ttft_s is not None


@pytest.mark.parametrize("api", list(BASES))
def test_tool_call_round_trips(client, api: str) -> None:
    result = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI, tools=[TOOL])
    (call,) = result.choices[0].message.tool_calls
    assert call.function.name == "get_weather" and "city" in json.loads(call.function.arguments)
    follow = [*HI, result.choices[0].message.to_dict(),
              {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    again = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=follow, tools=[TOOL])
    assert again.choices[0].message.content and not again.choices[0].message.tool_calls


@pytest.mark.parametrize("api", list(BASES))
def test_json_schema_round_trips(client, api: str) -> None:
    result = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI, response_format=SCHEMA)
    assert set(json.loads(result.choices[0].message.content)) == {"answer"}


FAULTS = [
    ("401", errors.AuthenticationFailed), ("429:7", errors.RateLimited), ("500", errors.ProviderUnavailable),
    ("503", errors.ProviderUnavailable), ("reset", errors.ProviderUnavailable), ("malformed", errors.InvalidResponse),
    ("html", errors.InvalidResponse), ("empty", errors.InvalidResponse),
]


@pytest.mark.parametrize("api", list(BASES))
@pytest.mark.parametrize(("fault", "raised"), FAULTS, ids=[f for f, _ in FAULTS])
def test_each_fault_raises_its_exception(client, fake_provider, api: str, fault: str, raised: type) -> None:
    fake_provider.script([fault])
    with pytest.raises(raised) as caught:
        client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI)
    if fault.startswith("429"):
        assert caught.value.retry_after == 7
    assert [a.status for a in caught.value.attempts] == ["failed"]


@pytest.mark.parametrize("api", list(BASES))
@pytest.mark.parametrize("fault", ["cut_mid", "no_done"])
def test_a_stream_cut_midway_keeps_the_text_so_far(client, fake_provider, api: str, fault: str) -> None:
    fake_provider.script([fault])
    stream = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI, stream=True)
    received: list[str] = []
    with pytest.raises(errors.StreamInterrupted) as caught:
        for chunk in stream:
            received += [c.delta.content or "" for c in chunk.choices]
    assert caught.value.text_so_far == "".join(received)


def test_a_timeout_raises_timeout(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path / "knollm.toml", fake_provider.base_url, timeout_s=0.3)
    fake_provider.script(["hang:3"])
    with (knollm.Client(config, catalog=knollm.Catalog.load(FIXTURE), env=ENV) as slow,
          pytest.raises(errors.Timeout)):
        slow.chat.completions.create(model="fake-openai/tiny-chat", messages=HI)


def test_a_route_fails_over_across_apis(client, fake_provider) -> None:
    fake_provider.script(["503"], route="openai/chat")
    fake_provider.script(["cut_start"], route="anthropic/messages")
    stream = client.chat.completions.create(model="any", messages=HI, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "ok: say hi" and stream.knollm.provider == "fake-gemini"
    assert [a.error for a in stream.knollm.attempts] == ["ProviderUnavailable", "StreamInterrupted", None]


def test_async_client_round_trips(fake_provider, tmp_path: Path) -> None:
    config = write_config(tmp_path / "knollm.toml", fake_provider.base_url)

    async def run() -> tuple[str, str]:
        async with knollm.AsyncClient(config, catalog=knollm.Catalog.load(FIXTURE), env=ENV) as aclient:
            plain = await aclient.chat.completions.create(model="fake-anthropic/tiny-chat", messages=HI)
            stream = await aclient.chat.completions.create(model="fake-gemini/tiny-chat", messages=HI, stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            return plain.choices[0].message.content, text

    assert asyncio.run(run()) == ("ok: say hi", "ok: say hi")


def test_no_test_key_in_any_output(fake_provider, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    config = write_config(tmp_path / "knollm.toml", fake_provider.base_url)
    texts: list[str] = []
    with knollm.Client(config, catalog=knollm.Catalog.load(FIXTURE), env=ENV) as made:
        for api in BASES:
            for fault in ("401", "429", "html", "malformed", "normal"):
                fake_provider.script([fault])
                try:
                    result = made.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI)
                    texts += [repr(result), repr(result.knollm)]
                except knollm.KnollmError as exc:
                    texts += [str(exc), repr(exc), repr(exc.__dict__)]
        texts.append(repr(made.resolve("any")))
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text, *(repr(r.__dict__) for r in caplog.records)]
    everything = "\n".join(texts)
    assert not [key for key in CANARY_KEYS if key in everything]
    assert "env:FAKE_KEY" in everything


def test_the_readme_example_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    monkeypatch.setenv("KNOLLM_BUNDLE", str(FIXTURE))  # a clean clone (CI) has no packaged bundle

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Call a model"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.startswith("ok: hello (Attempt(provider='alpha'")


def test_one_client_serves_many_threads(client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask(i: int) -> str:
        api = list(BASES)[i % 3]
        result = client.chat.completions.create(model=f"fake-{api}/tiny-chat",
                                                messages=[{"role": "user", "content": f"n{i}"}])
        return result.choices[0].message.content

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, range(48)))
    assert answers == [f"ok: n{i}" for i in range(48)]


def test_reload_config_keeps_calls_in_flight(fake_provider, tmp_path: Path) -> None:
    import threading

    config = write_config(tmp_path / "knollm.toml", fake_provider.base_url)
    fake_provider.script(["slow:1"])
    with knollm.Client(config, catalog=knollm.Catalog.load(FIXTURE), env=ENV) as made:
        outcome: list[str] = []
        worker = threading.Thread(target=lambda: outcome.append(
            made.chat.completions.create(model="fake-openai/tiny-chat", messages=HI).knollm.provider))
        worker.start()
        config.write_text(config.read_text(encoding="utf-8").replace("fake-openai", "renamed-openai"),
                          encoding="utf-8")
        made.reload_config()
        worker.join(10)
        assert outcome == ["fake-openai"]  # the call in flight finished with the configuration it started with
        assert "renamed-openai" in made.config.providers and "fake-openai" not in made.config.providers
        assert made.chat.completions.create(model="renamed-openai/tiny-chat", messages=HI).choices


@pytest.mark.parametrize("api", list(BASES))
def test_results_validate_against_the_openai_sdk_types(client, api: str) -> None:
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    result = client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI, tools=[TOOL])
    ChatCompletion.model_validate(result.to_dict())
    for chunk in client.chat.completions.create(model=f"fake-{api}/tiny-chat", messages=HI, stream=True):
        ChatCompletionChunk.model_validate(chunk.to_dict())
