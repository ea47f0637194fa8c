"""Gemini's native API: `POST {base_url}/models/{model}:generateContent`, streamed through
`:streamGenerateContent?alt=sse`. The request body is built by `gemini_request`.

Usage from `usageMetadata`: `prompt_tokens` = `promptTokenCount` (which already includes cached tokens),
`completion_tokens` = `candidatesTokenCount` + `thoughtsTokenCount` (thinking is billed as output),
`cached_tokens` = `cachedContentTokenCount`. `finishReason` → `finish_reason`: STOP → stop (tool_calls when the
answer calls functions), MAX_TOKENS → length, SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII and
IMAGE_SAFETY → content_filter, anything else → stop. Thought parts are left out.

Gemini streams have no terminal event: a stream is complete when a chunk carried a `finishReason`; the finish
chunk and the usage chunk are sent when the events end. Without a finish reason: `StreamInterrupted`.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from ..errors import InvalidResponse, excerpt
from ..sse import SSEEvent
from ..target import Target
from ..types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    Choice,
    ChunkChoice,
    Delta,
    FinishReason,
    FunctionCall,
    FunctionCallDelta,
    JSONObject,
    JSONValue,
    Message,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from .base import AdapterBase, TextTracker, json_request, load_event, read_json
from .gemini_request import build_body
from .values import as_int, as_list, as_obj, as_str, json_text, new_id, now, opt_int

_FILTERED = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"})


def finish_reason(value: JSONValue, calls: bool) -> FinishReason | None:
    if not isinstance(value, str) or not value or value == "FINISH_REASON_UNSPECIFIED":
        return None
    if value == "MAX_TOKENS":
        return "length"
    if value in _FILTERED:
        return "content_filter"
    return "tool_calls" if calls else "stop"


def usage_from(data: JSONValue) -> Usage | None:
    if not isinstance(data, dict):
        return None
    prompt = as_int(data.get("promptTokenCount"))
    completion = as_int(data.get("candidatesTokenCount")) + as_int(data.get("thoughtsTokenCount"))
    total = as_int(data.get("totalTokenCount"), prompt + completion)
    return Usage(prompt, completion, total, cached_tokens=opt_int(data.get("cachedContentTokenCount")))


def model_path(model_id: str) -> str:
    """`models/<id>` with the id escaped (catalog ids may already start with `models/`)."""
    return "models/" + quote(model_id.removeprefix("models/"), safe="-._~@")


def _read_parts(candidate: JSONObject) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(texts, [(call id, name, arguments JSON)]) of a candidate's parts, thoughts left out."""
    texts: list[str] = []
    calls: list[tuple[str, str, str]] = []
    for raw in as_list(as_obj(candidate.get("content")).get("parts")):
        part = as_obj(raw)
        if part.get("thought") is True:
            continue
        if isinstance(part.get("text"), str):
            texts.append(as_str(part.get("text")))
        call = as_obj(part.get("functionCall"))
        if call:
            calls.append((as_str(call.get("id")) or new_id("call_"), as_str(call.get("name")),
                          json_text(call.get("args"))))
    return texts, calls


class GeminiAdapter(AdapterBase):
    """Gemini's generateContent API."""

    api = "gemini"

    def build(self, request: ChatRequest, target: Target) -> httpx.Request:
        path = model_path(target.model_id)
        if request.stream:
            url = target.url(f"{path}:streamGenerateContent") + "?alt=sse"
            headers = {"Accept": "text/event-stream"}
        else:
            url, headers = target.url(f"{path}:generateContent"), {}
        return json_request(target, url, build_body(request, target), headers)

    def parse(self, response: httpx.Response, target: Target) -> ChatCompletion:
        data = read_json(response, target)
        candidates = as_list(data.get("candidates"))
        if not candidates:
            blocked = as_str(as_obj(data.get("promptFeedback")).get("blockReason"))
            problem = f"no candidates: the prompt was blocked ({blocked})" if blocked else "no candidates"
            raise InvalidResponse(target.provider, problem, excerpt(response.text, target.secrets(), 200),
                                  response.status_code)
        choices = []
        for position, raw in enumerate(candidates):
            candidate = as_obj(raw)
            texts, calls = _read_parts(candidate)
            tool_calls = [ToolCall(call_id, FunctionCall(name, args)) for call_id, name, args in calls]
            message = Message(content="".join(texts) if texts else None, tool_calls=tool_calls or None)
            reason = finish_reason(candidate.get("finishReason"), bool(calls)) or "stop"
            choices.append(Choice(as_int(candidate.get("index"), position), message, reason))
        return ChatCompletion(
            id=as_str(data.get("responseId")) or new_id(),
            model=as_str(data.get("modelVersion")) or target.model_id,
            created=now(),
            choices=choices,
            usage=usage_from(data.get("usageMetadata")),
        )

    def translator(self, target: Target) -> GeminiStream:
        return GeminiStream(target)


class GeminiStream:
    """Each event is a partial `GenerateContentResponse`: text parts → content deltas, each functionCall part →
    one whole tool call delta. Usage is cumulative: the last one seen counts."""

    def __init__(self, target: Target) -> None:
        self.tracker = TextTracker(target)
        self.done = False  # Gemini sends no terminal event; `finish()` decides from `reason`
        self.id = new_id()
        self.model = target.model_id
        self.created = now()
        self.started = False
        self.tool_count = 0
        self.reason: str | None = None
        self.usage: Usage | None = None

    def feed(self, event: SSEEvent) -> list[ChatCompletionChunk]:
        data = load_event(event, self.tracker.target, self.tracker)
        if "error" in data:
            raise self.tracker.provider_error(data["error"])
        self.id = as_str(data.get("responseId")) or self.id
        self.model = as_str(data.get("modelVersion")) or self.model
        self.usage = usage_from(data.get("usageMetadata")) or self.usage
        candidate = as_obj(as_list(data.get("candidates"))[0]) if as_list(data.get("candidates")) else {}
        texts, calls = _read_parts(candidate)
        deltas = []
        if not self.started:
            self.started = True
            deltas.append(Delta(role="assistant", content=""))
        deltas.extend(Delta(content=text) for text in texts if text)
        for call_id, name, args in calls:
            deltas.append(Delta(tool_calls=[ToolCallDelta(self.tool_count, call_id, "function",
                                                          FunctionCallDelta(name, args))]))
            self.tool_count += 1
        reason = candidate.get("finishReason")
        if isinstance(reason, str) and reason:
            self.reason = reason
        return self.tracker.track([self._chunk([ChunkChoice(0, delta)]) for delta in deltas])

    def finish(self) -> list[ChatCompletionChunk]:
        reason = finish_reason(self.reason, self.tool_count > 0)
        if reason is None:
            raise self.tracker.interrupted("the stream ended before a chunk with a finishReason")
        self.done = True
        chunks = [self._chunk([ChunkChoice(0, Delta(), reason)])]
        if self.usage is not None:
            chunks.append(self._chunk([], self.usage))
        return self.tracker.track(chunks)

    def _chunk(self, choices: list[ChunkChoice], usage: Usage | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk(self.id, self.model, self.created, choices, usage)

