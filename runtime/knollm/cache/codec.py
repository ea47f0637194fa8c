"""Cached answers as JSON (OpenAI's chat-completion shape) and back, and their replay as a stream of chunks.

A stream is cached as its final text (with its finish reason and usage), the same record a plain answer makes, so
either kind of call can be served from an answer the other kind stored. Only text is cached from a stream; a
stream that called tools is not cached (its calls arrive in fragments that would have to be reassembled).
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from ..client.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FinishReason,
    FunctionCall,
    FunctionCallDelta,
    Message,
    ToolCall,
    ToolCallDelta,
    Usage,
)

_PIECE = re.compile(r"\s*\S+")
_FINISH = ("stop", "length", "tool_calls", "content_filter", "function_call")


class BadEntry(ValueError):
    """A stored answer that cannot be read back (the entry is dropped and the call goes to a provider)."""


def encode(completion: ChatCompletion) -> str:
    return json.dumps(completion.to_dict(), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> ChatCompletion:
    """The `ChatCompletion` of a stored JSON text; `BadEntry` for anything else."""
    try:
        data = json.loads(text)
        choices = [_choice(i, c) for i, c in enumerate(data["choices"])]
        usage = _usage(data.get("usage"))
        return ChatCompletion(str(data["id"]), str(data["model"]), int(data["created"]), choices, usage)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise BadEntry(f"unreadable cache entry ({type(exc).__name__})") from None


def _choice(index: int, data: dict[str, Any]) -> Choice:
    message = data["message"]
    content = message.get("content")
    calls = [ToolCall(str(c["id"]), FunctionCall(str(c["function"]["name"]), str(c["function"]["arguments"])))
             for c in message.get("tool_calls") or []]
    finish = data.get("finish_reason")
    return Choice(index, Message(content=None if content is None else str(content), tool_calls=calls or None),
                  cast(FinishReason, finish) if finish in _FINISH else None)


def _usage(data: dict[str, Any] | None) -> Usage | None:
    if not data:
        return None
    details = data.get("prompt_tokens_details") or {}
    return Usage(int(data["prompt_tokens"]), int(data["completion_tokens"]), int(data["total_tokens"]),
                 details.get("cached_tokens"), details.get("cache_write_tokens"))


def from_stream(answer_id: str, model: str, created: int, text: str, finish: FinishReason | None,
                usage: Usage | None) -> ChatCompletion:
    """The plain answer a finished stream adds up to."""
    return ChatCompletion(answer_id, model, created, [Choice(0, Message(content=text), finish)], usage)


def pieces(text: str) -> list[str]:
    """`text` in word-sized pieces that join back to it exactly."""
    found = _PIECE.findall(text)
    tail = text[len("".join(found)):]  # trailing whitespace
    return [*found, tail] if tail else found


def replay(completion: ChatCompletion) -> list[ChatCompletionChunk]:
    """The chunks of `completion` as OpenAI streams them: the role, the text a word at a time (tool calls whole),
    the finish reason, then usage in a last chunk without choices."""
    def chunk(choices: list[ChunkChoice], usage: Usage | None = None) -> ChatCompletionChunk:
        return ChatCompletionChunk(completion.id, completion.model, completion.created, choices, usage)

    out = []
    for choice in completion.choices:
        message = choice.message
        out.append(chunk([ChunkChoice(choice.index, Delta(role="assistant", content=""))]))
        out += [chunk([ChunkChoice(choice.index, Delta(content=piece))]) for piece in pieces(message.content or "")]
        if message.tool_calls:
            deltas = [ToolCallDelta(i, call.id, "function", FunctionCallDelta(call.function.name,
                                                                              call.function.arguments))
                      for i, call in enumerate(message.tool_calls)]
            out.append(chunk([ChunkChoice(choice.index, Delta(tool_calls=deltas))]))
        out.append(chunk([ChunkChoice(choice.index, Delta(), choice.finish_reason or "stop")]))
    if completion.usage is not None:
        out.append(chunk([], completion.usage))
    return out
