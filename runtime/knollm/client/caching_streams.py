"""Streams and the response cache: a hit replayed as a stream (OpenAI-shaped chunks, a word at a time), and a
miss whose final text is stored once the stream has ended normally (a stream the caller stops early, one that
fails, and one that calls tools are not stored)."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..cache.codec import from_stream, replay
from ..router.attempts import Run
from .aio import AsyncChatStream, AsyncClient
from .sync import ChatStream, Client
from .types import ChatCompletion, ChatCompletionChunk, ChatRequest, FinishReason, Usage

if TYPE_CHECKING:
    from .caching import CachePlan


@dataclass(slots=True)
class _Collected:
    """What a stream added up to, for the cache."""

    first: ChatCompletionChunk | None = None
    text: list[str] = field(default_factory=list)
    finish: FinishReason | None = None
    usage: Usage | None = None
    tools: bool = False

    def see(self, chunk: ChatCompletionChunk) -> None:
        self.first = self.first or chunk
        self.usage = chunk.usage or self.usage
        for choice in chunk.choices:
            self.text.append(choice.delta.content or "")
            self.finish = choice.finish_reason or self.finish
            self.tools = self.tools or bool(choice.delta.tool_calls)

    def completion(self) -> ChatCompletion | None:
        if self.first is None or self.tools:
            return None
        first = self.first
        return from_stream(first.id, first.model, first.created, "".join(self.text), self.finish, self.usage)


class ReplayChatStream(ChatStream):
    """A cached answer as a `ChatStream`; `knollm.cache_hit` is True."""

    def __init__(self, client: Client, request: ChatRequest, cached: ChatCompletion, plan: CachePlan) -> None:
        self._cached, self._plan = cached, plan
        super().__init__(client, request, None)  # replayed: no provider is called

    def _run(self) -> Generator[ChatCompletionChunk, None, None]:
        ttft: float | None = None
        for chunk in replay(self._cached):
            if ttft is None and any(c.delta.content for c in chunk.choices):
                ttft = time.perf_counter() - self._plan.started
            yield chunk
        self.knollm = self._plan.info(self._request, ttft)
        self._client.notify(self.knollm)


class RecordingChatStream(ChatStream):
    """A `ChatStream` whose answer is stored in the cache when it ends normally."""

    def __init__(self, client: Client, request: ChatRequest, run: Run, plan: CachePlan) -> None:
        self._plan = plan
        super().__init__(client, request, run)

    def _run(self) -> Generator[ChatCompletionChunk, None, None]:
        collected = _Collected()
        for chunk in super()._run():
            collected.see(chunk)
            yield chunk
        completion = collected.completion()
        if completion is not None:
            self._plan.keep(completion, self.knollm)


class AsyncReplayChatStream(AsyncChatStream):
    """`ReplayChatStream` for `async for`."""

    def __init__(self, client: AsyncClient, request: ChatRequest, cached: ChatCompletion, plan: CachePlan) -> None:
        self._cached, self._plan = cached, plan
        super().__init__(client, request, None)  # replayed: no provider is called

    async def _run(self) -> AsyncGenerator[ChatCompletionChunk, None]:
        ttft: float | None = None
        for chunk in replay(self._cached):
            if ttft is None and any(c.delta.content for c in chunk.choices):
                ttft = time.perf_counter() - self._plan.started
            yield chunk
        self.knollm = self._plan.info(self._request, ttft)
        self._client.notify(self.knollm)


class AsyncRecordingChatStream(AsyncChatStream):
    """`RecordingChatStream` for `async for`."""

    def __init__(self, client: AsyncClient, request: ChatRequest, run: Run,
                 plan: CachePlan) -> None:
        self._plan = plan
        super().__init__(client, request, run)

    async def _run(self) -> AsyncGenerator[ChatCompletionChunk, None]:
        collected = _Collected()
        async for chunk in super()._run():
            collected.see(chunk)
            yield chunk
        completion = collected.completion()
        if completion is not None:
            self._plan.keep(completion, self.knollm)
