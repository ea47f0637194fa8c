"""The Gemini generateContent adapter: request translation, responses, streams (results validate as the `openai`
SDK's types; Gemini has no official SDK among the test dependencies, so its fixtures follow the REST reference)."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.chat import ChatCompletion as SDKCompletion
from openai.types.chat import ChatCompletionChunk as SDKChunk

from client_helpers import KEY, body_of, complete, iter_text, json_response, request, sse, sse_response, stream, target
from knollm.client.adapters import ADAPTERS
from knollm.client.errors import InvalidResponse, StreamInterrupted

PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
          "additionalProperties": False}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Now", "parameters": PARAMS}}]
CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
USAGE = {"promptTokenCount": 120, "candidatesTokenCount": 5, "thoughtsTokenCount": 7, "totalTokenCount": 132,
         "cachedContentTokenCount": 100}


def build(**changes: Any) -> dict[str, Any]:
    return body_of(ADAPTERS["gemini"].build(request(**changes), target("gemini")))


def test_plain_request_url_auth_and_body() -> None:
    chat = request(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
                   max_tokens=50, temperature=0.2, extra={"stop": "END", "top_p": 0.9, "safetySettings": []})
    http_request = ADAPTERS["gemini"].build(chat, target("gemini"))
    assert str(http_request.url) == "https://generativelanguage.googleapis.test/v1beta/models/gemini-test:generateContent"
    assert http_request.headers["x-goog-api-key"] == KEY and "authorization" not in http_request.headers
    assert body_of(http_request) == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"maxOutputTokens": 50, "temperature": 0.2, "stopSequences": ["END"], "topP": 0.9},
        "safetySettings": [],
    }


def test_stream_url_and_model_prefix() -> None:
    tgt = target("gemini", model_id="models/gemini-2.5-flash")
    http_request = ADAPTERS["gemini"].build(request(stream=True), tgt)
    assert str(http_request.url).endswith("/models/gemini-2.5-flash:streamGenerateContent?alt=sse")


def test_tools_tool_calls_and_results() -> None:
    body = build(messages=[
        {"role": "user", "content": "Weather?"}, {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"celsius": 18}'},
        {"role": "tool", "tool_call_id": "call_1", "content": "plain text"},
    ], tools=TOOLS, tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Weather?"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
        {"role": "user", "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"celsius": 18}}},
            {"functionResponse": {"name": "get_weather", "response": {"result": "plain text"}}}]},
    ]
    assert body["tools"] == [{"functionDeclarations": [
        {"name": "get_weather", "description": "Now", "parametersJsonSchema": PARAMS}]}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}


@pytest.mark.parametrize(("choice", "mode"), [("auto", "AUTO"), ("none", "NONE"), ("required", "ANY")])
def test_tool_choice_modes(choice: str, mode: str) -> None:
    assert build(tools=TOOLS, tool_choice=choice)["toolConfig"] == {"functionCallingConfig": {"mode": mode}}


def test_json_schema_and_json_object() -> None:
    schema = {"type": "json_schema", "json_schema": {"name": "city", "schema": PARAMS}}
    assert build(response_format=schema)["generationConfig"] == {
        "responseMimeType": "application/json", "responseJsonSchema": PARAMS}
    assert build(response_format={"type": "json_object"})["generationConfig"] == {
        "responseMimeType": "application/json"}


def test_images() -> None:
    body = build(messages=[{"role": "user", "content": [
        {"type": "text", "text": "What?"},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
        {"type": "image_url", "image_url": {"url": "https://example.test/cat.png"}}]}])
    assert body["contents"][0]["parts"] == [{"text": "What?"}, {"inlineData": {"mimeType": "image/jpeg",
                                                                                "data": "/9j/4AAQ"}},
                                            {"fileData": {"fileUri": "https://example.test/cat.png"}}]


def answer(parts: list[dict[str, Any]], finish: str = "STOP") -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
            "usageMetadata": USAGE, "modelVersion": "gemini-test-001", "responseId": "resp-1"}


def test_plain_response_and_usage() -> None:
    result = complete("gemini", request(), json_response(answer([{"text": "thinking", "thought": True},
                                                                  {"text": "Hi"}, {"text": "!"}])))
    assert result.id == "resp-1" and result.model == "gemini-test-001"
    assert result.choices[0].message.content == "Hi!" and result.choices[0].finish_reason == "stop"
    usage = result.usage
    assert usage and (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (120, 12, 132)
    assert usage.cached_tokens == 100
    SDKCompletion.model_validate(result.to_dict())


def test_function_call_response() -> None:
    data = answer([{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}])
    result = complete("gemini", request(tools=TOOLS), json_response(data))
    calls = result.choices[0].message.tool_calls
    assert calls and calls[0].function.name == "get_weather" and calls[0].function.arguments == '{"city":"Paris"}'
    assert result.choices[0].finish_reason == "tool_calls" and result.choices[0].message.content is None
    SDKCompletion.model_validate(result.to_dict())


@pytest.mark.parametrize(("reason", "finish"), [("MAX_TOKENS", "length"), ("SAFETY", "content_filter"),
                                                ("RECITATION", "content_filter"), ("OTHER", "stop")])
def test_finish_reason_mapping(reason: str, finish: str) -> None:
    result = complete("gemini", request(), json_response(answer([{"text": "x"}], reason)))
    assert result.choices[0].finish_reason == finish


@pytest.mark.parametrize(("data", "problem"), [({"candidates": []}, "no candidates"),
                                               ({"promptFeedback": {"blockReason": "SAFETY"}}, "blocked")])
def test_no_candidates_is_invalid(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidResponse, match=problem):
        complete("gemini", request(), json_response(data))


def chunk(parts: list[dict[str, Any]], finish: str | None = None, usage: bool = False) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    out: dict[str, Any] = {"candidates": [candidate], "modelVersion": "gemini-test-001", "responseId": "resp-2"}
    if usage:
        out["usageMetadata"] = USAGE
    return out


def test_stream_text_tool_calls_and_usage() -> None:
    body = sse(chunk([{"text": "Let me "}]), chunk([{"text": "check."}]),
               chunk([{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}], "STOP", usage=True))
    chunks = stream("gemini", request(stream=True, tools=TOOLS), sse_response(body))
    assert "".join(iter_text(chunks)) == "Let me check." and chunks[0].choices[0].delta.role == "assistant"
    calls = [call for c in chunks for choice in c.choices for call in choice.delta.tool_calls or []]
    assert len(calls) == 1 and calls[0].function and calls[0].function.arguments == '{"city":"Paris"}'
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].choices == [] and chunks[-1].usage and chunks[-1].usage.completion_tokens == 12
    assert {c.id for c in chunks} == {"resp-2"}
    for item in chunks:
        SDKChunk.model_validate(item.to_dict())


def test_stream_without_finish_reason_is_interrupted() -> None:
    with pytest.raises(StreamInterrupted) as caught:
        stream("gemini", request(stream=True), sse_response(sse(chunk([{"text": "Hel"}]))))
    assert caught.value.text_so_far == "Hel"


def test_stream_error_event() -> None:
    body = sse(chunk([{"text": "Hel"}]), {"error": {"code": 503, "message": "The model is overloaded."}})
    with pytest.raises(StreamInterrupted, match="overloaded"):
        stream("gemini", request(stream=True), sse_response(body))
