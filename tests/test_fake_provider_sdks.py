"""The fake provider checked with the official SDKs as peers (test-only dependencies): if the `openai` and
`anthropic` packages accept its answers, streams and errors, the client built against it is tested against the
real wire shapes. Gemini's shapes are checked by hand in test_fake_provider.py (google-genai is heavy)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel, TypeAdapter

from fake_calls import chat_request, send, sse_events
from knollm.testing import CANARY_KEYS, FakeProvider

KEY = CANARY_KEYS[0]
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
           "additionalProperties": False}


@pytest.fixture
def oa(fake_provider: FakeProvider) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=fake_provider.base_url + "/v1", api_key=KEY, max_retries=0, timeout=5) as client:
        yield client


@pytest.fixture
def an(fake_provider: FakeProvider) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=fake_provider.base_url, api_key=KEY, max_retries=0, timeout=5) as client:
        yield client


def test_openai_sdk_plain(oa: openai.OpenAI, fake_provider: FakeProvider) -> None:
    result = oa.chat.completions.create(model="tiny-chat", messages=[{"role": "user", "content": "hello there"}])
    assert result.choices[0].message.content == "ok: hello there"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None and (result.usage.prompt_tokens, result.usage.completion_tokens) == (2, 3)
    assert fake_provider.requests[-1].headers["authorization"] == "Bearer …0001"


def test_openai_sdk_stream_with_usage(oa: openai.OpenAI) -> None:
    stream = oa.chat.completions.create(model="tiny-chat", messages=[{"role": "user", "content": "hello there"}],
                                        stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "ok: hello there"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 5


def test_openai_sdk_tools_round_trip(oa: openai.OpenAI) -> None:
    tools: list[openai.types.chat.ChatCompletionToolParam] = [
        {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
    first = oa.chat.completions.create(model="tiny-chat", messages=[{"role": "user", "content": "weather?"}],
                                       tools=tools)
    calls = first.choices[0].message.tool_calls
    assert first.choices[0].finish_reason == "tool_calls" and calls
    call = calls[0]
    assert call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "ok"}
    second = oa.chat.completions.create(model="tiny-chat", tools=tools, messages=[
        {"role": "user", "content": "weather?"}, first.choices[0].message.model_dump(exclude_none=True),  # type: ignore[list-item]
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"}])
    assert second.choices[0].message.content == "ok: sunny"


def test_openai_sdk_json_schema_parses(oa: openai.OpenAI) -> None:
    class Person(BaseModel):
        name: str
        age: int
        tags: list[str]

    parsed = oa.chat.completions.parse(model="tiny-chat", messages=[{"role": "user", "content": "who?"}],
                                       response_format=Person)
    assert parsed.choices[0].message.parsed == Person(name="ok", age=0, tags=[])


def test_openai_sdk_errors_and_models(oa: openai.OpenAI, fake_provider: FakeProvider) -> None:
    fake_provider.script(["429:3", "503"])
    with pytest.raises(openai.RateLimitError) as limited:
        oa.chat.completions.create(model="tiny-chat", messages=[{"role": "user", "content": "x"}])
    assert limited.value.response.headers["retry-after"] == "3"
    assert limited.value.request_id and limited.value.request_id.startswith("req_fake_")
    with pytest.raises(openai.InternalServerError):
        oa.chat.completions.create(model="tiny-chat", messages=[{"role": "user", "content": "x"}])
    bad = openai.OpenAI(base_url=fake_provider.base_url + "/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()
    assert [m.id for m in oa.models.list()] == ["tiny-chat", "tiny-tools"]


def test_openai_async_sdk_stream(fake_provider: FakeProvider) -> None:
    async def run() -> str:
        async with openai.AsyncOpenAI(base_url=fake_provider.base_url + "/v1", api_key=KEY, max_retries=0) as c:
            stream = await c.chat.completions.create(model="tiny-chat", stream=True,
                                                     messages=[{"role": "user", "content": "async hi"}])
            return "".join([ch.choices[0].delta.content or "" async for ch in stream if ch.choices])

    assert asyncio.run(run()) == "ok: async hi"


def test_anthropic_sdk_plain_with_system(an: anthropic.Anthropic) -> None:
    message = an.messages.create(model="tiny-chat", max_tokens=50, system="be brief",
                                 messages=[{"role": "user", "content": "hello there"}])
    assert message.content[0].type == "text" and message.content[0].text == "ok: hello there"
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (4, 3)


def test_anthropic_sdk_stream(an: anthropic.Anthropic) -> None:
    with an.messages.stream(model="tiny-chat", max_tokens=50,
                            messages=[{"role": "user", "content": "hello there"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "ok: hello there"
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 3


def test_anthropic_sdk_raw_stream_events(an: anthropic.Anthropic) -> None:
    events = list(an.messages.create(model="tiny-chat", max_tokens=50, stream=True,
                                     messages=[{"role": "user", "content": "hi"}]))
    assert [e.type for e in events] == ["message_start", "content_block_start", "content_block_delta",
                                        "content_block_delta", "content_block_stop", "message_delta", "message_stop"]


def test_anthropic_sdk_tool_use_round_trip(an: anthropic.Anthropic) -> None:
    tools: list[anthropic.types.ToolParam] = [{"name": "get_weather", "input_schema": WEATHER}]
    first = an.messages.create(model="tiny-chat", max_tokens=50, tools=tools,
                               messages=[{"role": "user", "content": "weather?"}])
    block = first.content[0]
    assert first.stop_reason == "tool_use" and block.type == "tool_use"
    assert block.name == "get_weather" and block.input == {"city": "ok"}
    with an.messages.stream(model="tiny-chat", max_tokens=50, tools=tools,
                            messages=[{"role": "user", "content": "weather?"}]) as stream:
        streamed = stream.get_final_message().content[0]
    assert streamed.type == "tool_use" and streamed.input == {"city": "ok"}
    second = an.messages.create(model="tiny-chat", max_tokens=50, tools=tools, messages=[
        {"role": "user", "content": "weather?"}, {"role": "assistant", "content": [block.model_dump()]},  # type: ignore[misc, list-item]
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block.id, "content": "sunny"}]}])
    assert second.content[0].type == "text" and second.content[0].text == "ok: sunny"


def test_anthropic_sdk_cache_usage_errors_and_models(an: anthropic.Anthropic, fake_provider: FakeProvider) -> None:
    system: list[anthropic.types.TextBlockParam] = [
        {"type": "text", "text": "shared preamble text", "cache_control": {"type": "ephemeral"}}]
    usages = [an.messages.create(model="tiny-chat", max_tokens=50, system=system,
                                 messages=[{"role": "user", "content": "hi"}]).usage for _ in "ab"]
    assert (usages[0].cache_creation_input_tokens, usages[0].cache_read_input_tokens) == (3, 0)
    assert (usages[1].cache_creation_input_tokens, usages[1].cache_read_input_tokens) == (0, 3)
    fake_provider.script(["429:2", "529"])
    with pytest.raises(anthropic.RateLimitError):
        an.messages.create(model="tiny-chat", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        an.messages.create(model="tiny-chat", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert overloaded.value.status_code == 529
    assert [m.id for m in an.models.list()] == ["tiny-chat", "tiny-tools"]


def test_raw_answers_validate_against_the_sdk_types(fake_provider: FakeProvider) -> None:
    """Every plain answer and every stream event, validated strictly against the SDKs' own pydantic types."""
    tools: dict[str, list[dict[str, Any]]] = {
        "openai": [{"type": "function", "function": {"name": "f", "parameters": WEATHER}}],
        "anthropic": [{"name": "f", "input_schema": WEATHER}]}
    event = TypeAdapter(anthropic.types.RawMessageStreamEvent)
    extras: list[dict[str, Any]] = [{}, {"tools": tools["openai"]}]
    for extra in extras:
        ChatCompletion.model_validate(send(chat_request(fake_provider, "openai", **extra)).json(), strict=True)
        stream = send(chat_request(fake_provider, "openai", stream=True, stream_options={"include_usage": True},
                                   **extra)).text
        for _, data in sse_events(stream)[:-1]:
            ChatCompletionChunk.model_validate_json(data, strict=True)
    extras = [{}, {"tools": tools["anthropic"]}]
    for extra in extras:
        anthropic.types.Message.model_validate(send(chat_request(fake_provider, "anthropic", **extra)).json())
        stream = send(chat_request(fake_provider, "anthropic", stream=True, **extra)).text
        for name, data in sse_events(stream):
            if name != "ping":
                assert event.validate_json(data).type == name
