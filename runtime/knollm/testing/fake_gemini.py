"""The fake provider's Gemini dialect: `POST …/v1beta/models/{model}:generateContent`,
`…:streamGenerateContent?alt=sse` and `GET …/v1beta/models`.

The key comes from `x-goog-api-key` or `?key=`. Field names are accepted in camelCase and snake_case, as the
REST API does. A stream's final chunk carries `finishReason` and `usageMetadata` (the `no_done` fault drops it);
`streamGenerateContent` always answers with SSE, as with `alt=sse`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .fake_answers import Answer, Frames, JsonObject, PrefixCache, Turn, pieces, sse, words

FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"}
STATUSES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE"}


def _get(d: Mapping[str, Any], camel: str, default: Any = None) -> Any:
    """`d[camel]`, else its snake_case spelling."""
    if camel in d:
        return d[camel]
    snake = "".join("_" + c.lower() if c.isupper() else c for c in camel)
    return d.get(snake, default)


class GeminiDialect:
    name = "gemini"
    request_id_header = "x-request-id"

    def key(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
        return headers.get("x-goog-api-key") or query.get("key") or None

    def problem(self, body: Any, headers: Mapping[str, str]) -> str | None:
        if not isinstance(body, dict):
            return "Invalid JSON payload received: the request body must be a JSON object"
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            return "* GenerateContentRequest.contents: contents is not specified"
        for i, c in enumerate(contents):
            if not isinstance(c, dict) or c.get("role", "user") not in ("user", "model", "function"):
                return f"contents[{i}]: please use a valid role: user, model"
            if not isinstance(c.get("parts"), list) or not c["parts"]:
                return f"contents[{i}].parts: must contain at least one part"
        return None

    def turn(self, body: JsonObject, model: str) -> Turn:
        contents: list[JsonObject] = body["contents"]
        system = _get(body, "systemInstruction") or {}
        texts = [t for c in [system, *contents] for t in _texts(c)]
        users = [c for c in contents if c.get("role", "user") != "model"]
        last = users[-1] if users else {}
        turn = Turn(model=model, texts=texts, last_text=" ".join(_texts(last)),
                    last_is_tool_result=any(_get(p, "functionResponse") for p in contents[-1]["parts"]))
        for tool in body.get("tools") or []:
            for f in _get(tool, "functionDeclarations") or []:
                schema = _get(f, "parametersJsonSchema") or f.get("parameters") or {}
                turn.tools.append((f["name"], schema))
        turn.tool_choice = _tool_choice(_get(_get(body, "toolConfig") or {}, "functionCallingConfig") or {})
        config = _get(body, "generationConfig") or {}
        if _get(config, "responseMimeType") == "application/json":
            schema = _get(config, "responseJsonSchema") or _get(config, "responseSchema")
            turn.json_schema = schema if isinstance(schema, dict) else None
            turn.json_mode = schema is None
        limit = _get(config, "maxOutputTokens")
        turn.max_tokens = limit if isinstance(limit, int) else None
        return turn

    def add_cache(self, answer: Answer, body: JsonObject, cache: PrefixCache) -> None:
        """Implicit caching, as OpenAI's: the leading contents of a prompt sent before are read from the cache."""
        contents: list[JsonObject] = [_get(body, "systemInstruction") or {}, *body["contents"]]
        hit = cache.longest_seen(list(contents))
        answer.cache_read = sum(words(t) for c in contents[:hit] for t in _texts(c))

    def plain(self, answer: Answer) -> JsonObject:
        out: JsonObject = {"usageMetadata": _usage(answer), "modelVersion": answer.model, "responseId": answer.id}
        if not answer.empty:
            out["candidates"] = [_candidate(_parts(answer), FINISH[answer.finish])]
        return out

    def frames(self, answer: Answer) -> Frames:
        def chunk(parts: list[JsonObject]) -> bytes:
            return sse({"candidates": [_candidate(parts, None)], "modelVersion": answer.model,
                        "responseId": answer.id})

        if answer.empty:
            return Frames(terminal=[sse({"usageMetadata": _usage(answer), "modelVersion": answer.model})])
        content = [chunk([{"text": p}]) for p in pieces(answer.text)] if answer.text is not None else [
            chunk(_parts(answer))]  # Gemini sends a function call whole, in one chunk
        final = {"candidates": [_candidate([{"text": ""}], FINISH[answer.finish])], "usageMetadata": _usage(answer),
                 "modelVersion": answer.model, "responseId": answer.id}
        return Frames(content=content, terminal=[sse(final)])

    def error(self, status: int, message: str) -> JsonObject:
        return {"error": {"code": status, "message": message, "status": STATUSES.get(status, "INTERNAL")}}

    def listing(self, models: list[str]) -> JsonObject:
        methods = ["generateContent", "streamGenerateContent", "countTokens"]
        return {"models": [{"name": f"models/{m}", "version": "001", "displayName": m, "inputTokenLimit": 32768,
                            "outputTokenLimit": 8192, "supportedGenerationMethods": methods} for m in models]}


def _texts(content: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for part in content.get("parts") or []:
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            out.append(part["text"])
        elif isinstance(part, dict) and (resp := _get(part, "functionResponse")):
            out.append(json.dumps(resp.get("response", {})))
    return out


def _tool_choice(config: Mapping[str, Any]) -> str:
    mode = str(config.get("mode", "AUTO")).upper()
    if mode == "NONE":
        return "none"
    allowed = _get(config, "allowedFunctionNames") or []
    if mode == "ANY":
        return str(allowed[0]) if len(allowed) == 1 else "required"
    return "auto"


def _parts(answer: Answer) -> list[JsonObject]:
    if answer.text is not None:
        return [{"text": answer.text}]
    return [{"functionCall": {"id": c.id, "name": c.name, "args": c.args}} for c in answer.tool_calls]


def _candidate(parts: list[JsonObject], finish: str | None) -> JsonObject:
    out: JsonObject = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish is not None:
        out["finishReason"] = finish
    return out


def _usage(answer: Answer) -> JsonObject:
    usage: JsonObject = {"promptTokenCount": answer.prompt_tokens, "candidatesTokenCount": answer.completion_tokens,
                         "totalTokenCount": answer.total_tokens}
    if answer.cache_read:
        usage["cachedContentTokenCount"] = answer.cache_read
    return usage
