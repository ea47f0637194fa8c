"""Faults → the documented exceptions, for every adapter; auth headers; and no fake key in any output."""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from client_helpers import KEY, complete, json_response, request, sse, stream, target
from knollm.client.adapters import (
    ADAPTERS,
    acheck_stream_response,
    error_for,
    error_for_transport,
    retry_after,
)
from knollm.client.adapters.base import auth_headers
from knollm.client.errors import (
    EXCERPT_LIMIT,
    MASK,
    AuthenticationFailed,
    ClientError,
    InvalidResponse,
    NoCandidate,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    StreamInterrupted,
    Timeout,
    UnsupportedRequest,
    excerpt,
    redact,
)
from knollm.client.sse import SSEEvent, aiter_events
from knollm.client.target import Secret
from knollm.errors import KnollmError

APIS = ("openai", "anthropic", "gemini")
ECHO = f'{{"error": {{"message": "Incorrect API key provided: {KEY}. Bearer {KEY}"}}}}'


def status(code: int, headers: dict[str, str] | None = None, body: str = ECHO) -> Any:
    return lambda _: httpx.Response(code, text=body, headers={"content-type": "application/json", **(headers or {})})


STATUS_CASES: list[tuple[int, dict[str, str], type[ClientError]]] = [
    (401, {}, AuthenticationFailed), (403, {}, AuthenticationFailed), (429, {"retry-after": "7"}, RateLimited),
    (408, {}, ProviderTimeout), (504, {}, ProviderTimeout), (500, {}, ProviderUnavailable),
    (502, {}, ProviderUnavailable), (503, {}, ProviderUnavailable), (400, {}, ProviderError),
    (404, {}, ProviderError),
]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(("code", "headers", "expected"), STATUS_CASES)
def test_status_maps_to_its_exception(api: str, code: int, headers: dict[str, str],
                                      expected: type[ClientError]) -> None:
    with pytest.raises(expected) as caught:
        complete(api, request(), status(code, {"x-request-id": "req-42", **headers}))
    error = caught.value
    assert isinstance(error, ProviderError) and type(error) is expected
    assert (error.status, error.provider, error.request_id) == (code, f"{api}-test", "req-42")
    assert "Incorrect API key provided" in error.body_excerpt and KEY not in str(error) and KEY not in repr(error)
    assert isinstance(error, KnollmError) and str(error).endswith(".")


def test_timeouts_are_both_provider_errors_and_timeouts() -> None:
    error = error_for(httpx.Response(504, text="gateway timeout"), target("openai"))
    assert isinstance(error, Timeout) and isinstance(error, ProviderUnavailable) and error.phase == "provider"


def test_retry_after_seconds_http_date_and_milliseconds() -> None:
    assert retry_after(httpx.Response(429, headers={"retry-after": "2.5"})) == 2.5
    assert retry_after(httpx.Response(429, headers={"retry-after-ms": "1500", "retry-after": "9"})) == 1.5
    date = httpx.Response(429, headers={"retry-after": "Sun, 06 Nov 1994 08:49:37 GMT"})
    assert retry_after(date, now=784111777 - 30) == 30
    assert retry_after(date, now=784111777 + 30) == 0
    assert retry_after(httpx.Response(429, headers={"retry-after": "soon"})) is None
    assert retry_after(httpx.Response(429)) is None
    error = error_for(httpx.Response(429, headers={"retry-after": "7"}, text="slow down"), target("openai"))
    assert isinstance(error, RateLimited) and error.retry_after == 7 and "Wait 7 s" in str(error)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(("body", "content_type", "problem"), [
    ("<!DOCTYPE html><html><body>Please log in</body></html>", "text/html", "HTML"),
    ("<html>proxy</html>", "application/json", "HTML"),
    ('{"choices": [', "application/json", "malformed JSON"),
    ("[1, 2]", "application/json", "list"),
    ("", "application/json", "malformed JSON"),
])
def test_unusable_2xx_bodies_are_invalid_responses(api: str, body: str, content_type: str, problem: str) -> None:
    handler = lambda _: httpx.Response(200, text=body, headers={"content-type": content_type})  # noqa: E731
    with pytest.raises(InvalidResponse, match=problem):
        complete(api, request(), handler)


@pytest.mark.parametrize("api", APIS)
def test_stream_error_status_and_html_page(api: str) -> None:
    with pytest.raises(RateLimited):
        stream(api, request(stream=True), status(429, {"retry-after": "1"}))
    html = lambda _: httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"})  # noqa: E731
    with pytest.raises(InvalidResponse, match="HTML"):
        stream(api, request(stream=True), html)


@pytest.mark.parametrize("api", APIS)
def test_stream_cut_before_the_first_token(api: str) -> None:
    handler = lambda _: httpx.Response(200, content=b"", headers={"content-type": "text/event-stream"})  # noqa: E731
    with pytest.raises(StreamInterrupted) as caught:
        stream(api, request(stream=True), handler)
    assert (caught.value.text_so_far, caught.value.chunks) == ("", 0)


@pytest.mark.parametrize(("error", "expected", "phase"), [
    (httpx.ConnectTimeout("x"), Timeout, "connect"), (httpx.ReadTimeout("x"), Timeout, "read"),
    (httpx.ConnectError("refused"), ProviderUnavailable, None), (httpx.ReadError("reset"), ProviderUnavailable, None),
    (httpx.RemoteProtocolError("peer closed"), ProviderUnavailable, None),
])
def test_transport_errors(error: httpx.TransportError, expected: type[ClientError], phase: str | None) -> None:
    mapped = error_for_transport(error, target("openai"))
    assert type(mapped) is expected
    if phase:
        assert isinstance(mapped, Timeout) and mapped.phase == phase and mapped.timeout_s == 5.0
    else:
        assert isinstance(mapped, ProviderUnavailable) and mapped.status is None and "reached" in str(mapped)


STREAMS = {
    "openai": sse({"id": "c", "choices": [{"index": 0, "delta": {"content": "Hi"}}]},
                  {"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, "[DONE]"),
    "anthropic": sse({"type": "message_start", "message": {"id": "m", "model": "c", "usage": {"input_tokens": 1}}},
                     {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
                     {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
                     {"type": "message_stop"}, named=True),
    "gemini": sse({"candidates": [{"content": {"parts": [{"text": "Hi"}]}, "finishReason": "STOP"}]}),
}


@pytest.mark.parametrize("api", APIS)
def test_async_chunks(api: str) -> None:
    async def run() -> str:
        tgt = target(api)
        adapter = ADAPTERS[api]
        transport = httpx.MockTransport(
            lambda _: httpx.Response(200, content=STREAMS[api], headers={"content-type": "text/event-stream"}))
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.send(adapter.build(request(stream=True), tgt), stream=True)
            await acheck_stream_response(response, tgt)
            events: AsyncIterator[SSEEvent] = aiter_events(response.aiter_lines())
            text = [c.choices[0].delta.content or "" async for c in adapter.achunks(events, tgt) if c.choices]
            await response.aclose()
            return "".join(text)

    assert asyncio.run(run()) == "Hi"


@pytest.mark.parametrize(("kind", "header", "value"), [
    ("bearer", "authorization", f"Bearer {KEY}"), ("token", "authorization", f"Token {KEY}"),
    ("authorization-raw", "authorization", KEY), ("x-api-key", "x-api-key", KEY), ("api-key", "api-key", KEY),
    ("x-goog-api-key", "x-goog-api-key", KEY), ("custom:xi-api-key", "xi-api-key", KEY),
])
def test_auth_headers(kind: str, header: str, value: str) -> None:
    sent = auth_headers(target("openai", auth_header=kind))
    assert {name.lower(): text for name, text in sent.items()} == {header: value}


def test_no_auth_header_without_a_key_or_with_none() -> None:
    assert auth_headers(target("openai", auth_header="none")) == {}
    http_request = ADAPTERS["openai"].build(request(), target("openai", key=None))
    assert "authorization" not in http_request.headers


def test_unsupported_auth_is_refused_without_the_key() -> None:
    with pytest.raises(UnsupportedRequest, match="aws-sigv4") as caught:
        ADAPTERS["openai"].build(request(), target("openai", auth_header="aws-sigv4"))
    assert KEY not in str(caught.value)


def test_target_headers_win_over_adapter_headers() -> None:
    tgt = target("anthropic", headers={"anthropic-version": "2023-06-01", "anthropic-beta": "x"})
    http_request = ADAPTERS["anthropic"].build(request(), tgt)
    assert http_request.headers["anthropic-version"] == "2023-06-01" and http_request.headers["anthropic-beta"] == "x"


def test_secret_never_shows_the_key() -> None:
    secret = Secret(KEY, "env:TEST_KEY")
    shown = [str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret:>40}", repr(target("openai")),
             str(target("openai")), repr([secret]), repr({"k": secret})]
    assert all(KEY not in text for text in shown)
    assert str(secret) == "env:TEST_KEY (…0001)" and secret.reveal() == KEY
    assert str(Secret("short-key")) == "…" and Secret(KEY, "a") == Secret(KEY, "a") != Secret(KEY + "x", "a")
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(secret)
    with pytest.raises(AttributeError):
        secret.alias = "x"  # type: ignore[misc]


def test_redact_and_excerpt() -> None:
    text = (f"key {KEY}; other sk-live-abcdefghijklmnop; Authorization: Bearer abcdef123456; "
            "https://x.test/v1?key=AIzaSyA1234567890abcdefghijk&alt=sse api_key=\"s3cr3tvalue\"")
    masked = redact(text, [KEY])
    for secret in (KEY, "sk-live-abcdefghijklmnop", "abcdef123456", "AIzaSyA1234567890abcdefghijk", "s3cr3tvalue"):
        assert secret not in masked
    assert masked.count(MASK) >= 5 and "Bearer [redacted]" in masked
    assert excerpt("a\x1b[31mred\x00\nnext\u202eline") == "a [31mred next line"
    assert len(excerpt("x" * 5000)) == EXCERPT_LIMIT


def test_no_candidate_lists_reasons() -> None:
    error = NoCandidate("chat", {"alpha/tiny": "no key configured (env:ALPHA_KEY_1 is unset)", "beta/tiny": "429"})
    assert "alpha/tiny: no key configured" in str(error) and error.reasons["beta/tiny"] == "429"


def run_every_fault(api: str) -> list[str]:
    """Every fault for one adapter; the texts of all errors raised (str and repr)."""
    texts: list[str] = []
    faults: list[Any] = [status(code, headers) for code, headers, _ in STATUS_CASES]
    faults += [lambda _: httpx.Response(200, text=f"<html>{KEY}</html>", headers={"content-type": "text/html"}),
               lambda _: httpx.Response(200, text=f'{{"bad": "{KEY}'), json_response({"error": {"message": KEY}})]
    for fault in faults:
        for streamed in (False, True):
            try:
                (stream if streamed else complete)(api, request(stream=streamed), fault)
            except ClientError as error:
                texts += [str(error), repr(error), repr(error.__dict__)]
    for body in (sse({"error": {"message": f"bad key {KEY}"}}), sse({"choices": []})[:10]):
        try:
            stream(api, request(stream=True), lambda _, b=body: httpx.Response(200, content=b))
        except ClientError as error:
            texts += [str(error), repr(error), repr(error.__dict__)]
    return texts


@pytest.mark.parametrize("api", APIS)
def test_no_fake_key_in_any_output(api: str, caplog: pytest.LogCaptureFixture,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    texts = run_every_fault(api)
    assert len(texts) >= 3 * 20
    print(*texts, target(api), request(temperature=0.5))
    ADAPTERS[api].build(request(temperature=0.5, extra={"top_p": 1}), target(api))  # logs at DEBUG (anthropic)
    captured = capsys.readouterr()
    everything = "\n".join([*texts, captured.out, captured.err, caplog.text,
                            *(repr(record.__dict__) for record in caplog.records)])
    assert KEY not in everything
    assert "…0001" in everything  # the Secret's hint did get printed, so the check is not vacuous


def test_redact_leaves_prose_alone() -> None:
    prose = "Invalid token provided. Basic authentication required; key-value store; model gpt-4o-mini not found"
    assert redact(prose) == prose
    # A value after a credential's name is masked whatever it looks like (the shared rule of knollm.redact).
    assert redact("api_key: missing") == "api_key: [redacted]"


class _Broken(httpx.SyncByteStream):
    def __init__(self, first: bytes, error: httpx.TransportError) -> None:
        self.first, self.error = first, error

    def __iter__(self) -> Any:
        yield self.first
        raise self.error


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("error", [httpx.ReadError("connection reset by peer"), httpx.ReadTimeout("timed out")])
def test_connection_lost_mid_stream_keeps_the_text_so_far(api: str, error: httpx.TransportError) -> None:
    first = STREAMS[api].split(b"\n\n")
    head = b"\n\n".join(first[:2]) + b"\n\n"
    handler = lambda _: httpx.Response(  # noqa: E731
        200, stream=_Broken(head, error), headers={"content-type": "text/event-stream"})
    with pytest.raises(StreamInterrupted, match=type(error).__name__) as caught:
        stream(api, request(stream=True), handler)
    assert caught.value.text_so_far == "Hi"


def test_a_key_with_surrounding_whitespace_is_trimmed() -> None:
    http_request = ADAPTERS["openai"].build(request(), target("openai", key=Secret(f" {KEY}\n", "env:TEST_KEY")))
    assert http_request.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("bad", [f"{KEY}\nX-Evil: 1", f"sk-test {KEY}", f"{KEY}\u2026", "", "\x00"])
def test_a_malformed_key_is_refused_without_showing_it(bad: str) -> None:
    with pytest.raises(UnsupportedRequest, match="env:TEST_KEY") as caught:
        ADAPTERS["anthropic"].build(request(), target("anthropic", key=Secret(bad, "env:TEST_KEY")))
    assert KEY not in str(caught.value) and "copy the key again" in str(caught.value)


@pytest.mark.parametrize("api", APIS)
def test_a_json_body_instead_of_a_stream(api: str) -> None:
    with pytest.raises(InvalidResponse, match="JSON body instead of an event stream") as caught:
        stream(api, request(stream=True), json_response({"error": {"message": f"streaming off {KEY}"}}))
    assert "streaming off" in str(caught.value) and KEY not in str(caught.value)
