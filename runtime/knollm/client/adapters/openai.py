"""OpenAI-compatible chat completions (`POST {base_url}/chat/completions`), the API most catalog providers speak.

The request is the canonical one with the target's model id; streaming asks for `stream_options.include_usage`
(unless `extra` sets `stream_options`) so the last chunk carries usage for the cost. `max_tokens` is sent as
`max_tokens`, the name every compatible server accepts (pass `max_completion_tokens` in `extra` for models that
want it). Usage: `prompt_tokens_details.cached_tokens` (or DeepSeek's `prompt_cache_hit_tokens`) → `cached_tokens`.
Unknown finish reasons from compatible servers map to the nearest OpenAI one (`eos` → `stop`, ...).
"""

from __future__ import annotations

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
from .values import (
    FINISH_REASONS,
    as_int,
    as_list,
    as_obj,
    as_str,
    json_list,
    json_text,
    new_id,
    now,
    opt_int,
    opt_str,
    text_of,
)

_FINISH_ALIASES: dict[str, FinishReason] = {
    "eos": "stop", "end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
    "tool_use": "tool_calls", "model_length": "length", "safety": "content_filter",
}


def finish_reason(value: JSONValue) -> FinishReason | None:
    """OpenAI's finish reason for what a compatible server sent (None while a stream is still going)."""
    if not isinstance(value, str) or not value:
        return None
    if value in FINISH_REASONS:
        return value  # type: ignore[return-value]  # checked against the Literal's values
    return _FINISH_ALIASES.get(value.lower(), "stop")


def usage_from(data: JSONValue) -> Usage | None:
    """`Usage` from an OpenAI-shaped usage object; None when absent or not an object."""
    if not isinstance(data, dict):
        return None
    prompt = as_int(data.get("prompt_tokens"))
    completion = as_int(data.get("completion_tokens"))
    details = as_obj(data.get("prompt_tokens_details"))
    cached = opt_int(details.get("cached_tokens"))
    if cached is None:
        cached = opt_int(data.get("prompt_cache_hit_tokens"))
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=as_int(data.get("total_tokens"), prompt + completion),
        cached_tokens=cached,
        cache_write_tokens=opt_int(details.get("cache_write_tokens")),
    )


def _tool_calls(value: JSONValue) -> list[ToolCall] | None:
    calls = []
    for raw in as_list(value):
        call = as_obj(raw)
        function = as_obj(call.get("function"))
        arguments = function.get("arguments")
        calls.append(ToolCall(
            id=as_str(call.get("id")) or new_id("call_"),
            function=FunctionCall(
                name=as_str(function.get("name")),
                # Some servers send arguments as an object; OpenAI's shape is always a JSON text.
                arguments=arguments if isinstance(arguments, str) else json_text(arguments),
            ),
        ))
    return calls or None


def _choice(raw: JSONValue, position: int) -> Choice:
    data = as_obj(raw)
    message = as_obj(data.get("message"))
    tool_calls = _tool_calls(message.get("tool_calls"))
    return Choice(
        index=as_int(data.get("index"), position),
        message=Message(content=text_of(message.get("content")), tool_calls=tool_calls),
        finish_reason=finish_reason(data.get("finish_reason")),
    )


class OpenAIAdapter(AdapterBase):
    """OpenAI chat completions, and every server that copies it."""

    api = "openai"

    def build(self, request: ChatRequest, target: Target) -> httpx.Request:
        body: JSONObject = {"model": target.model_id, "messages": list(request.messages)}
        if request.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        optional: dict[str, JSONValue] = {
            "tools": json_list(request.tools) if request.tools is not None else None,
            "tool_choice": request.tool_choice,
            "response_format": request.response_format,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        body.update(request.extra)
        headers = {"Accept": "text/event-stream"} if request.stream else None
        return json_request(target, target.url("chat/completions"), body, headers)

    def parse(self, response: httpx.Response, target: Target) -> ChatCompletion:
        data = read_json(response, target)
        choices = as_list(data.get("choices"))
        if not choices:
            problem = "an error object instead of choices" if "error" in data else "no choices"
            said = excerpt(json_text(data.get("error")), target.secrets(), 200) if "error" in data else ""
            raise InvalidResponse(target.provider, problem, said, response.status_code)
        return ChatCompletion(
            id=as_str(data.get("id")) or new_id(),
            model=as_str(data.get("model")) or target.model_id,
            created=as_int(data.get("created"), now()),
            choices=[_choice(raw, position) for position, raw in enumerate(choices)],
            usage=usage_from(data.get("usage")),
        )

    def translator(self, target: Target) -> OpenAIStream:
        return OpenAIStream(target)


class OpenAIStream:
    """OpenAI chunks are already the right shape: re-read them defensively; `data: [DONE]` ends the stream."""

    def __init__(self, target: Target) -> None:
        self.tracker = TextTracker(target)
        self.done = False

    def feed(self, event: SSEEvent) -> list[ChatCompletionChunk]:
        if event.data.strip() == "[DONE]":
            self.done = True
            return []
        data = load_event(event, self.tracker.target, self.tracker)
        if "error" in data:
            raise self.tracker.provider_error(data["error"])
        chunk = ChatCompletionChunk(
            id=as_str(data.get("id")) or new_id(),
            model=as_str(data.get("model")) or self.tracker.target.model_id,
            created=as_int(data.get("created"), now()),
            choices=[_chunk_choice(raw, position) for position, raw in enumerate(as_list(data.get("choices")))],
            usage=usage_from(data.get("usage")),
        )
        return self.tracker.track([chunk])

    def finish(self) -> list[ChatCompletionChunk]:
        if not self.done:
            raise self.tracker.interrupted("the stream ended without `data: [DONE]`")
        return []


def _chunk_choice(raw: JSONValue, position: int) -> ChunkChoice:
    data = as_obj(raw)
    delta = as_obj(data.get("delta"))
    calls = [_tool_call_delta(call, n) for n, call in enumerate(as_list(delta.get("tool_calls")))]
    return ChunkChoice(
        index=as_int(data.get("index"), position),
        delta=Delta(
            role="assistant" if delta.get("role") == "assistant" else None,
            content=text_of(delta.get("content")),
            tool_calls=calls or None,
        ),
        finish_reason=finish_reason(data.get("finish_reason")),
    )


def _tool_call_delta(raw: JSONValue, position: int) -> ToolCallDelta:
    call = as_obj(raw)
    function = as_obj(call.get("function"))
    return ToolCallDelta(
        index=as_int(call.get("index"), position),
        id=opt_str(call.get("id")),
        type="function" if call.get("type") == "function" or call.get("id") else None,
        function=FunctionCallDelta(name=opt_str(function.get("name")), arguments=opt_str(function.get("arguments")))
        if function else None,
    )
