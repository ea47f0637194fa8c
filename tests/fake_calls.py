"""Helpers for the fake provider's tests: one request builder per API and an SSE reader, over plain httpx."""

from __future__ import annotations

import json
from typing import Any, Protocol

import httpx

from knollm.testing import CANARY_KEYS

KEY = CANARY_KEYS[0]
APIS = ("openai", "anthropic", "gemini")
HEADERS = {
    "openai": {"authorization": f"Bearer {KEY}"},
    "anthropic": {"x-api-key": KEY, "anthropic-version": "2023-06-01"},
    "gemini": {"x-goog-api-key": KEY},
}


class Server(Protocol):
    """A FakeProvider or a FakeProviderProcess."""

    @property
    def base_url(self) -> str: ...


def chat_request(server: Server, api: str, text: str = "hello there", *, stream: bool = False,
                 model: str = "tiny-chat", headers: dict[str, str] | None = None, **extra: Any) -> httpx.Request:
    """A one-turn chat request in `api`'s own shape."""
    sent_headers = HEADERS[api] if headers is None else headers
    if api == "openai":
        body = {"model": model, "messages": [{"role": "user", "content": text}], "stream": stream, **extra}
        return httpx.Request("POST", f"{server.base_url}/v1/chat/completions", json=body, headers=sent_headers)
    if api == "anthropic":
        body = {"model": model, "max_tokens": 100, "messages": [{"role": "user", "content": text}],
                "stream": stream, **extra}
        return httpx.Request("POST", f"{server.base_url}/v1/messages", json=body, headers=sent_headers)
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}
    url = f"{server.base_url}/v1beta/models/{model}:{action}"
    return httpx.Request("POST", url, json=body, headers=sent_headers)


_CLIENT = httpx.Client()  # one client for all tests: creating one costs ~0.2 s (its TLS context)


def send(request: httpx.Request, timeout: float = 5.0) -> httpx.Response:
    request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    return _CLIENT.send(request)


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event name, data) pairs of an SSE body."""
    out: list[tuple[str | None, str]] = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        event = next((line[7:] for line in lines if line.startswith("event: ")), None)
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        out.append((event, data))
    return out


def stream_text(api: str, events: list[tuple[str | None, str]]) -> tuple[str, bool]:
    """The text a stream carried and whether it ended with its terminal event."""
    parts: list[str] = []
    terminal = False
    for event, data in events:
        if api == "openai":
            if data == "[DONE]":
                terminal = True
                continue
            for choice in json.loads(data)["choices"]:
                parts.append(choice["delta"].get("content") or "")
        elif api == "anthropic":
            terminal = terminal or event == "message_stop"
            body = json.loads(data)
            if body["type"] == "content_block_delta" and body["delta"]["type"] == "text_delta":
                parts.append(body["delta"]["text"])
        else:
            body = json.loads(data)
            for candidate in body.get("candidates", []):
                parts += [p.get("text", "") for p in candidate["content"]["parts"]]
                terminal = terminal or "finishReason" in candidate
    return "".join(parts), terminal


def read_stream(request: httpx.Request, timeout: float = 5.0) -> tuple[list[bytes], Exception | None]:
    """The raw chunks of a streamed response, and the error that ended it early (if any)."""
    chunks: list[bytes] = []
    request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    try:
        response = _CLIENT.send(request, stream=True)
        try:
            for chunk in response.iter_raw():
                chunks.append(chunk)
        finally:
            response.close()
    except httpx.HTTPError as exc:
        return chunks, exc
    return chunks, None
