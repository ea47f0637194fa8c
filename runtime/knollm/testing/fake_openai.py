"""The fake provider's OpenAI dialect: `POST …/chat/completions` (plain and SSE) and `GET …/models`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .fake_answers import Answer, Frames, JsonObject, PrefixCache, Turn, pieces, sse

CREATED = 1_700_000_000
"""Every `created` timestamp: fixed, so answers are byte-for-byte reproducible."""
FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls"}
ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 403: "permission_error",
               404: "invalid_request_error", 429: "rate_limit_exceeded"}
ERROR_CODES = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}


class OpenAIDialect:
    name = "openai"
    request_id_header = "x-request-id"

    def key(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        """The key from `Authorization: Bearer …` (or the `api-key` header some OpenAI-compatible hosts use)."""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip() or None
        return headers.get("api-key") or None

    def problem(self, body: Any, headers: Mapping[str, str]) -> str | None:
        if not isinstance(body, dict):
            return "the request body must be a JSON object"
        if not isinstance(body.get("model"), str) or not body["model"]:
            return "you must provide a model parameter"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "'messages' must be a non-empty array"
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant", "tool"):
                return f"messages[{i}]: each message needs a role of system, developer, user, assistant or tool"
        return None

    def turn(self, body: JsonObject, model: str) -> Turn:
        messages: list[JsonObject] = body["messages"]
        texts = [t for m in messages for t in _texts(m.get("content"))]
        last = next((m for m in reversed(messages) if m.get("role") in ("user", "tool")), {})
        turn = Turn(model=model, texts=texts, last_text=" ".join(_texts(last.get("content"))),
                    last_is_tool_result=messages[-1].get("role") == "tool")
        turn.tools = [(f["name"], f.get("parameters") or {}) for t in body.get("tools") or []
                      if isinstance(f := t.get("function"), dict) and "name" in f]
        turn.tool_choice = _tool_choice(body.get("tool_choice"))
        fmt = body.get("response_format") or {}
        turn.json_mode = fmt.get("type") == "json_object"
        if fmt.get("type") == "json_schema":
            turn.json_schema = (fmt.get("json_schema") or {}).get("schema") or {}
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        turn.max_tokens = limit if isinstance(limit, int) else None
        return turn

    def add_cache(self, answer: Answer, body: JsonObject, cache: PrefixCache) -> None:
        """Automatic prefix caching: the leading messages of a prompt sent before are read from the cache."""
        messages: list[JsonObject] = body["messages"]
        hit = cache.longest_seen(list(messages))
        answer.cache_read = sum(len(t.split()) for m in messages[:hit] for t in _texts(m.get("content")))
        opts = body.get("stream_options") or {}
        answer.include_usage = bool(opts.get("include_usage"))

    def plain(self, answer: Answer) -> JsonObject:
        choices = [] if answer.empty else [{
            "index": 0, "message": _message(answer), "logprobs": None, "finish_reason": FINISH[answer.finish]}]
        return {"id": f"chatcmpl-{answer.id}", "object": "chat.completion", "created": CREATED, "model": answer.model,
                "choices": choices, "usage": _usage(answer), "system_fingerprint": "fp_knollm_fake"}

    def frames(self, answer: Answer) -> Frames:
        def body(delta: JsonObject | None, finish: str | None = None) -> JsonObject:
            choices = [] if delta is None else [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
            data: JsonObject = {"id": f"chatcmpl-{answer.id}", "object": "chat.completion.chunk", "created": CREATED,
                                "model": answer.model, "system_fingerprint": "fp_knollm_fake", "choices": choices}
            if answer.include_usage:
                data["usage"] = None  # OpenAI sends a null usage on every chunk but the last when asked for it
            return data

        def chunk(delta: JsonObject | None, finish: str | None = None) -> bytes:
            return sse(body(delta, finish))

        frames = Frames(terminal=[sse("[DONE]")])
        if not answer.empty:
            frames.lead.append(chunk({"role": "assistant", "content": "" if answer.text is not None else None}))
            frames.content = [chunk({"content": p}) for p in pieces(answer.text or "")]
            frames.content += _tool_call_chunks(answer, chunk)
            frames.tail.append(chunk({}, FINISH[answer.finish]))
        if answer.include_usage:
            frames.tail.append(sse({**body(None), "usage": _usage(answer)}))
        return frames

    def error(self, status: int, message: str) -> JsonObject:
        kind = ERROR_TYPES.get(status, "server_error")
        return {"error": {"message": message, "type": kind, "param": None, "code": ERROR_CODES.get(status)}}

    def listing(self, models: list[str]) -> JsonObject:
        return {"object": "list",
                "data": [{"id": m, "object": "model", "created": CREATED, "owned_by": "knollm-fake"} for m in models]}


def _texts(content: object) -> list[str]:
    """The text of a message's content: a string, or the `text` of its parts."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return []


def _tool_choice(choice: object) -> str:
    if isinstance(choice, dict):
        return str((choice.get("function") or {}).get("name") or "required")
    return str(choice) if choice in ("none", "auto", "required") else "auto"


def _message(answer: Answer) -> JsonObject:
    message: JsonObject = {"role": "assistant", "content": answer.text, "refusal": None}
    if answer.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in answer.tool_calls]
    return message


def _usage(answer: Answer) -> JsonObject:
    return {"prompt_tokens": answer.prompt_tokens, "completion_tokens": answer.completion_tokens,
            "total_tokens": answer.total_tokens, "prompt_tokens_details": {"cached_tokens": answer.cache_read},
            "completion_tokens_details": {"reasoning_tokens": 0}}


def _tool_call_chunks(answer: Answer, chunk: Any) -> list[bytes]:
    """Each call opens with its id and name, then streams its arguments a word at a time (as OpenAI does)."""
    out: list[bytes] = []
    for i, call in enumerate(answer.tool_calls):
        opening = {"index": i, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        out.append(chunk({"tool_calls": [opening]}))
        out += [chunk({"tool_calls": [{"index": i, "function": {"arguments": p}}]}) for p in pieces(call.arguments)]
    return out
