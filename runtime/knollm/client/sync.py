"""`Client`: the OpenAI-shaped client over httpx (`client.chat.completions.create(...)`, `client.models.list()`).

One client may be shared by many threads: it holds no per-call state, and `reload_config()` swaps the resolver
in one assignment, so calls in flight finish with the configuration they started with.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Mapping
from typing import Any, Literal, overload

import httpx

from ..catalog import Catalog
from ..records import Model
from ..router.attempts import Run
from .adapters import ADAPTERS, check_stream_response, error_for_transport
from .calls import StreamProgress, abandoned_info, request_from, timed, with_info
from .core import ClientCore
from .errors import ClientError
from .records import Attempt, CallInfo
from .resolve import Candidate
from .settings import ConfigInput
from .sse import iter_events
from .types import ChatCompletion, ChatCompletionChunk, ChatRequest, JSONObject


class Client(ClientCore):
    """Calls any provider of the catalog (or of the configuration) with OpenAI's chat-completions shape.

    `config` is a path, a `Config` or None (then `$KNOLLM_CONFIG`, `./knollm.toml`, the user config dir);
    `profile` picks a profile (default `$KNOLLM_PROFILE`); `http_client` is an httpx client to send with (tests
    pass one with a `MockTransport`); `catalog` defaults to `Catalog.load()`.
    """

    def __init__(self, config: ConfigInput = None, *, profile: str | None = None,
                 http_client: httpx.Client | None = None, catalog: Catalog | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(config, profile, catalog, env)
        self._http = http_client if http_client is not None else httpx.Client(timeout=None)
        self._owns_http = http_client is None
        self.chat = _Chat(self)
        self.models = _Models(self)

    @property
    def http(self) -> httpx.Client:
        """The httpx client requests go through."""
        return self._http

    def close(self) -> None:
        """Flush the usage records, close the response cache and (if this client made it) the httpx client."""
        self.release()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- one call ------------------------------------------------------------------------------------------

    def complete(self, request: ChatRequest, strategy: str | None = None) -> ChatCompletion:
        """Route the request (`knollm.router`): failover, retries, key rotation, limits; the last error (with
        `.attempts`) when no attempt answered."""
        run = self.start_run(request, strategy)
        while (step := run.next()) is not None:
            if step.wait_s > 0:
                time.sleep(step.wait_s)
            step.begin()
            try:
                completion = self._send(step.candidate, request)
            except ClientError as exc:
                if run.failed(step, exc):
                    continue
                break
            except BaseException:
                run.abandon(step)  # cancelled or interrupted: no verdict on the key
                raise
            info = run.succeeded(step, completion.usage)
            self.notify(info)
            return with_info(completion, info)
        error = run.final_error()
        self.notify_failure(request.model, error, run.attempts, run.started)
        raise error

    def _send(self, candidate: Candidate, request: ChatRequest) -> ChatCompletion:
        target = candidate.target
        adapter = ADAPTERS[target.api]
        try:
            response = self._http.send(timed(adapter.build(request, target), target.timeout_s))
        except httpx.TransportError as exc:
            raise error_for_transport(exc, target) from None
        try:
            response.read()
        except httpx.TransportError as exc:
            raise error_for_transport(exc, target) from None
        finally:
            response.close()
        return adapter.parse(response, target)

    def stream(self, request: ChatRequest, strategy: str | None = None) -> ChatStream:
        return ChatStream(self, request, self.start_run(request, strategy))

    def open_stream(self, candidate: Candidate, request: ChatRequest,
                    ) -> tuple[httpx.Response, Iterator[ChatCompletionChunk]]:
        target = candidate.target
        adapter = ADAPTERS[target.api]
        try:
            response = self._http.send(timed(adapter.build(request, target), target.timeout_s), stream=True)
        except httpx.TransportError as exc:
            raise error_for_transport(exc, target) from None
        try:
            check_stream_response(response, target)
        except BaseException:
            response.close()
            raise
        return response, adapter.chunks(iter_events(response.iter_lines()), target)


class ChatStream:
    """The chunks of a streamed answer (iterate it once). A candidate that fails before its first chunk is
    replaced by the next; after that, a failure raises `StreamInterrupted` with the text received so far.
    `knollm` is filled when the stream has ended."""

    def __init__(self, client: Client, request: ChatRequest, run: Run | None) -> None:
        self._client, self._request, self._route = client, request, run
        self.knollm: CallInfo | None = None
        self._response: httpx.Response | None = None
        self._chunks = self._run()

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        return self._chunks

    def __next__(self) -> ChatCompletionChunk:
        return next(self._chunks)

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading and release the connection (also done when the stream ends or fails)."""
        self._chunks.close()
        if self._response is not None:
            self._response.close()

    def _run(self) -> Generator[ChatCompletionChunk, None, None]:
        run = self._route
        assert run is not None, "only replayed streams have no run, and they override _run"
        while (step := run.next()) is not None:
            if step.wait_s > 0:
                time.sleep(step.wait_s)
            step.begin()
            progress = StreamProgress(started=step.started)
            try:
                self._response, chunks = self._client.open_stream(step.candidate, self._request)
                for chunk in chunks:
                    progress.see(chunk)
                    yield chunk
                run.check_delivered(step, progress)
            except (ClientError, httpx.TransportError) as exc:
                if progress.delivered:  # moving on would repeat the text: the caller gets what arrived
                    raise run.interrupted(step, exc, progress) from None
                error = exc if isinstance(exc, ClientError) else error_for_transport(exc, step.candidate.target)
                if run.failed(step, error):
                    continue
                break
            except BaseException:
                run.abandon(step)  # the caller closed the stream, or the task was cancelled
                self._client.notify(abandoned_info(run.requested, step.candidate, run.attempts, run.started, progress))
                raise
            finally:
                if self._response is not None:
                    self._response.close()
            self.knollm = run.succeeded(step, progress.usage, progress.ttft_s)
            self._client.notify(self.knollm)
            return
        error = run.final_error()
        self._client.notify_failure(self._request.model, error, run.attempts, run.started)
        raise error


class _Completions:
    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def create(self, *, model: str, messages: list[JSONObject], stream: Literal[False] = False,
               **options: Any) -> ChatCompletion: ...

    @overload
    def create(self, *, model: str, messages: list[JSONObject], stream: Literal[True], **options: Any) -> ChatStream:
        ...

    def create(self, *, model: str, messages: list[JSONObject], stream: bool = False, **options: Any,
               ) -> ChatCompletion | ChatStream:
        """OpenAI's `chat.completions.create`: `tools`, `tool_choice`, `response_format`, `max_tokens`,
        `temperature` and any other parameter (passed to the provider). `stream=True` returns a `ChatStream`.
        `strategy=` (knollm's, not sent) overrides the route's strategy for this call."""
        strategy = options.pop("strategy", None)
        request = request_from(model, messages, stream, options)
        if (cached := self._client._cache_lookup(request)) is not None:
            return cached.serve(self._client, request, strategy)
        return self._client.stream(request, strategy) if stream else self._client.complete(request, strategy)


class _Chat:
    def __init__(self, client: Client) -> None:
        self.completions = _Completions(client)


class _Models:
    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self) -> list[Model]:
        """The catalog's models at providers that have a key configured (or need none)."""
        return self._client.callable_models()


__all__ = ["Attempt", "CallInfo", "ChatStream", "Client"]
