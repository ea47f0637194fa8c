"""The fake provider's request handler: route, check auth and shape, pick the fault, answer (or misbehave).

Routes are matched on the end of the path, so any base URL prefix works (`/v1`, `/api/v1`, `/openai/v1`):
`POST …/chat/completions` (OpenAI), `POST …/messages` (Anthropic), `POST …/models/{m}:generateContent` and
`…:streamGenerateContent` (Gemini), `GET …/models` (Gemini under `/v1beta`; Anthropic when the request carries
`anthropic-version` or `x-api-key`; else OpenAI).
"""

from __future__ import annotations

import json
import logging
import socket
import struct
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from . import fake_listing
from .fake_answers import Answer, Frames, JsonObject, PrefixCache, Turn, answer_for, sse
from .fake_anthropic import AnthropicDialect
from .fake_faults import Fault
from .fake_gemini import GeminiDialect
from .fake_openai import OpenAIDialect

if TYPE_CHECKING:
    from .fake_provider import FakeProvider

log = logging.getLogger("knollm.testing.fake_provider")

HTML_PAGE = (b"<!doctype html><html><head><title>Sign in</title></head>"
             b"<body><h1>Sign in to continue</h1><p>This network requires you to sign in.</p></body></html>")
KEY_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "x-goog-api-key"})


class Dialect(Protocol):
    name: str
    request_id_header: str

    def key(self, headers: dict[str, str], query: dict[str, str]) -> str | None: ...
    def problem(self, body: Any, headers: dict[str, str]) -> str | None: ...
    def turn(self, body: JsonObject, model: str) -> Turn: ...
    def add_cache(self, answer: Answer, body: JsonObject, cache: PrefixCache) -> None: ...
    def plain(self, answer: Answer) -> JsonObject: ...
    def frames(self, answer: Answer) -> Frames: ...
    def error(self, status: int, message: str) -> JsonObject: ...
    def listing(self, models: list[str]) -> JsonObject: ...


DIALECTS: dict[str, Dialect] = {"openai": OpenAIDialect(), "anthropic": AnthropicDialect(), "gemini": GeminiDialect()}


@dataclass(slots=True, frozen=True)
class RecordedRequest:
    """One request as the fake saw it. Key-bearing headers and `?key=` are redacted to their last 4 characters,
    so recorded requests can be printed and compared without leaking a key."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    api: str
    route: str
    model: str | None
    fault: str
    stream: bool
    key_last4: str | None


def redact(value: str) -> str:
    """`"Bearer sk-…0001"` style: keep a `Bearer ` prefix and the last 4 characters only."""
    prefix = "Bearer " if value.lower().startswith("bearer ") else ""
    secret = value[len(prefix):]
    return f"{prefix}…{secret[-4:]}" if len(secret) > 8 else f"{prefix}…"


@dataclass(slots=True)
class Route:
    api: str
    route: str
    model: str | None
    stream: bool = False


def find_route(method: str, path: str, headers: dict[str, str]) -> Route | None:
    if method == "GET" and path.rstrip("/").endswith("/models"):
        if "/v1beta/" in path:
            return Route("gemini", "gemini/models", None)
        anthropic = "anthropic-version" in headers or "x-api-key" in headers
        return Route("anthropic", "anthropic/models", None) if anthropic else Route("openai", "openai/models", None)
    if method != "POST":
        return None
    if path.endswith("/chat/completions"):
        return Route("openai", "openai/chat", None)
    if path.endswith("/messages"):
        return Route("anthropic", "anthropic/messages", None)
    head, sep, action = path.rpartition(":")
    if sep and "/models/" in head and action in ("generateContent", "streamGenerateContent"):
        model = unquote(head.split("/models/", 1)[1])
        return Route("gemini", "gemini/generate", model, action == "streamGenerateContent")
    return None


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as real providers
    timeout = 60  # an idle keep-alive connection frees its thread after a minute
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between a response's writes
    wbufsize = 65536  # headers and body leave in one send (http.server flushes after each request)
    fake: FakeProvider  # set on the subclass the server builds
    request_id = 0  # numbers this request's ids (`req_fake_N`, `chatcmpl-fake_N`)

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake._track(self.connection, False)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the raw request line may carry ?key=; `_serve` logs a redacted line instead

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    # --- one request -----------------------------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        headers = {k.lower(): v for k, v in self.headers.items()}
        raw = self._read_body()
        route = find_route(method, url.path, headers)
        dialect = DIALECTS[route.api] if route else DIALECTS["openai"]
        self.request_id = self.fake._next_id()
        body, bad_json = _parse(raw)
        if route is None:
            return self._reject(dialect, None, 404, f"no route for {method} {url.path} on the fake provider", body)
        if method == "POST" and isinstance(body, dict) and route.model is None:
            route.model = body.get("model") if isinstance(body.get("model"), str) else None
            route.stream = body.get("stream") is True
        key = dialect.key(headers, query)
        if not self.fake._accepts(route.api, key):
            return self._reject(dialect, route, 401, "invalid or missing API key (fake provider)", body, key)
        problem = "the request body is not valid JSON" if bad_json else (
            dialect.problem(body, headers) if method == "POST" else None)
        if problem:
            return self._reject(dialect, route, 400, problem, body, key)
        fault = self.fake._script.next(route.model, route.route)
        self._record(route, body, str(fault), key)
        self._answer(dialect, route, body, fault)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _record(self, route: Route | None, body: Any, fault: str, key: str | None) -> None:
        path = urlsplit(self.path)
        query = "&".join(f"{k}={redact(v) if k == 'key' else v}" for k, v in parse_qsl(path.query))
        headers = {k.lower(): redact(v) if k.lower() in KEY_HEADERS else v for k, v in self.headers.items()}
        shown = path.path + (f"?{query}" if query else "")
        self.fake._record(RecordedRequest(
            method=self.command, path=shown, headers=headers, body=body, api=route.api if route else "?",
            route=route.route if route else "?", model=route.model if route else None, fault=fault,
            stream=route.stream if route else False, key_last4=key[-4:] if key else None))
        log.debug("fake provider: %s %s -> %s", self.command, shown, fault)

    def _reject(self, dialect: Dialect, route: Route | None, status: int, message: str, body: Any,
                key: str | None = None) -> None:
        self._record(route, body, f"rejected:{status}", key)
        self._send_json(status, dialect.error(status, message), dialect)

    # --- answering -------------------------------------------------------------------------------------------

    def _answer(self, dialect: Dialect, route: Route, body: Any, fault: Fault) -> None:
        if fault.status is not None:
            extra = {"retry-after": fault.arg} if fault.arg else {}
            message = f"fake provider: scripted status {fault.status}"
            return self._send_json(fault.status, dialect.error(fault.status, message), dialect, extra)
        if fault.name in ("reset", "close"):
            return self._drop(reset=fault.name == "reset")
        if fault.name == "html":
            return self._send(200, HTML_PAGE, "text/html; charset=utf-8", dialect)
        if fault.name == "hang" and self.fake._stopping.wait(fault.seconds):
            return self._drop(reset=False)
        if fault.name == "slow" and self.fake._stopping.wait(fault.seconds):
            return self._drop(reset=False)
        if route.route.endswith("/models") and not self.fake.listing.plain:
            return self._listing(dialect, [] if fault.name == "empty" else self.fake.models, fault)
        if route.route.endswith("/models"):
            listing = dialect.listing([] if fault.name == "empty" else self.fake.models)
            return self._send_json(200, listing, dialect, malformed=fault.name == "malformed")
        try:
            turn = dialect.turn(body, route.model or "")
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # A shape the basic checks let through (a tool that is not an object, ...): the real API says 400.
            message = f"the fake provider could not read the request: {type(exc).__name__}: {exc}"
            return self._send_json(400, dialect.error(400, message), dialect)
        answer = answer_for(turn, f"fake_{self.request_id}", empty=fault.name == "empty")
        dialect.add_cache(answer, body, self.fake._cache)
        if route.stream or fault.streams:
            return self._stream(dialect.frames(answer), fault, dialect)
        self._send_json(200, dialect.plain(answer), dialect, malformed=fault.name == "malformed")

    def _listing(self, dialect: Dialect, models: list[str], fault: Fault) -> None:
        """Pages, prices and huge bodies of `fake_listing` (when `FakeProvider.listing` asks for them)."""
        options = self.fake.listing
        if not options.huge_bytes:
            body = fake_listing.page(options, dialect, models, dict(parse_qsl(urlsplit(self.path).query)))
            return self._send_json(200, body, dialect, malformed=fault.name == "malformed")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            for chunk in fake_listing.huge_chunks(dialect, models, options.huge_bytes):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True  # the client stopped reading (as it should): nothing more to send

    def _stream(self, frames: Frames, fault: Fault, dialect: Dialect) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header(dialect.request_id_header, f"req_fake_{self.request_id}")
        self.end_headers()
        if fault.name == "malformed" and frames.content:
            first = frames.content[0].rstrip(b"\n")
            frames.content[0] = first[: len(first) // 2] + b"\n\n"  # an event whose JSON stops halfway
        half = frames.lead + frames.content[: max(1, len(frames.content) // 2)]
        sent = frames.lead
        if fault.name == "cut_mid":
            sent = half
        elif fault.name == "stream_error":
            error = dialect.error(503, "fake provider: scripted error in the stream; retry later")
            sent = [*half, sse(error, "error" if dialect.name == "anthropic" else None)]
        elif fault.name == "no_done":
            sent = frames.lead + frames.content + frames.tail
        elif fault.name != "cut_start":
            sent = frames.lead + frames.content + frames.tail + frames.terminal
        delay = fault.seconds if fault.name == "slow" else 0.0
        stall_after = len(frames.lead) + 1 if fault.name == "stall" else -1
        for i, frame in enumerate(sent):
            if (delay or i == stall_after) and self.fake._stopping.wait(delay or fault.seconds):
                return self._drop(reset=False)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            self.wfile.flush()
        if fault.name in ("cut_start", "cut_mid"):
            return self._drop(reset=False)  # closed mid-body: the chunked stream never gets its last chunk
        self.wfile.write(b"0\r\n\r\n")

    def _send_json(self, status: int, data: JsonObject, dialect: Dialect, extra: dict[str, str] | None = None,
                   malformed: bool = False) -> None:
        payload = json.dumps(data).encode()
        if malformed:
            payload = payload[: max(1, len(payload) // 2)]  # valid JSON cut in half: the parser must fail
        self._send(status, payload, "application/json", dialect, extra)

    def _send(self, status: int, payload: bytes, content_type: str, dialect: Dialect,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.send_header(dialect.request_id_header, f"req_fake_{self.request_id}")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _drop(self, *, reset: bool) -> None:
        """Close the connection without (the rest of) a response: a TCP reset, or a clean FIN."""
        self.close_connection = True
        try:
            if reset:
                # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass  # the client left first: nothing to close


def _parse(raw: bytes) -> tuple[Any, bool]:
    """(body, bad_json): an empty body is None and not bad."""
    if not raw:
        return None, False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True
