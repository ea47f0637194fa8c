"""Shared pieces of the client adapter tests: a target with a recognisable fake key, a MockTransport round trip,
SSE bodies, and capture of what the official SDKs send (they are the peers the adapters are checked against)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from knollm.client.adapters import ADAPTERS, check_stream_response
from knollm.client.sse import iter_events
from knollm.client.target import Secret, Target
from knollm.client.types import ChatCompletion, ChatCompletionChunk, ChatRequest

KEY = "sk-test-KNOLLM-LEAK-CANARY-0001"
"""A fake key no output may ever contain."""

BASE_URLS = {
    "openai": "https://api.openai.test/v1",
    "anthropic": "https://api.anthropic.test/v1",
    "gemini": "https://generativelanguage.googleapis.test/v1beta",
}
AUTH = {"openai": "bearer", "anthropic": "x-api-key", "gemini": "x-goog-api-key"}
MODELS = {"openai": "gpt-test", "anthropic": "claude-test", "gemini": "gemini-test"}

Handler = Callable[[httpx.Request], httpx.Response]


def target(api: str, **changes: Any) -> Target:
    fields: dict[str, Any] = {
        "provider": f"{api}-test", "model_id": MODELS[api], "base_url": BASE_URLS[api], "api": api,
        "auth_header": AUTH[api], "key": Secret(KEY, "env:TEST_KEY"), "timeout_s": 5.0,
    }
    fields.update(changes)
    return Target(**fields)


def request(**changes: Any) -> ChatRequest:
    fields: dict[str, Any] = {"model": "test/model", "messages": [{"role": "user", "content": "Say hi"}]}
    fields.update(changes)
    return ChatRequest(**fields)


def body_of(http_request: httpx.Request) -> dict[str, Any]:
    return json.loads(http_request.content)


def respond(handler: Handler, http_request: httpx.Request) -> httpx.Response:
    """Send through a MockTransport and read the whole response."""
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        response = client.send(http_request)
        response.read()
        return response


def complete(api: str, chat: ChatRequest, handler: Handler, **changes: Any) -> ChatCompletion:
    tgt = target(api, **changes)
    adapter = ADAPTERS[api]
    return adapter.parse(respond(handler, adapter.build(chat, tgt)), tgt)


def stream(api: str, chat: ChatRequest, handler: Handler, **changes: Any) -> list[ChatCompletionChunk]:
    tgt = target(api, **changes)
    adapter = ADAPTERS[api]
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        response = client.send(adapter.build(chat, tgt), stream=True)
        try:
            check_stream_response(response, tgt)
            return list(adapter.chunks(iter_events(response.iter_lines()), tgt))
        finally:
            response.close()


def sse(*events: dict[str, Any] | str, named: bool = False) -> bytes:
    """An event-stream body; `named` adds `event: <type>` lines as Anthropic does."""
    out = []
    for event in events:
        if isinstance(event, str):
            out.append(f"data: {event}\n\n")
        elif named:
            out.append(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n")
        else:
            out.append(f"data: {json.dumps(event)}\n\n")
    return "".join(out).encode()


def sse_response(body: bytes, status: int = 200) -> Handler:
    return lambda _: httpx.Response(status, content=body, headers={"content-type": "text/event-stream"})


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    return lambda _: httpx.Response(status, json=data, headers=headers)


class Capture:
    """A MockTransport handler that records requests and answers each with `reply`."""

    def __init__(self, reply: httpx.Response) -> None:
        self.reply = reply
        self.requests: list[httpx.Request] = []

    def __call__(self, http_request: httpx.Request) -> httpx.Response:
        self.requests.append(http_request)
        return self.reply

    @property
    def body(self) -> dict[str, Any]:
        return body_of(self.requests[-1])


def iter_text(chunks: list[ChatCompletionChunk]) -> Iterator[str]:
    for chunk in chunks:
        for choice in chunk.choices:
            if choice.delta.content:
                yield choice.delta.content
