"""The Anthropic Messages adapter against its peers: the body equals what the official `anthropic` SDK sends for
the equivalent native call (and fits `MessageCreateParams`), the response and stream fixtures validate as the
SDK's own types, and the results validate as the `openai` SDK's types."""

from __future__ import annotations

import typing
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types import Message as AnthropicMessage
from anthropic.types import RawMessageStreamEvent
from anthropic.types.message_create_params import MessageCreateParamsBase
from openai.types.chat import ChatCompletion as SDKCompletion
from openai.types.chat import ChatCompletionChunk as SDKChunk
from pydantic import TypeAdapter

from client_helpers import (
    BASE_URLS,
    KEY,
    Capture,
    body_of,
    complete,
    iter_text,
    json_response,
    request,
    sse,
    sse_response,
    stream,
    target,
)
from knollm.client.adapters import ADAPTERS
from knollm.client.adapters.anthropic_request import API_VERSION, DEFAULT_MAX_TOKENS, JSON_OBJECT_INSTRUCTION
from knollm.client.errors import InvalidResponse, StreamInterrupted, UnsupportedRequest

SYSTEM = {"role": "system", "content": "Be brief."}
USER = {"role": "user", "content": "Weather in Paris?"}
PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Now", "parameters": PARAMS}}]
CALL = {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
          "additionalProperties": False}

# (canonical OpenAI-shaped request, the equivalent native call to the anthropic SDK)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "plain": ({"messages": [SYSTEM, USER]},
              {"system": "Be brief.", "messages": [USER], "max_tokens": DEFAULT_MAX_TOKENS}),
    "stream": ({"messages": [SYSTEM, USER], "stream": True, "max_tokens": 100},
               {"system": "Be brief.", "messages": [USER], "max_tokens": 100, "stream": True}),
    "tools": ({"messages": [USER], "tools": TOOLS, "tool_choice": "required",
               "extra": {"parallel_tool_calls": False, "stop": "END", "user": "u-1"}},
              {"messages": [USER], "max_tokens": DEFAULT_MAX_TOKENS, "stop_sequences": ["END"],
               "metadata": {"user_id": "u-1"},
               "tools": [{"name": "get_weather", "description": "Now", "input_schema": PARAMS}],
               "tool_choice": {"type": "any", "disable_parallel_tool_use": True}}),
    "tool_results": ({"messages": [USER, {"role": "assistant", "content": "Checking.", "tool_calls": [CALL]},
                                   {"role": "tool", "tool_call_id": "toolu_1", "content": "18 C"},
                                   {"role": "user", "content": "And tomorrow?"}],
                      "tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
                     {"messages": [USER, {"role": "assistant", "content": [
                         {"type": "text", "text": "Checking."},
                         {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
                         {"role": "user", "content": [
                             {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C"},
                             {"type": "text", "text": "And tomorrow?"}]}],
                      "max_tokens": DEFAULT_MAX_TOKENS,
                      "tools": [{"name": "get_weather", "description": "Now", "input_schema": PARAMS}],
                      "tool_choice": {"type": "tool", "name": "get_weather"}}),
    "json_schema": ({"messages": [USER], "response_format": {"type": "json_schema", "json_schema": {
                        "name": "city", "schema": SCHEMA}}},
                    {"messages": [USER], "max_tokens": DEFAULT_MAX_TOKENS,
                     "output_config": {"format": {"type": "json_schema", "schema": SCHEMA}}}),
    "json_object": ({"messages": [SYSTEM, USER], "response_format": {"type": "json_object"}},
                    {"system": f"Be brief.\n\n{JSON_OBJECT_INSTRUCTION}", "messages": [USER],
                     "max_tokens": DEFAULT_MAX_TOKENS}),
    "image": ({"messages": [{"role": "user", "content": [
                  {"type": "text", "text": "What is this?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                  {"type": "image_url", "image_url": {"url": "https://example.test/cat.png"}}]}]},
              {"messages": [{"role": "user", "content": [
                  {"type": "text", "text": "What is this?"},
                  {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                  {"type": "image", "source": {"type": "url", "url": "https://example.test/cat.png"}}]}],
               "max_tokens": DEFAULT_MAX_TOKENS}),
}

MESSAGE: dict[str, Any] = {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
    "content": [{"type": "text", "text": "Hi!"}], "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 10, "output_tokens": 4, "cache_read_input_tokens": 100,
              "cache_creation_input_tokens": 20},
}


def sdk_body(native: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The body the official SDK sends (it runs on `httpx2`, httpx's successor, hence its own MockTransport)."""
    streaming = native.get("stream", False)
    reply = (httpx2.Response(200, content=b"", headers={"content-type": "text/event-stream"})
             if streaming else httpx2.Response(200, json=MESSAGE))
    capture = Capture(reply)  # type: ignore[arg-type]
    client = anthropic.Anthropic(api_key=KEY, base_url=BASE_URLS["anthropic"].removesuffix("/v1"),
                                 http_client=httpx2.Client(transport=httpx2.MockTransport(capture)))
    result = client.messages.create(model="claude-test", **native)
    if streaming:
        result.close()  # type: ignore[union-attr]
    return capture.body, capture.requests[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_matches_the_anthropic_sdk(name: str) -> None:
    canonical, native = CASES[name]
    http_request = ADAPTERS["anthropic"].build(request(**canonical), target("anthropic"))
    body = body_of(http_request)
    expected, sdk_request = sdk_body(native)
    assert body == expected
    assert str(http_request.url) == str(sdk_request.url) == "https://api.anthropic.test/v1/messages"
    assert http_request.headers["anthropic-version"] == sdk_request.headers["anthropic-version"] == API_VERSION
    assert http_request.headers["x-api-key"] == KEY
    hints = typing.get_type_hints(MessageCreateParamsBase)
    assert set(body) - {"stream"} <= set(hints) and {"model", "messages", "max_tokens"} <= set(body)


def test_sampling_parameters_only_for_an_older_api_version() -> None:
    chat = request(temperature=0.3, extra={"top_p": 0.9, "seed": 1})
    assert {"temperature", "top_p", "seed"}.isdisjoint(body_of(ADAPTERS["anthropic"].build(chat, target("anthropic"))))
    old = target("anthropic", headers={"anthropic-version": "2023-06-01"})
    http_request = ADAPTERS["anthropic"].build(chat, old)
    assert body_of(http_request)["temperature"] == 0.3 and body_of(http_request)["top_p"] == 0.9
    assert http_request.headers["anthropic-version"] == "2023-06-01"


def test_bad_tool_arguments_are_refused_before_sending() -> None:
    bad = {**CALL, "function": {"name": "f", "arguments": "not json"}}
    chat = request(messages=[USER, {"role": "assistant", "content": None, "tool_calls": [bad]}])
    with pytest.raises(UnsupportedRequest, match="JSON"):
        ADAPTERS["anthropic"].build(chat, target("anthropic"))


def test_response_with_cache_usage() -> None:
    AnthropicMessage.model_validate(MESSAGE)  # the fixture is a real Messages answer
    result = complete("anthropic", request(), json_response(MESSAGE))
    assert result.id == "msg_1" and result.choices[0].message.content == "Hi!"
    assert result.choices[0].finish_reason == "stop"
    usage = result.usage
    assert usage and (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (130, 4, 134)
    assert (usage.cached_tokens, usage.cache_write_tokens) == (100, 20)
    SDKCompletion.model_validate(result.to_dict())


def test_tool_use_response() -> None:
    data = {**MESSAGE, "stop_reason": "tool_use", "content": [
        {"type": "thinking", "thinking": "hm", "signature": "s"}, {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]}
    AnthropicMessage.model_validate(data)
    result = complete("anthropic", request(tools=TOOLS), json_response(data))
    message = result.choices[0].message
    assert message.content == "Checking." and result.choices[0].finish_reason == "tool_calls"
    assert message.tool_calls and message.tool_calls[0].function.arguments == '{"city":"Paris"}'
    SDKCompletion.model_validate(result.to_dict())


@pytest.mark.parametrize(("stop", "finish"), [("max_tokens", "length"), ("refusal", "content_filter"),
                                              ("stop_sequence", "stop"), ("something_new", "stop")])
def test_stop_reason_mapping(stop: str, finish: str) -> None:
    assert complete("anthropic", request(), json_response({**MESSAGE, "stop_reason": stop})).choices[0].finish_reason \
        == finish


@pytest.mark.parametrize("data", [{"type": "error", "error": {"type": "overloaded_error", "message": "x"}},
                                  {"id": "msg_1"}])
def test_error_object_or_no_content_is_invalid(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponse):
        complete("anthropic", request(), json_response(data))


EVENTS: list[dict[str, Any]] = [
    {"type": "message_start", "message": {**MESSAGE, "content": [], "stop_reason": None,
                                          "usage": {"input_tokens": 10, "output_tokens": 1,
                                                    "cache_read_input_tokens": 100}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "ping"},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me "}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "check."}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1,
     "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"city":'}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '"Paris"}'}},
    {"type": "content_block_stop", "index": 1},
    {"type": "content_block_start", "index": 2,
     "content_block": {"type": "tool_use", "id": "toolu_2", "name": "now", "input": {}}},
    {"type": "content_block_stop", "index": 2},
    {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
     "usage": {"output_tokens": 25}},
    {"type": "message_stop"},
]


def test_stream_events_become_openai_chunks() -> None:
    validator: TypeAdapter[Any] = TypeAdapter(RawMessageStreamEvent)
    for event in EVENTS:
        if event["type"] != "ping":
            validator.validate_python(event)  # the fixture is a real Messages stream
    chunks = stream("anthropic", request(stream=True, tools=TOOLS), sse_response(sse(*EVENTS, named=True)))
    assert "".join(iter_text(chunks)) == "Let me check." and chunks[0].choices[0].delta.role == "assistant"
    calls = [call for c in chunks for choice in c.choices for call in choice.delta.tool_calls or []]
    assert [(c.index, c.id) for c in calls if c.id] == [(0, "toolu_1"), (1, "toolu_2")]
    arguments = {i: "".join(c.function.arguments or "" for c in calls if c.index == i and c.function) for i in (0, 1)}
    assert arguments == {0: '{"city":"Paris"}', 1: "{}"}
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage and (usage.prompt_tokens, usage.completion_tokens) == (110, 25)
    assert usage.cached_tokens == 100 and {c.id for c in chunks} == {"msg_1"}
    for item in chunks:
        SDKChunk.model_validate(item.to_dict())


def test_stream_without_message_stop_is_interrupted() -> None:
    with pytest.raises(StreamInterrupted) as caught:
        stream("anthropic", request(stream=True), sse_response(sse(*EVENTS[:4], named=True)))
    assert caught.value.text_so_far == "Let me " and "message_stop" in str(caught.value)


def test_error_event_interrupts_the_stream() -> None:
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(StreamInterrupted, match="Overloaded") as caught:
        stream("anthropic", request(stream=True), sse_response(sse(*EVENTS[:5], error, named=True)))
    assert caught.value.text_so_far == "Let me check."
