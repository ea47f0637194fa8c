"""The client's side of the response cache (`knollm.cache`): which calls use it, the lookup before a call and the
store after a successful one. `create()` asks `ClientCore._cache_lookup()` first; None means the cache plays no
part in the call (the common case costs one dict lookup), a `CachePlan` serves it.

Policy: a call uses the cache when it says `cache=True`, or when its route says `cache = true` and the call does
not say `cache=False`. A request whose answer varies from call to call is never cached: `temperature` above 0, or
not set (most providers' default is 1), unless `[cache] cache_nondeterministic = true`; `n` above 1 likewise.
A cache that cannot be used (unreadable file, disk full) is logged and the call goes to the provider.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .records import CallInfo
from .types import ChatCompletion, ChatRequest

if TYPE_CHECKING:
    from ..cache.key import RequestKey
    from ..cache.store import Entry, ResponseCache
    from ..config import Config
    from ..config.model import CacheSettings
    from .aio import AsyncChatStream, AsyncClient
    from .sync import ChatStream, Client

log = logging.getLogger("knollm.cache")

HIT_NOTE = "served from the response cache: no provider was called"


def refusal(request: ChatRequest, settings: CacheSettings) -> str | None:
    """Why `request` must not be cached under `settings` (None: it may be)."""
    n = request.extra.get("n")
    if isinstance(n, int) and not isinstance(n, bool) and n > 1:
        return "n > 1 asks for several different answers"
    if settings.cache_nondeterministic:
        return None
    if request.temperature is None:
        return "temperature is not set (most providers default to 1): set temperature=0 or cache_nondeterministic"
    if request.temperature > 0:
        return f"temperature {request.temperature} > 0 (allow with cache_nondeterministic)"
    return None


class CacheGate:
    """Opens the cache file on first use (one per settings: a reloaded configuration may name another file)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: tuple[CacheSettings, ResponseCache] | None = None

    def plan(self, config: Config, request: ChatRequest) -> CachePlan | None:
        route = config.routes.get(request.model)
        wanted = request.cache if request.cache is not None else route is not None and route.cache
        if not wanted:
            return None
        reason = refusal(request, config.cache)
        if reason is not None:
            log.debug("not cached: %s", reason)
            return None
        import sqlite3

        from ..cache.key import request_key
        from ..cache.store import CacheError

        started = time.perf_counter()
        try:
            key = request_key(request, [request.model, route.candidates if route is not None else None])
            cache = self.cache(config.cache)
            return CachePlan(cache, key, cache.lookup(key), started)
        except CacheError as exc:  # names the file and the cause; the call still goes out
            log.warning("response cache not used: %s", exc)
        except (sqlite3.Error, RecursionError, ValueError) as exc:  # also a request too deep or odd to key
            log.warning("response cache not used: %s", type(exc).__name__)
        return None

    def cache(self, settings: CacheSettings) -> ResponseCache:
        """The open cache for `settings`."""
        from ..cache.store import ResponseCache

        with self._lock:
            if self._open is None or self._open[0] != settings:
                self._open = (settings, ResponseCache(
                    settings.path, ttl_s=settings.ttl_s, provider_ttl_s=settings.provider_ttl_s,
                    similarity=settings.similarity, similarity_candidates=settings.similarity_candidates))
            return self._open[1]

    def close(self) -> None:
        """Close the open cache file, if any (a later call opens it again)."""
        with self._lock:
            found, self._open = self._open, None
        if found is not None:
            found[1].close()


@dataclass(slots=True)
class CachePlan:
    """One cached call: the key, the entry found (None: a miss) and when the lookup started."""

    cache: ResponseCache
    key: RequestKey
    entry: Entry | None
    started: float

    def hit(self, request: ChatRequest) -> ChatCompletion | None:
        """The cached answer with its `.knollm` record (None: a miss, or an entry that cannot be read back)."""
        if self.entry is None:
            return None
        from ..cache.codec import BadEntry, decode

        try:
            completion = decode(self.entry.response)
        except BadEntry:
            self._safely(self.cache.forget, self.key)
            return None
        return replace(completion, knollm=self.info(request))

    def info(self, request: ChatRequest, ttft_s: float | None = None) -> CallInfo:
        entry = self.entry
        assert entry is not None
        return CallInfo(provider=entry.provider, model_id=entry.model[len(entry.provider) + 1:], model=entry.model,
                        family=entry.family, key_alias=None, attempts=(),
                        latency_s=round(time.perf_counter() - self.started, 6),
                        ttft_s=None if ttft_s is None else round(ttft_s, 6), cost=None, cost_note=HIT_NOTE,
                        requested=request.model, cache_hit=True)

    def serve(self, client: Client, request: ChatRequest, strategy: str | None = None) -> ChatCompletion | ChatStream:
        from .caching_streams import RecordingChatStream, ReplayChatStream

        cached = self.hit(request)
        if request.stream:
            if cached is not None:
                return ReplayChatStream(client, request, cached, self)
            return RecordingChatStream(client, request, client.start_run(request, strategy), self)
        if cached is None:
            return self.keep(client.complete(request, strategy))
        if isinstance(cached.knollm, CallInfo):  # a hit is a call too: usage analytics records it (`cache_hit`)
            client.notify(cached.knollm)
        return cached

    async def aserve(self, client: AsyncClient, request: ChatRequest,
                     strategy: str | None = None) -> ChatCompletion | AsyncChatStream:
        from .caching_streams import AsyncRecordingChatStream, AsyncReplayChatStream

        cached = self.hit(request)
        if request.stream:
            if cached is not None:
                return AsyncReplayChatStream(client, request, cached, self)
            return AsyncRecordingChatStream(client, request, client.start_run(request, strategy), self)
        if cached is None:
            return self.keep(await client.complete(request, strategy))
        if isinstance(cached.knollm, CallInfo):
            client.notify(cached.knollm)
        return cached

    def keep(self, completion: ChatCompletion, info: object | None = None) -> ChatCompletion:
        """Store a successful answer (not an empty or filtered one); returns it unchanged."""
        info = info if info is not None else completion.knollm
        finished = [c.finish_reason for c in completion.choices]
        if isinstance(info, CallInfo) and finished and "content_filter" not in finished:
            from ..cache.codec import encode

            self._safely(self.cache.store, self.key, info.provider, info.model, info.family, encode(completion))
        return completion

    def _safely(self, action: Any, *args: object) -> None:
        import sqlite3

        try:
            action(*args)
        except sqlite3.Error as exc:  # a full disk or a locked file must not fail a call that succeeded
            log.warning("response cache not updated: %s", type(exc).__name__)
