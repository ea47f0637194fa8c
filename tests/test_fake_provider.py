"""The fake provider speaks each API correctly (plain, streamed, tools, JSON, usage, cache tokens, models), checks
auth and request shape, records requests with keys redacted, and scripts its faults; all over plain httpx."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fake_calls import APIS, HEADERS, KEY, chat_request, send, sse_events, stream_text
from knollm.testing import CANARY_KEYS, FakeProvider

WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1},
                                            "units": {"enum": ["metric", "imperial"]}}, "required": ["city", "days"]}
WEATHER_ARGS = {"city": "ok", "days": 1, "units": "metric"}


def test_openai_plain_answer_is_deterministic(fake_provider: FakeProvider) -> None:
    response = send(chat_request(fake_provider, "openai", "hello there"))
    assert response.status_code == 200
    assert response.headers["x-request-id"].startswith("req_fake_")
    data = response.json()
    assert data["object"] == "chat.completion" and data["model"] == "tiny-chat"
    assert data["choices"][0]["message"] == {"role": "assistant", "content": "ok: hello there", "refusal": None}
    assert data["choices"][0]["finish_reason"] == "stop"
    assert data["usage"]["prompt_tokens"] == 2 and data["usage"]["completion_tokens"] == 3
    assert data["usage"]["total_tokens"] == 5


def test_openai_stream_with_usage_ends_with_usage_chunk_and_done(fake_provider: FakeProvider) -> None:
    request = chat_request(fake_provider, "openai", "hello there", stream=True,
                           stream_options={"include_usage": True})
    response = send(request)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    assert stream_text("openai", events) == ("ok: hello there", True)
    chunks = [json.loads(d) for _, d in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert [c["choices"][0]["finish_reason"] for c in chunks[:-1]][-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] == 5
    assert all(c["usage"] is None for c in chunks[:-1])


def test_openai_stream_without_usage_sends_no_usage(fake_provider: FakeProvider) -> None:
    events = sse_events(send(chat_request(fake_provider, "openai", "hi", stream=True)).text)
    assert all("usage" not in json.loads(d) for _, d in events[:-1])
    assert events[-1] == (None, "[DONE]")


def test_openai_tools_call_then_answer_the_tool_result(fake_provider: FakeProvider) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
    data = send(chat_request(fake_provider, "openai", "weather?", tools=tools)).json()
    call = data["choices"][0]["message"]["tool_calls"][0]
    assert data["choices"][0]["finish_reason"] == "tool_calls"
    assert data["choices"][0]["message"]["content"] is None
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == WEATHER_ARGS
    messages = [{"role": "user", "content": "weather?"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": call["id"], "content": "sunny 21C"}]
    request = httpx.Request("POST", f"{fake_provider.base_url}/v1/chat/completions", headers=HEADERS["openai"],
                            json={"model": "tiny-chat", "messages": messages, "tools": tools})
    assert send(request).json()["choices"][0]["message"]["content"] == "ok: sunny 21C"


def test_openai_streamed_tool_call_arguments_join_to_json(fake_provider: FakeProvider) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
    events = sse_events(send(chat_request(fake_provider, "openai", "w", stream=True, tools=tools)).text)
    deltas = [c["delta"].get("tool_calls") for _, d in events[:-1] for c in json.loads(d)["choices"]]
    calls = [tc for d in deltas if d for tc in d]
    assert calls[0]["id"] and calls[0]["function"]["name"] == "get_weather"
    assert json.loads("".join(c["function"]["arguments"] for c in calls)) == WEATHER_ARGS


def test_openai_tool_choice_none_answers_text(fake_provider: FakeProvider) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
    data = send(chat_request(fake_provider, "openai", "hi", tools=tools, tool_choice="none")).json()
    assert data["choices"][0]["message"]["content"] == "ok: hi"


def test_openai_json_object_and_json_schema(fake_provider: FakeProvider) -> None:
    data = send(chat_request(fake_provider, "openai", "hi", response_format={"type": "json_object"})).json()
    assert json.loads(data["choices"][0]["message"]["content"]) == {"answer": "ok: hi"}
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {
        "$ref": "#/$defs/tag"}, "minItems": 1}}, "$defs": {"tag": {"type": "string", "minLength": 3}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}}
    data = send(chat_request(fake_provider, "openai", "hi", response_format=fmt)).json()
    assert json.loads(data["choices"][0]["message"]["content"]) == {"name": "ok", "tags": ["okk"]}


def test_max_tokens_cuts_the_answer_in_every_api(fake_provider: FakeProvider) -> None:
    text = "one two three four"
    openai = send(chat_request(fake_provider, "openai", text, max_tokens=2)).json()
    assert openai["choices"][0]["message"]["content"] == "ok: one"
    assert openai["choices"][0]["finish_reason"] == "length"
    anthropic = send(chat_request(fake_provider, "anthropic", text, max_tokens=2)).json()
    assert anthropic["content"][0]["text"] == "ok: one" and anthropic["stop_reason"] == "max_tokens"
    gemini = send(chat_request(fake_provider, "gemini", text, generationConfig={"maxOutputTokens": 2})).json()
    assert gemini["candidates"][0]["content"]["parts"][0]["text"] == "ok: one"
    assert gemini["candidates"][0]["finishReason"] == "MAX_TOKENS"


def test_openai_second_turn_reads_the_first_turn_from_the_cache(fake_provider: FakeProvider) -> None:
    first = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}]
    url = f"{fake_provider.base_url}/v1/chat/completions"
    one = send(httpx.Request("POST", url, headers=HEADERS["openai"], json={"model": "m", "messages": first}))
    assert one.json()["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    second = [*first, {"role": "assistant", "content": "ok: hello there"}, {"role": "user", "content": "more"}]
    two = send(httpx.Request("POST", url, headers=HEADERS["openai"], json={"model": "m", "messages": second}))
    assert two.json()["usage"]["prompt_tokens_details"]["cached_tokens"] == 4  # "be brief hello there"
    assert two.json()["usage"]["prompt_tokens"] == 8


def test_anthropic_plain_answer_with_system_prompt(fake_provider: FakeProvider) -> None:
    data = send(chat_request(fake_provider, "anthropic", "hello there", system="be brief")).json()
    assert data["type"] == "message" and data["role"] == "assistant" and data["model"] == "tiny-chat"
    assert data["content"] == [{"type": "text", "text": "ok: hello there"}]
    assert data["stop_reason"] == "end_turn"
    assert data["usage"] == {"input_tokens": 4, "output_tokens": 3, "cache_creation_input_tokens": 0,
                             "cache_read_input_tokens": 0}


def test_anthropic_stream_event_sequence(fake_provider: FakeProvider) -> None:
    events = sse_events(send(chat_request(fake_provider, "anthropic", "hello there", stream=True)).text)
    names = [e for e, _ in events]
    assert names == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
    assert all(json.loads(d)["type"] == e for e, d in events)
    assert stream_text("anthropic", events) == ("ok: hello there", True)
    delta = json.loads(events[-2][1])
    assert delta["delta"]["stop_reason"] == "end_turn" and delta["usage"]["output_tokens"] == 3


def test_anthropic_tool_use_plain_and_streamed(fake_provider: FakeProvider) -> None:
    tools = [{"name": "get_weather", "description": "weather", "input_schema": WEATHER}]
    data = send(chat_request(fake_provider, "anthropic", "weather?", tools=tools)).json()
    assert data["stop_reason"] == "tool_use"
    block = data["content"][0]
    assert block["type"] == "tool_use" and block["id"].startswith("toolu_") and block["input"] == WEATHER_ARGS
    events = sse_events(send(chat_request(fake_provider, "anthropic", "weather?", stream=True, tools=tools)).text)
    bodies = [json.loads(d) for _, d in events]
    start = next(b for b in bodies if b["type"] == "content_block_start")
    assert start["content_block"]["type"] == "tool_use" and start["content_block"]["input"] == {}
    partial = "".join(b["delta"]["partial_json"] for b in bodies if b["type"] == "content_block_delta")
    assert json.loads(partial) == WEATHER_ARGS
    result = [{"role": "user", "content": "weather?"}, {"role": "assistant", "content": [block]},
              {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block["id"], "content": "sunny"}]}]
    request = httpx.Request("POST", f"{fake_provider.base_url}/v1/messages", headers=HEADERS["anthropic"],
                            json={"model": "m", "max_tokens": 50, "tools": tools, "messages": result})
    assert send(request).json()["content"] == [{"type": "text", "text": "ok: sunny"}]


def test_anthropic_cache_control_writes_then_reads(fake_provider: FakeProvider) -> None:
    system = [{"type": "text", "text": "a long shared preamble", "cache_control": {"type": "ephemeral"}}]
    usages = [send(chat_request(fake_provider, "anthropic", "hi", system=system)).json()["usage"] for _ in "ab"]
    assert usages[0] == {"input_tokens": 1, "output_tokens": 2, "cache_creation_input_tokens": 4,
                         "cache_read_input_tokens": 0}
    assert usages[1]["cache_read_input_tokens"] == 4 and usages[1]["cache_creation_input_tokens"] == 0
    start = json.loads(sse_events(send(chat_request(fake_provider, "anthropic", "hi", system=system,
                                                     stream=True)).text)[0][1])
    assert start["message"]["usage"]["cache_read_input_tokens"] == 4


@pytest.mark.parametrize(("extra", "headers", "problem"), [
    ({}, {"x-api-key": KEY}, "anthropic-version"),
    ({"max_tokens": None}, None, "max_tokens"),
    ({"messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}]}, None, "system"),
])
def test_anthropic_rejects_what_the_real_api_rejects(fake_provider: FakeProvider, extra: dict[str, Any],
                                                      headers: dict[str, str] | None, problem: str) -> None:
    request = chat_request(fake_provider, "anthropic", "hi", headers=headers, **extra)
    response = send(request)
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    assert problem in error["error"]["message"]


def test_gemini_plain_answer_with_system_instruction(fake_provider: FakeProvider) -> None:
    system = {"parts": [{"text": "be brief"}]}
    data = send(chat_request(fake_provider, "gemini", "hello there", systemInstruction=system)).json()
    candidate = data["candidates"][0]
    assert candidate["content"] == {"parts": [{"text": "ok: hello there"}], "role": "model"}
    assert candidate["finishReason"] == "STOP"
    assert data["usageMetadata"] == {"promptTokenCount": 4, "candidatesTokenCount": 3, "totalTokenCount": 7}


def test_gemini_stream_final_chunk_carries_finish_and_usage(fake_provider: FakeProvider) -> None:
    events = sse_events(send(chat_request(fake_provider, "gemini", "hello there", stream=True)).text)
    assert all(e is None for e, _ in events)
    assert stream_text("gemini", events) == ("ok: hello there", True)
    final = json.loads(events[-1][1])
    assert final["usageMetadata"]["totalTokenCount"] == 5
    assert all("finishReason" not in json.loads(d)["candidates"][0] for _, d in events[:-1])


def test_gemini_function_call_and_snake_case_fields(fake_provider: FakeProvider) -> None:
    tools = [{"function_declarations": [{"name": "get_weather", "parameters": WEATHER}]}]
    config = {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["get_weather"]}}
    data = send(chat_request(fake_provider, "gemini", "weather?", tools=tools, tool_config=config)).json()
    part = data["candidates"][0]["content"]["parts"][0]
    assert part["functionCall"]["name"] == "get_weather" and part["functionCall"]["args"] == WEATHER_ARGS
    contents = [{"role": "user", "parts": [{"text": "weather?"}]}, {"role": "model", "parts": [part]},
                {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": 21}}}]}]
    request = httpx.Request("POST", f"{fake_provider.base_url}/v1beta/models/m:generateContent",
                            headers=HEADERS["gemini"], json={"contents": contents, "tools": tools})
    assert send(request).json()["candidates"][0]["content"]["parts"] == [{"text": 'ok: {"t": 21}'}]


def test_gemini_json_schema_with_openapi_types(fake_provider: FakeProvider) -> None:
    config = {"responseMimeType": "application/json",
              "responseSchema": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}, "s": {"type": "STRING"}}}}
    data = send(chat_request(fake_provider, "gemini", "hi", generationConfig=config)).json()
    assert json.loads(data["candidates"][0]["content"]["parts"][0]["text"]) == {"n": 0, "s": "ok"}


def test_gemini_key_in_query_is_accepted_and_redacted(fake_provider: FakeProvider) -> None:
    request = chat_request(fake_provider, "gemini", "hi", headers={})
    request = httpx.Request("POST", f"{request.url}?key={KEY}", content=request.content,
                            headers={"content-type": "application/json"})
    assert send(request).status_code == 200
    recorded = fake_provider.requests[-1]
    assert recorded.path.endswith("?key=…0001") and KEY not in repr(recorded)


def test_models_listings_in_each_shape(fake_provider: FakeProvider) -> None:
    base = fake_provider.base_url
    openai = send(httpx.Request("GET", f"{base}/v1/models", headers=HEADERS["openai"])).json()
    anthropic = send(httpx.Request("GET", f"{base}/v1/models", headers=HEADERS["anthropic"])).json()
    gemini = send(httpx.Request("GET", f"{base}/v1beta/models", headers=HEADERS["gemini"])).json()
    assert openai["object"] == "list" and [m["id"] for m in openai["data"]] == ["tiny-chat", "tiny-tools"]
    assert [m["id"] for m in anthropic["data"]] == ["tiny-chat", "tiny-tools"] and anthropic["has_more"] is False
    assert [m["name"] for m in gemini["models"]] == ["models/tiny-chat", "models/tiny-tools"]
    assert [r.route for r in fake_provider.requests] == ["openai/models", "anthropic/models", "gemini/models"]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer sk-wrong-0000", "x-api-key": "sk-wrong-0000",
                                          "x-goog-api-key": "sk-wrong-0000", "anthropic-version": "2023-06-01"}])
def test_missing_or_wrong_key_is_401_in_the_api_shape(fake_provider: FakeProvider, api: str,
                                                       headers: dict[str, str]) -> None:
    response = send(chat_request(fake_provider, api, headers=headers))
    assert response.status_code == 401
    error = response.json()["error"]
    assert {"openai": "code", "anthropic": "type", "gemini": "status"}[api] in error
    assert fake_provider.requests[-1].fault == "rejected:401"
    assert fake_provider.pending == 0


def test_keys_per_api() -> None:
    with FakeProvider(keys={"openai": [CANARY_KEYS[1]]}) as server:
        assert send(chat_request(server, "openai")).status_code == 401
        good = send(chat_request(server, "openai", headers={"authorization": f"Bearer {CANARY_KEYS[1]}"}))
        assert good.status_code == 200
        assert send(chat_request(server, "anthropic", headers={"x-api-key": "anything-goes",
                                                               "anthropic-version": "1"})).status_code == 200
        assert server.requests[-1].key_last4 == "goes"


def test_requests_are_recorded_with_keys_redacted(fake_provider: FakeProvider) -> None:
    send(chat_request(fake_provider, "openai", "hi"))
    send(chat_request(fake_provider, "anthropic", "hi", stream=True))
    openai, anthropic = fake_provider.requests
    assert openai.method == "POST" and openai.path == "/v1/chat/completions" and openai.body["model"] == "tiny-chat"
    assert openai.headers["authorization"] == "Bearer …0001" and openai.key_last4 == "0001"
    assert anthropic.headers["x-api-key"] == "…0001" and anthropic.stream and anthropic.fault == "normal"
    assert KEY not in repr(fake_provider.requests)


def test_bad_json_and_unknown_routes(fake_provider: FakeProvider) -> None:
    url = f"{fake_provider.base_url}/v1/chat/completions"
    bad = send(httpx.Request("POST", url, content=b"{nope", headers=HEADERS["openai"]))
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
    missing = send(httpx.Request("POST", f"{fake_provider.base_url}/v2/elsewhere", headers=HEADERS["openai"]))
    assert missing.status_code == 404


def test_odd_shapes_get_a_400_not_a_dropped_connection(fake_provider: FakeProvider) -> None:
    response = send(chat_request(fake_provider, "openai", "hi", tools=["not-an-object"]))
    assert response.status_code == 400 and "could not read the request" in response.json()["error"]["message"]


def test_any_path_prefix_works(fake_provider: FakeProvider) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    url = f"{fake_provider.base_url}/api/openai/v1/chat/completions"
    assert send(httpx.Request("POST", url, json=body, headers=HEADERS["openai"])).status_code == 200
