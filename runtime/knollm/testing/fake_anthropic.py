"""The fake provider's Anthropic dialect: `POST …/v1/messages` (plain and SSE) and `GET …/v1/models`.

Checks what the real API checks and adapters get wrong: a key (`x-api-key` or `Authorization: Bearer`), the
`anthropic-version` header,
`max_tokens` present, only `user`/`assistant` roles in `messages` (the system prompt goes in `system`).
Prompt caching follows `cache_control` marks: the first request with a marked prefix writes it
(`cache_creation_input_tokens`), later ones read it (`cache_read_input_tokens`); `input_tokens` counts the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fake_answers import Answer, Frames, JsonObject, PrefixCache, Turn, pieces, sse, words

STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 429: "rate_limit_error", 503: "overloaded_error", 529: "overloaded_error"}


class AnthropicDialect:
    name = "anthropic"
    request_id_header = "request-id"

    def key(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        """`x-api-key`, or `Authorization: Bearer` (what the official SDK sends since its 2.x releases)."""
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        return headers.get("x-api-key") or bearer or None

    def problem(self, body: Any, headers: Mapping[str, str]) -> str | None:
        if not headers.get("anthropic-version"):
            return "anthropic-version: header is required"
        if not isinstance(body, dict):
            return "the request body must be a JSON object"
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "model: Field required"
        if not isinstance(body.get("max_tokens"), int):
            return "max_tokens: Field required"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages: at least one message is required"
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
                return (f"messages.{i}.role: Input should be 'user' or 'assistant' "
                        "(a system prompt goes in the top-level `system` parameter)")
        return None

    def turn(self, body: JsonObject, model: str) -> Turn:
        blocks = _blocks(body)
        user = [m for m in body["messages"] if m.get("role") == "user"]
        last_blocks = _content_blocks(user[-1].get("content")) if user else []
        turn = Turn(model=model, texts=[_text(b) for b in blocks if _text(b)],
                    last_text=" ".join(t for b in last_blocks if (t := _text(b))),
                    last_is_tool_result=any(b.get("type") == "tool_result" for b in last_blocks))
        turn.tools = [(t["name"], t.get("input_schema") or {}) for t in body.get("tools") or []
                      if isinstance(t, dict) and "name" in t and "input_schema" in t]
        turn.tool_choice = _tool_choice(body.get("tool_choice"))
        # Structured outputs (`output_config.format`, as the official SDK sends it): plain JSON text that fits.
        fmt = (body.get("output_config") or {}).get("format") or {}
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            turn.json_schema = fmt.get("schema") or {}
        turn.max_tokens = body["max_tokens"]
        return turn

    def add_cache(self, answer: Answer, body: JsonObject, cache: PrefixCache) -> None:
        blocks = _blocks(body)
        marked = [i for i, b in enumerate(blocks) if b.get("cache_control")]
        if not marked:
            return
        prefix = blocks[: marked[-1] + 1]
        cached = sum(words(_text(b)) for b in prefix)
        if cache.write_or_read(prefix):
            answer.cache_read = cached
        else:
            answer.cache_write = cached

    def plain(self, answer: Answer) -> JsonObject:
        return {**_message(answer), "content": [] if answer.empty else _content(answer),
                "stop_reason": STOP[answer.finish], "usage": _usage(answer, answer.completion_tokens)}

    def frames(self, answer: Answer) -> Frames:
        start = {**_message(answer), "content": [], "stop_reason": None, "usage": _usage(answer, 1)}
        frames = Frames(lead=[sse({"type": "message_start", "message": start}, "message_start"),
                              sse({"type": "ping"}, "ping")],
                        terminal=[sse({"type": "message_stop"}, "message_stop")])
        if not answer.empty and answer.text is not None:
            frames.lead.append(_event("content_block_start", index=0, content_block={"type": "text", "text": ""}))
            frames.content = [_event("content_block_delta", index=0, delta={"type": "text_delta", "text": p})
                              for p in pieces(answer.text)]
            frames.tail.append(_event("content_block_stop", index=0))
        elif not answer.empty:
            frames.content = _tool_use_events(answer)
        delta = {"stop_reason": STOP[answer.finish], "stop_sequence": None}
        frames.tail.append(_event("message_delta", delta=delta, usage={"output_tokens": answer.completion_tokens}))
        return frames

    def error(self, status: int, message: str) -> JsonObject:
        return {"type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message}}

    def listing(self, models: list[str]) -> JsonObject:
        data = [{"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"} for m in models]
        return {"data": data, "has_more": False, "first_id": models[0] if models else None,
                "last_id": models[-1] if models else None}


def _content_blocks(content: object) -> list[JsonObject]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _blocks(body: JsonObject) -> list[JsonObject]:
    """System blocks then every message's blocks: the order the cache prefix is taken in."""
    system = body.get("system")
    blocks = _content_blocks(system) if system is not None else []
    for message in body["messages"]:
        blocks += _content_blocks(message.get("content"))
    return blocks


def _text(block: JsonObject) -> str:
    if block.get("type") == "text" and isinstance(block.get("text"), str):
        return str(block["text"])
    if block.get("type") == "tool_result":
        return " ".join(_text(b) for b in _content_blocks(block.get("content")))
    return ""


def _tool_choice(choice: object) -> str:
    if not isinstance(choice, dict):
        return "auto"
    kind = choice.get("type")
    if kind == "tool":
        return str(choice.get("name") or "required")
    return {"any": "required", "none": "none"}.get(str(kind), "auto")


def _message(answer: Answer) -> JsonObject:
    return {"id": f"msg_{answer.id}", "type": "message", "role": "assistant", "model": answer.model,
            "stop_sequence": None}


def _usage(answer: Answer, output_tokens: int) -> JsonObject:
    return {"input_tokens": answer.prompt_tokens - answer.cache_read - answer.cache_write,
            "output_tokens": output_tokens, "cache_creation_input_tokens": answer.cache_write,
            "cache_read_input_tokens": answer.cache_read}


def _content(answer: Answer) -> list[JsonObject]:
    if answer.text is not None:
        return [{"type": "text", "text": answer.text}]
    return [{"type": "tool_use", "id": _tool_use_id(c.id), "name": c.name, "input": c.args}
            for c in answer.tool_calls]


def _tool_use_id(call_id: str) -> str:
    return "toolu_" + call_id.removeprefix("call_")


def _event(kind: str, **fields: object) -> bytes:
    return sse({"type": kind, **fields}, kind)


def _tool_use_events(answer: Answer) -> list[bytes]:
    out: list[bytes] = []
    for i, call in enumerate(answer.tool_calls):
        block = {"type": "tool_use", "id": _tool_use_id(call.id), "name": call.name, "input": {}}
        out.append(_event("content_block_start", index=i, content_block=block))
        out += [_event("content_block_delta", index=i, delta={"type": "input_json_delta", "partial_json": p})
                for p in pieces(call.arguments)]
        out.append(_event("content_block_stop", index=i))
    return out
