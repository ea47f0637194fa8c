"""OpenAI-shaped requests, responses and stream chunks: frozen dataclasses whose `to_dict()` is OpenAI's JSON.

Every adapter translates its provider's answer into these, so callers read `.choices[0].message.content` and
`.usage.prompt_tokens` whatever the provider. `openai.types.chat.ChatCompletion.model_validate(x.to_dict())`
accepts every `ChatCompletion`, and `ChatCompletionChunk.model_validate(c.to_dict())` every chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]
JSONObject = dict[str, JSONValue]
FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


@dataclass(slots=True, frozen=True)
class FunctionCall:
    """The function a tool call invokes; `arguments` is a JSON text, exactly as the model wrote it."""

    name: str
    arguments: str

    def to_dict(self) -> JSONObject:
        return {"name": self.name, "arguments": self.arguments}


@dataclass(slots=True, frozen=True)
class ToolCall:
    """A tool call in an assistant message."""

    id: str
    function: FunctionCall
    type: Literal["function"] = "function"

    def to_dict(self) -> JSONObject:
        return {"id": self.id, "type": self.type, "function": self.function.to_dict()}


@dataclass(slots=True, frozen=True)
class Message:
    """The assistant's message: text (`content`) and/or `tool_calls`."""

    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None

    def to_dict(self) -> JSONObject:
        out: JSONObject = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        return out


@dataclass(slots=True, frozen=True)
class Choice:
    """One completion choice (the client asks for one)."""

    index: int
    message: Message
    finish_reason: FinishReason | None

    def to_dict(self) -> JSONObject:
        # OpenAI's type requires a finish reason; a provider that sent none finished normally as far as we know.
        return {"index": self.index, "message": self.message.to_dict(), "finish_reason": self.finish_reason or "stop",
                "logprobs": None}


@dataclass(slots=True, frozen=True)
class Usage:
    """Token counts. `prompt_tokens` counts every input token, cached ones included (see each adapter);
    `cached_tokens` were read from the provider's prompt cache, `cache_write_tokens` written to it."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None

    def to_dict(self) -> JSONObject:
        out: JSONObject = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }
        details: JSONObject = {}
        if self.cached_tokens is not None:
            details["cached_tokens"] = self.cached_tokens
        if self.cache_write_tokens is not None:
            details["cache_write_tokens"] = self.cache_write_tokens
        if details:
            out["prompt_tokens_details"] = details
        return out


@dataclass(slots=True, frozen=True)
class ChatCompletion:
    """A whole answer. `knollm` is filled by the client (provider, key alias, attempts, cost); adapters leave it
    None, and the client sets it with `dataclasses.replace`."""

    id: str
    model: str
    created: int
    choices: list[Choice]
    usage: Usage | None = None
    knollm: object | None = field(default=None, compare=False)

    def to_dict(self) -> JSONObject:
        out: JSONObject = {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [choice.to_dict() for choice in self.choices],
        }
        if self.usage is not None:
            out["usage"] = self.usage.to_dict()
        return out


@dataclass(slots=True, frozen=True)
class FunctionCallDelta:
    """A piece of a streamed function call: the name comes once, the arguments in fragments."""

    name: str | None = None
    arguments: str | None = None

    def to_dict(self) -> JSONObject:
        out: JSONObject = {}
        if self.name is not None:
            out["name"] = self.name
        if self.arguments is not None:
            out["arguments"] = self.arguments
        return out


@dataclass(slots=True, frozen=True)
class ToolCallDelta:
    """A piece of a streamed tool call; `index` says which call it continues, `id`/`type` come with its first piece."""

    index: int
    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCallDelta | None = None

    def to_dict(self) -> JSONObject:
        out: JSONObject = {"index": self.index}
        if self.id is not None:
            out["id"] = self.id
        if self.type is not None:
            out["type"] = self.type
        if self.function is not None:
            out["function"] = self.function.to_dict()
        return out


@dataclass(slots=True, frozen=True)
class Delta:
    """What one chunk adds to the message."""

    role: Literal["assistant"] | None = None
    content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None

    def to_dict(self) -> JSONObject:
        out: JSONObject = {}
        if self.role is not None:
            out["role"] = self.role
        if self.content is not None:
            out["content"] = self.content
        if self.tool_calls:
            out["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        return out


@dataclass(slots=True, frozen=True)
class ChunkChoice:
    """One choice's delta in a chunk; `finish_reason` is set on the choice's last chunk."""

    index: int
    delta: Delta
    finish_reason: FinishReason | None = None

    def to_dict(self) -> JSONObject:
        return {"index": self.index, "delta": self.delta.to_dict(), "finish_reason": self.finish_reason}


@dataclass(slots=True, frozen=True)
class ChatCompletionChunk:
    """One streamed piece. The stream's last chunk has no choices and carries `usage` (OpenAI's include_usage
    shape) whenever the provider reported usage."""

    id: str
    model: str
    created: int
    choices: list[ChunkChoice]
    usage: Usage | None = None

    def to_dict(self) -> JSONObject:
        out: JSONObject = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [choice.to_dict() for choice in self.choices],
        }
        if self.usage is not None:
            out["usage"] = self.usage.to_dict()
        return out


@dataclass(slots=True, frozen=True)
class ChatRequest:
    """The canonical request every adapter translates: OpenAI's chat-completions parameters, as JSON dicts.

    `model` is what the caller asked for (a global id, family or route); adapters send the target's `model_id`.
    `extra` holds any other keyword: adapters map the OpenAI names they know (`stop`, `top_p`, `seed`, ...) and
    pass the rest through unchanged, so provider-native parameters reach the provider.
    """

    model: str
    messages: list[JSONObject]
    stream: bool = False
    tools: list[JSONObject] | None = None
    tool_choice: str | JSONObject | None = None
    response_format: JSONObject | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    extra: JSONObject = field(default_factory=dict)
    cache: bool | None = None
    """`create(..., cache=True/False)`: use the response cache for this call or not (None: the route decides).
    Never sent to a provider."""
