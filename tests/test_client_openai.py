"""The OpenAI-compatible adapter against its peer, the official `openai` SDK: the body it sends equals the body the
SDK sends for the same call, and its results and chunks validate as the SDK's own types."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletion as SDKCompletion
from openai.types.chat import ChatCompletionChunk as SDKChunk

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
from knollm.client.errors import InvalidResponse, StreamInterrupted

MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Weather in Paris?"},
]
TOOLS: list[dict[str, Any]] = [{
    "type": "function",
    "function": {
        "name": "get_weather", "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}]
SCHEMA: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "city", "strict": True, "schema": {
        "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
        "additionalProperties": False}},
}
COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-test",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop",
                 "logprobs": None}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15,
              "prompt_tokens_details": {"cached_tokens": 8}},
}
CASES: dict[str, dict[str, Any]] = {
    "plain": {"messages": MESSAGES, "max_tokens": 50, "temperature": 0.2},
    "tools": {"messages": MESSAGES, "tools": TOOLS, "tool_choice": "auto", "extra": {"parallel_tool_calls": False}},
    "json_schema": {"messages": MESSAGES, "response_format": SCHEMA},
    "json_object": {"messages": MESSAGES, "response_format": {"type": "json_object"}, "extra": {"seed": 7}},
    "stream": {"messages": MESSAGES, "stream": True},
}


def sdk_body(case: dict[str, Any]) -> dict[str, Any]:
    """The body the official SDK sends for the same call."""
    stream = case.get("stream", False)
    reply = (httpx.Response(200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"})
             if stream else httpx.Response(200, json=COMPLETION))
    capture = Capture(reply)
    client = openai.OpenAI(api_key=KEY, base_url=BASE_URLS["openai"],
                           http_client=httpx.Client(transport=httpx.MockTransport(capture)))
    kwargs = {k: v for k, v in case.items() if k not in ("extra", "stream")}
    kwargs.update(case.get("extra", {}))
    if stream:
        kwargs.update(stream=True, stream_options={"include_usage": True})
    result = client.chat.completions.create(model="gpt-test", **kwargs)
    if stream:
        result.close()  # type: ignore[union-attr]
    assert capture.requests[0].url == "https://api.openai.test/v1/chat/completions"
    return capture.body


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_matches_the_openai_sdk(name: str) -> None:
    case = CASES[name]
    http_request = ADAPTERS["openai"].build(request(**case), target("openai"))
    assert body_of(http_request) == sdk_body(case)
    assert str(http_request.url) == "https://api.openai.test/v1/chat/completions"
    assert http_request.headers["authorization"] == f"Bearer {KEY}"


def test_extra_passes_through_and_target_headers_are_added() -> None:
    tgt = target("openai", headers={"X-Title": "knollm"})
    http_request = ADAPTERS["openai"].build(request(extra={"top_p": 0.5, "stop": ["\n"]}), tgt)
    assert body_of(http_request)["top_p"] == 0.5 and body_of(http_request)["stop"] == ["\n"]
    assert http_request.headers["x-title"] == "knollm"


def test_plain_completion_validates_as_the_sdk_type() -> None:
    result = complete("openai", request(), json_response(COMPLETION))
    assert result.choices[0].message.content == "Hi!" and result.choices[0].finish_reason == "stop"
    assert (result.usage and result.usage.prompt_tokens, result.usage and result.usage.cached_tokens) == (12, 8)
    peer = SDKCompletion.model_validate(result.to_dict())
    assert peer.usage and peer.usage.prompt_tokens_details and peer.usage.prompt_tokens_details.cached_tokens == 8
    assert SDKCompletion.model_validate(COMPLETION).model_dump(exclude_none=True) == peer.model_dump(exclude_none=True)


def test_tool_call_completion() -> None:
    data = {**COMPLETION, "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": '{"city":"Paris"}'}}]}}]}
    result = complete("openai", request(tools=TOOLS), json_response(data))
    call = result.choices[0].message.tool_calls
    assert call and call[0].function.arguments == '{"city":"Paris"}' and result.choices[0].finish_reason == "tool_calls"
    assert SDKCompletion.model_validate(result.to_dict()).choices[0].message.tool_calls


def test_compatible_server_quirks_are_normalised() -> None:
    data = {"choices": [{"message": {"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                                     "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]},
                         "finish_reason": "eos"}], "usage": {"prompt_tokens": 5, "completion_tokens": 1,
                                                               "prompt_cache_hit_tokens": 4}}
    result = complete("openai", request(), json_response(data))
    message = result.choices[0].message
    assert message.content == "ab" and message.tool_calls and message.tool_calls[0].function.arguments == '{"x":1}'
    assert result.choices[0].finish_reason == "stop" and result.model == "gpt-test"
    assert result.usage == result.usage.__class__(5, 1, 6, cached_tokens=4)
    SDKCompletion.model_validate(result.to_dict())


def chunk(delta: dict[str, Any] | None, finish: str | None = None, usage: dict[str, Any] | None = None,
          ) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "chatcmpl-9", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-test",
            "choices": choices, "usage": usage}


STREAM = sse(
    chunk({"role": "assistant", "content": ""}), chunk({"content": "Hel"}), chunk({"content": "lo"}),
    chunk({}, "stop"), chunk(None, usage={"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}), "[DONE]",
)


def test_stream_text_and_final_usage_chunk_validate_as_sdk_chunks() -> None:
    chunks = stream("openai", request(stream=True), sse_response(STREAM))
    assert "".join(iter_text(chunks)) == "Hello"
    assert chunks[-1].choices == [] and chunks[-1].usage and chunks[-1].usage.total_tokens == 11
    assert chunks[-2].choices[0].finish_reason == "stop"
    for item in chunks:
        SDKChunk.model_validate(item.to_dict())


def test_streamed_tool_call_deltas() -> None:
    body = sse(
        chunk({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                     "function": {"name": "get_weather", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
        chunk({}, "tool_calls"), "[DONE]",
    )
    chunks = stream("openai", request(stream=True, tools=TOOLS), sse_response(body))
    calls = [call for c in chunks for choice in c.choices for call in choice.delta.tool_calls or []]
    assert calls[0].id == "call_1" and calls[0].function and calls[0].function.name == "get_weather"
    assert "".join(c.function.arguments or "" for c in calls if c.function) == '{"city":"Paris"}'
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    for item in chunks:
        SDKChunk.model_validate(item.to_dict())


def test_stream_without_done_is_interrupted_with_the_text_so_far() -> None:
    body = sse(chunk({"role": "assistant", "content": ""}), chunk({"content": "Hel"}))
    with pytest.raises(StreamInterrupted) as caught:
        stream("openai", request(stream=True), sse_response(body))
    assert caught.value.text_so_far == "Hel" and caught.value.chunks == 2


def test_stream_cut_mid_event_is_interrupted() -> None:
    body = sse(chunk({"content": "Hel"})) + b'data: {"id": "chatcmpl-9", "choi'
    with pytest.raises(StreamInterrupted) as caught:
        stream("openai", request(stream=True), sse_response(body))
    assert caught.value.text_so_far == "Hel"


def test_error_event_in_stream_is_interrupted_and_redacted() -> None:
    body = sse(chunk({"content": "a"}), {"error": {"message": f"overloaded, key {KEY}"}})
    with pytest.raises(StreamInterrupted) as caught:
        stream("openai", request(stream=True), sse_response(body))
    assert "overloaded" in str(caught.value) and KEY not in str(caught.value)


@pytest.mark.parametrize("data", [{**COMPLETION, "choices": []}, {"id": "x"}, {"error": {"message": "bad"}}])
def test_no_choices_is_an_invalid_response(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponse, match="choices"):
        complete("openai", request(), json_response(data))
