"""Anthropic Messages (`POST {base_url}/messages`): request (see `anthropic_request`), response and stream.

Usage: `prompt_tokens` = `input_tokens` + `cache_read_input_tokens` + `cache_creation_input_tokens` (Anthropic's
`input_tokens` counts only uncached input, OpenAI's `prompt_tokens` counts all of it); `cached_tokens` =
cache reads, `cache_write_tokens` = cache writes. `stop_reason` → `finish_reason`: end_turn, stop_sequence and
pause_turn → stop; max_tokens and model_context_window_exceeded → length; tool_use → tool_calls;
refusal → content_filter. Thinking blocks are not part of the OpenAI shape and are left out.

Stream: `message_start` → a role chunk; `content_block_start` of a `tool_use` → the tool call's first delta
(id, name); `content_block_delta` text_delta → content, input_json_delta → tool-call argument fragments;
`message_delta` → the finish chunk; `message_stop` (the terminal event) → the usage chunk. A stream without
`message_stop` raises `StreamInterrupted`, an `error` event too (with the provider's redacted words).
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
from .anthropic_request import anthropic_version, build_body
from .base import AdapterBase, TextTracker, json_request, load_event, read_json
from .values import as_int, as_obj, as_str, json_text, new_id, now, opt_int

STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
    "model_context_window_exceeded": "length", "tool_use": "tool_calls", "refusal": "content_filter",
}


def stop_reason(value: JSONValue) -> FinishReason | None:
    return STOP_REASONS.get(value, "stop") if isinstance(value, str) else None


def usage_from(data: JSONValue) -> Usage | None:
    """OpenAI-shaped usage from Anthropic's (cached input added into `prompt_tokens`)."""
    if not isinstance(data, dict):
        return None
    read = opt_int(data.get("cache_read_input_tokens"))
    written = opt_int(data.get("cache_creation_input_tokens"))
    prompt = as_int(data.get("input_tokens")) + (read or 0) + (written or 0)
    completion = as_int(data.get("output_tokens"))
    return Usage(prompt, completion, prompt + completion, cached_tokens=read, cache_write_tokens=written)


class AnthropicAdapter(AdapterBase):
    """Anthropic's Messages API."""

    api = "anthropic"

    def build(self, request: ChatRequest, target: Target) -> httpx.Request:
        headers = {"anthropic-version": anthropic_version(target)}
        if request.stream:
            headers["Accept"] = "text/event-stream"
        return json_request(target, target.url("messages"), build_body(request, target), headers)

    def parse(self, response: httpx.Response, target: Target) -> ChatCompletion:
        data = read_json(response, target)
        blocks = data.get("content")
        if data.get("type") == "error" or not isinstance(blocks, list):
            problem = "an error object instead of a message" if data.get("type") == "error" else "no content"
            raise InvalidResponse(target.provider, problem, excerpt(response.text, target.secrets(), 200),
                                  response.status_code)
        texts: list[str] = []
        calls: list[ToolCall] = []
        for raw in blocks:
            block = as_obj(raw)
            if block.get("type") == "text":
                texts.append(as_str(block.get("text")))
            elif block.get("type") == "tool_use":
                arguments = json_text(block.get("input"))
                calls.append(ToolCall(as_str(block.get("id")) or new_id("toolu_"),
                                      FunctionCall(as_str(block.get("name")), arguments)))
        if not texts and not calls and data.get("stop_reason") != "max_tokens":
            # Anthropic's "empty choices": a message with no text and no tool call is no answer at all.
            raise InvalidResponse(target.provider, "a message without any content block",
                                  excerpt(response.text, target.secrets(), 200), response.status_code)
        message = Message(content="".join(texts) if texts else None, tool_calls=calls or None)
        return ChatCompletion(
            id=as_str(data.get("id")) or new_id(),
            model=as_str(data.get("model")) or target.model_id,
            created=now(),
            choices=[Choice(0, message, stop_reason(data.get("stop_reason")) or "stop")],
            usage=usage_from(data.get("usage")),
        )

    def translator(self, target: Target) -> AnthropicStream:
        return AnthropicStream(target)


class AnthropicStream:
    """Anthropic's event sequence → OpenAI chunks. Tool calls are numbered in order of appearance, as OpenAI's
    `index` counts tool calls, not content blocks."""

    def __init__(self, target: Target) -> None:
        self.tracker = TextTracker(target)
        self.done = False
        self.id = new_id()
        self.model = target.model_id
        self.created = now()
        self.usage: JSONObject = {}
        self.tools: dict[int, int] = {}  # content block index → tool call index
        self.tool_has_input: dict[int, bool] = {}

    def feed(self, event: SSEEvent) -> list[ChatCompletionChunk]:
        data = load_event(event, self.tracker.target, self.tracker)
        kind = as_str(data.get("type")) or event.event
        handler = _HANDLERS.get(kind)
        return self.tracker.track(handler(self, data)) if handler is not None else []

    def finish(self) -> list[ChatCompletionChunk]:
        if not self.done:
            raise self.tracker.interrupted("the stream ended without `message_stop`")
        return []

    def _chunk(self, delta: Delta | None = None, finish: FinishReason | None = None,
               usage: Usage | None = None) -> ChatCompletionChunk:
        choices = [ChunkChoice(0, delta or Delta(), finish)] if delta is not None or finish else []
        return ChatCompletionChunk(self.id, self.model, self.created, choices, usage)

    def _start(self, data: JSONObject) -> list[ChatCompletionChunk]:
        message = as_obj(data.get("message"))
        self.id = as_str(message.get("id")) or self.id
        self.model = as_str(message.get("model")) or self.model
        self.usage.update(as_obj(message.get("usage")))
        return [self._chunk(Delta(role="assistant", content=""))]

    def _block_start(self, data: JSONObject) -> list[ChatCompletionChunk]:
        block = as_obj(data.get("content_block"))
        if block.get("type") != "tool_use":
            return []
        position = as_int(data.get("index"))
        self.tools[position] = tool = len(self.tools)
        call = ToolCallDelta(tool, as_str(block.get("id")) or new_id("toolu_"), "function",
                             FunctionCallDelta(as_str(block.get("name")), ""))
        return [self._chunk(Delta(tool_calls=[call]))]

    def _block_delta(self, data: JSONObject) -> list[ChatCompletionChunk]:
        delta = as_obj(data.get("delta"))
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk(Delta(content=as_str(delta.get("text"))))]
        position = as_int(data.get("index"))
        if kind == "input_json_delta" and position in self.tools:
            fragment = as_str(delta.get("partial_json"))
            self.tool_has_input[position] = self.tool_has_input.get(position, False) or bool(fragment)
            call = ToolCallDelta(self.tools[position], function=FunctionCallDelta(arguments=fragment))
            return [self._chunk(Delta(tool_calls=[call]))]
        return []  # thinking, signature and citation deltas have no OpenAI counterpart

    def _block_stop(self, data: JSONObject) -> list[ChatCompletionChunk]:
        position = as_int(data.get("index"))
        if position in self.tools and not self.tool_has_input.get(position):
            # A tool called without arguments streams no input_json_delta; OpenAI clients expect "{}".
            call = ToolCallDelta(self.tools[position], function=FunctionCallDelta(arguments="{}"))
            return [self._chunk(Delta(tool_calls=[call]))]
        return []

    def _message_delta(self, data: JSONObject) -> list[ChatCompletionChunk]:
        # message_delta's usage is cumulative: it replaces what message_start said.
        self.usage.update({k: v for k, v in as_obj(data.get("usage")).items() if v is not None})
        reason = stop_reason(as_obj(data.get("delta")).get("stop_reason"))
        return [self._chunk(Delta(), reason or "stop")]

    def _stop(self, data: JSONObject) -> list[ChatCompletionChunk]:
        self.done = True
        usage = usage_from(self.usage) if self.usage else None
        return [self._chunk(usage=usage)] if usage is not None else []

    def _error(self, data: JSONObject) -> list[ChatCompletionChunk]:
        raise self.tracker.provider_error(data.get("error", data))


_HANDLERS = {
    "message_start": AnthropicStream._start,
    "content_block_start": AnthropicStream._block_start,
    "content_block_delta": AnthropicStream._block_delta,
    "content_block_stop": AnthropicStream._block_stop,
    "message_delta": AnthropicStream._message_delta,
    "message_stop": AnthropicStream._stop,
    "error": AnthropicStream._error,
}
