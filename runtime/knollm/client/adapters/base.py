"""What every adapter shares: the `Adapter` protocol, auth headers, status → exception mapping, JSON decoding,
and the loop that runs a stream translator over SSE events (sync and async)."""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

import httpx
import orjson

from ..errors import (
    AuthenticationFailed,
    ClientError,
    InvalidResponse,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    StreamInterrupted,
    Timeout,
    UnsupportedRequest,
    excerpt,
)
from ..sse import SSEEvent
from ..target import Secret, Target
from ..types import ChatCompletion, ChatCompletionChunk, ChatRequest, JSONObject

_KEY_HEADERS = {"x-api-key": "x-api-key", "x-goog-api-key": "x-goog-api-key", "api-key": "api-key"}
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")
_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_AUTHORIZATION_PREFIX = {"bearer": "Bearer ", "token": "Token ", "authorization-raw": ""}


class StreamTranslator(Protocol):
    """Turns one provider's stream events into OpenAI-shaped chunks; one translator per stream (it keeps state)."""

    tracker: TextTracker

    def feed(self, event: SSEEvent) -> list[ChatCompletionChunk]:
        """Chunks for one event (often none, sometimes two: a finish chunk and the usage chunk)."""
        ...

    def finish(self) -> list[ChatCompletionChunk]:
        """Called when the events end: the last chunks, or `StreamInterrupted` without the terminal event."""
        ...

    @property
    def done(self) -> bool:
        """True once the provider's terminal event arrived; later events are ignored."""
        ...


class Adapter(Protocol):
    """Translates the canonical `ChatRequest` into one API's HTTP request, and its answers back."""

    api: str

    def build(self, request: ChatRequest, target: Target) -> httpx.Request:
        """The HTTP request for `request` at `target` (URL, headers with auth, JSON body)."""
        ...

    def parse(self, response: httpx.Response, target: Target) -> ChatCompletion:
        """The completion in a (read) response; raises the client's errors for error statuses and bad bodies."""
        ...

    def translator(self, target: Target) -> StreamTranslator:
        """A fresh translator for one stream."""
        ...

    def chunks(self, events: Iterator[SSEEvent], target: Target) -> Iterator[ChatCompletionChunk]:
        """OpenAI-shaped chunks for a stream's events; the last one carries usage when the provider sent it."""
        ...

    def achunks(self, events: AsyncIterator[SSEEvent], target: Target) -> AsyncIterator[ChatCompletionChunk]:
        """`chunks` for async event streams."""
        ...


class AdapterBase:
    """The stream loops every adapter shares; subclasses provide `build`, `parse` and `translator`."""

    api = ""

    def translator(self, target: Target) -> StreamTranslator:
        raise NotImplementedError

    def chunks(self, events: Iterator[SSEEvent], target: Target) -> Iterator[ChatCompletionChunk]:
        translator = self.translator(target)
        try:
            for event in events:
                yield from translator.feed(event)
                if translator.done:
                    break
        except httpx.TransportError as error:
            # The events are read lazily from the connection: a reset or timeout mid-stream lands here, and only
            # the translator knows the text delivered so far.
            raise _broken(translator, error) from None
        yield from translator.finish()

    async def achunks(self, events: AsyncIterator[SSEEvent], target: Target) -> AsyncIterator[ChatCompletionChunk]:
        translator = self.translator(target)
        try:
            async for event in events:
                for chunk in translator.feed(event):
                    yield chunk
                if translator.done:
                    break
        except httpx.TransportError as error:
            raise _broken(translator, error) from None
        for chunk in translator.finish():
            yield chunk


def _broken(translator: StreamTranslator, error: httpx.TransportError) -> StreamInterrupted:
    what = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    return translator.tracker.interrupted(f"the connection {what} ({type(error).__name__})")


def auth_headers(target: Target) -> dict[str, str]:
    """The header that carries the target's key (none without a key or with `auth_header="none"`)."""
    kind = target.auth_header
    if target.key is None or kind == "none":
        return {}
    # Surrounding whitespace is a copy-paste accident. Anything else unprintable must be refused here: the HTTP
    # layer's own error for an illegal header value quotes the value, i.e. the key.
    key = target.key.reveal().strip()
    if not _KEY_CHARS.fullmatch(key):
        raise UnsupportedRequest(
            f"the key for provider {target.provider!r} ({target.key.alias or 'no alias'}) is empty or contains "
            "spaces, control or non-ASCII characters; copy the key again into its environment variable."
        )
    if kind in _AUTHORIZATION_PREFIX:
        return {"Authorization": _AUTHORIZATION_PREFIX[kind] + key}
    if kind in _KEY_HEADERS:
        return {_KEY_HEADERS[kind]: key}
    if kind.startswith("custom:") and _HEADER_NAME.fullmatch(kind.removeprefix("custom:")):
        return {kind.removeprefix("custom:"): key}
    raise UnsupportedRequest(
        f"provider {target.provider!r} uses auth {kind!r}, which the client cannot send "
        "(supported: bearer, token, authorization-raw, x-api-key, x-goog-api-key, api-key, custom:<Header>, none). "
        "Set `auth_header` for this provider in the configuration, or use one of its OpenAI-compatible endpoints."
    )


def json_request(target: Target, url: str, body: JSONObject, headers: dict[str, str] | None = None) -> httpx.Request:
    """A POST of `body` as JSON with auth, the adapter's `headers` and then the target's own headers (which win)."""
    all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    all_headers.update(auth_headers(target))
    if headers:
        all_headers.update(headers)
    # Header values that are Secrets (credential headers of the configuration) are revealed only here.
    all_headers.update({name: value.reveal() if isinstance(value, Secret) else value
                        for name, value in target.headers.items()})
    return httpx.Request("POST", url, headers=all_headers, content=orjson.dumps(body))


def request_id(response: httpx.Response) -> str | None:
    """The provider's id for this request, when it sent one (printable characters only, at most 120)."""
    for name in ("x-request-id", "request-id", "x-amzn-requestid", "cf-ray"):
        value = response.headers.get(name)
        if value:
            return excerpt(value, limit=120)
    return None


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or `retry-after-ms`; None when absent/invalid."""
    millis = response.headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_for(response: httpx.Response, target: Target) -> ProviderError:
    """The exception for an error status (the response must have been read): 401/403 `AuthenticationFailed`,
    429 `RateLimited`, 408/504 `ProviderTimeout`, other 5xx `ProviderUnavailable`, anything else `ProviderError`."""
    status = response.status_code
    rid = request_id(response)
    body = excerpt(_text(response), target.secrets())
    if status in (401, 403):
        return AuthenticationFailed(status, target.provider, rid, body)
    if status == 429:
        return RateLimited(status, target.provider, rid, body, retry_after=retry_after(response))
    if status in (408, 504):
        return ProviderTimeout(status, target.provider, rid, body)
    if status >= 500:
        return ProviderUnavailable(status, target.provider, rid, body)
    return ProviderError(status, target.provider, rid, body)


def error_for_transport(error: httpx.TransportError, target: Target) -> ClientError:
    """The exception for a failed exchange: httpx timeouts → `Timeout`, anything else (refused, reset, DNS,
    protocol errors) → `ProviderUnavailable` with no status. The httpx message is not kept: it may carry a URL."""
    if isinstance(error, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connect",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "pool",
        }.get(type(error), "read")
        return Timeout(target.provider, target.timeout_s, phase)
    return ProviderUnavailable(None, target.provider, None, type(error).__name__)


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""


def _is_html(response: httpx.Response) -> bool:
    # Bytes, not `response.text`: decoding (and charset guessing) would cost more than the rest of the parse.
    content_type = response.headers.get("content-type", "").lower()
    head = response.content[:64].lstrip()[:15].lower()
    return "html" in content_type or head.startswith((b"<!doctype", b"<html"))


def read_json(response: httpx.Response, target: Target) -> JSONObject:
    """The JSON object in a (read) 2xx response; `error_for(...)` for error statuses, `InvalidResponse` for an
    HTML page, malformed JSON or JSON that is not an object."""
    if not response.is_success:
        raise error_for(response, target)
    if _is_html(response):
        raise InvalidResponse(target.provider, "an HTML page instead of JSON",
                              excerpt(_text(response), target.secrets(), 120), response.status_code)
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise InvalidResponse(target.provider, "malformed JSON", excerpt(_text(response), target.secrets(), 120),
                              response.status_code) from None
    if not isinstance(data, dict):
        raise InvalidResponse(target.provider, f"a JSON {type(data).__name__} instead of an object",
                              status=response.status_code)
    return data


def _not_a_stream(response: httpx.Response) -> str | None:
    """What the response is instead of an event stream (an error status, HTML, JSON), or None if it may be one."""
    if not response.is_success:
        return "error"
    content_type = response.headers.get("content-type", "").lower()
    if "html" in content_type:
        return "an HTML page instead of an event stream"
    if content_type.startswith("application/json"):
        return "a JSON body instead of an event stream (does this provider stream? try stream=False)"
    return None


def check_stream_response(response: httpx.Response, target: Target) -> None:
    """Before reading a stream: raise `error_for(...)` for an error status and `InvalidResponse` for an HTML page
    or a plain JSON body (both read the body first; a 2xx event stream is left unread)."""
    problem = _not_a_stream(response)
    if problem is None:
        return
    response.read()
    if problem == "error":
        raise error_for(response, target)
    raise InvalidResponse(target.provider, problem, excerpt(_text(response), target.secrets(), 120),
                          response.status_code)


async def acheck_stream_response(response: httpx.Response, target: Target) -> None:
    """`check_stream_response` for async responses."""
    if _not_a_stream(response) is not None:
        await response.aread()
        check_stream_response(response, target)


def load_event(event: SSEEvent, target: Target, translator: TextTracker) -> JSONObject:
    """The JSON object in one event's data; a malformed one interrupts the stream (keeping the text so far)."""
    try:
        data = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        raise translator.interrupted("an event carried malformed JSON") from None
    if not isinstance(data, dict):
        raise translator.interrupted("an event carried JSON that is not an object")
    return data


class TextTracker:
    """What a translator has passed on so far, for `StreamInterrupted` (text and number of chunks)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.text: list[str] = []
        self.count = 0

    def track(self, chunks: list[ChatCompletionChunk]) -> list[ChatCompletionChunk]:
        for chunk in chunks:
            self.count += 1
            for choice in chunk.choices:
                if choice.delta.content:
                    self.text.append(choice.delta.content)
        return chunks

    def interrupted(self, reason: str) -> StreamInterrupted:
        return StreamInterrupted(self.target.provider, "".join(self.text), self.count, reason)

    def provider_error(self, error: object) -> StreamInterrupted:
        """An error event in the stream: interrupted, with the provider's (redacted) words as the reason."""
        said = orjson.dumps(error).decode() if not isinstance(error, str) else error
        return self.interrupted("the provider sent an error: " + excerpt(said, self.target.secrets(), 200))
