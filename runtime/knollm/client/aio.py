"""`AsyncClient`: `Client` for asyncio (`await client.chat.completions.create(...)`, `async with`, `aclose()`).

The no-I/O parts of a call (resolution, failover rules, records) are the sync client's (`calls`, `resolve`);
this module only awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any, Literal, overload

import httpx

from ..catalog import Catalog
from ..records import Model
from ..router.attempts import Run
from .adapters import ADAPTERS, acheck_stream_response, error_for_transport
from .calls import StreamProgress, abandoned_info, request_from, timed, with_info
from .core import ClientCore
from .errors import ClientError
from .records import CallInfo
from .resolve import Candidate
from .settings import ConfigInput
from .sse import aiter_events
from .types import ChatCompletion, ChatCompletionChunk, ChatRequest, JSONObject


class AsyncClient(ClientCore):
    """`knollm.Client` with `async` methods; same arguments (`http_client` is an `httpx.AsyncClient`)."""

    def __init__(self, config: ConfigInput = None, *, profile: str | None = None,
                 http_client: httpx.AsyncClient | None = None, catalog: Catalog | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(config, profile, catalog, env)
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=None)
        self._owns_http = http_client is None
        self.chat = _Chat(self)
        self.models = _Models(self)

    async def aclose(self) -> None:
        """`Client.close()`: the flush and the cache's close run in a thread, off the event loop."""
        await asyncio.to_thread(self.release)
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def complete(self, request: ChatRequest, strategy: str | None = None) -> ChatCompletion:
        run = self.start_run(request, strategy)
        while (step := run.next()) is not None:
            if step.wait_s > 0:
                await asyncio.sleep(step.wait_s)  # limits and backoff wait without blocking the event loop
            step.begin()
            try:
                completion = await self._send(step.candidate, request)
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

    async def _send(self, candidate: Candidate, request: ChatRequest) -> ChatCompletion:
        target = candidate.target
        adapter = ADAPTERS[target.api]
        try:
            response = await self._http.send(timed(adapter.build(request, target), target.timeout_s))
            await response.aread()
        except httpx.TransportError as exc:
            raise error_for_transport(exc, target) from None
        return adapter.parse(response, target)

    async def open_stream(self, candidate: Candidate, request: ChatRequest,
                          ) -> tuple[httpx.Response, AsyncIterator[ChatCompletionChunk]]:
        target = candidate.target
        adapter = ADAPTERS[target.api]
        try:
            response = await self._http.send(timed(adapter.build(request, target), target.timeout_s), stream=True)
        except httpx.TransportError as exc:
            raise error_for_transport(exc, target) from None
        try:
            await acheck_stream_response(response, target)
        except BaseException:
            await response.aclose()
            raise
        return response, adapter.achunks(aiter_events(response.aiter_lines()), target)


class AsyncChatStream:
    """`ChatStream` for `async for`; `knollm` is filled when the stream has ended."""

    def __init__(self, client: AsyncClient, request: ChatRequest, run: Run | None) -> None:
        self._client, self._request, self._route = client, request, run
        self.knollm: CallInfo | None = None
        self._response: httpx.Response | None = None
        self._chunks = self._run()

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return self._chunks

    async def __anext__(self) -> ChatCompletionChunk:
        return await self._chunks.__anext__()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._chunks.aclose()
        if self._response is not None:
            await self._response.aclose()

    async def _run(self) -> AsyncGenerator[ChatCompletionChunk, None]:
        run = self._route
        assert run is not None, "only replayed streams have no run, and they override _run"
        while (step := run.next()) is not None:
            if step.wait_s > 0:
                await asyncio.sleep(step.wait_s)
            step.begin()
            progress = StreamProgress(started=step.started)
            try:
                self._response, chunks = await self._client.open_stream(step.candidate, self._request)
                async for chunk in chunks:
                    progress.see(chunk)
                    yield chunk
                run.check_delivered(step, progress)
            except (ClientError, httpx.TransportError) as exc:
                if progress.delivered:
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
                    await self._response.aclose()
            self.knollm = run.succeeded(step, progress.usage, progress.ttft_s)
            self._client.notify(self.knollm)
            return
        error = run.final_error()
        self._client.notify_failure(self._request.model, error, run.attempts, run.started)
        raise error


class _Completions:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def create(self, *, model: str, messages: list[JSONObject], stream: Literal[False] = False,
                     **options: Any) -> ChatCompletion: ...

    @overload
    async def create(self, *, model: str, messages: list[JSONObject], stream: Literal[True],
                     **options: Any) -> AsyncChatStream: ...

    async def create(self, *, model: str, messages: list[JSONObject], stream: bool = False, **options: Any,
                     ) -> ChatCompletion | AsyncChatStream:
        """`Client.chat.completions.create`, awaited; `stream=True` returns an `AsyncChatStream`."""
        strategy = options.pop("strategy", None)
        request = request_from(model, messages, stream, options)
        if (cached := self._client._cache_lookup(request)) is not None:
            return await cached.aserve(self._client, request, strategy)
        if stream:
            return AsyncChatStream(self._client, request, self._client.start_run(request, strategy))
        return await self._client.complete(request, strategy)


class _Chat:
    def __init__(self, client: AsyncClient) -> None:
        self.completions = _Completions(client)


class _Models:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def list(self) -> list[Model]:
        """The catalog's models at providers that have a key configured (or need none)."""
        return self._client.callable_models()
