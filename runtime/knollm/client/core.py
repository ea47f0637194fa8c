"""What `Client` and `AsyncClient` share, apart from I/O: the catalog, the configuration and its resolver
(swapped whole by `reload_config()`), the candidates of a request, and the models a client can call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..catalog import Catalog
from ..records import Model
from ..router.adaptive import process_scorer
from ..router.attempts import Run, start_run
from ..router.budget import ConfiguredBudgets
from ..router.route import Router
from .caching import CacheGate, CachePlan
from .calls import failure_record
from .errors import ClientError, NoCandidate
from .records import Attempt, CallFailure, CallInfo
from .resolve import Candidate, Resolution, Resolver
from .settings import ConfigInput, load_settings, reload_settings
from .types import ChatRequest

if TYPE_CHECKING:
    from ..config import Config

Observer = Callable[[CallInfo | CallFailure], None]
"""Called with every finished call's `CallInfo`, or a `CallFailure` when no candidate answered."""
log = logging.getLogger("knollm.client")


class ClientCore:
    """The no-I/O half of a client. One instance serves many threads: calls read `resolver` once, and
    `reload_config()` replaces it in one assignment, so calls in flight keep the configuration they started with."""

    def __init__(self, config: ConfigInput, profile: str | None, catalog: Catalog | None,
                 env: Mapping[str, str] | None) -> None:
        self._env = env
        self._catalog = catalog if catalog is not None else Catalog.load()
        self._resolver = Resolver(self._catalog, load_settings(config, profile, env), env)
        self._cache_gate = CacheGate()
        self.observers: list[Observer] = _default_observers(self._resolver.config)
        """Callables told of every finished call (usage analytics when `[analytics]` is configured)."""
        self.router = Router(budget=ConfiguredBudgets(lambda: self.config), scorer=process_scorer())
        """Plans and records calls (`knollm.router.route.Router`): set `router.budget`, `router.scorer`, or a
        router with its own health store."""

    @property
    def config(self) -> Config:
        """The configuration in force (a `knollm.config.Config`)."""
        return self._resolver.config

    @property
    def resolver(self) -> Resolver:
        """The resolver in force (catalog, configuration and key variables); replaced by `reload_config()`."""
        return self._resolver

    def reload_config(self) -> None:
        """Read the configuration file again; calls already in flight keep the configuration they started with."""
        self._resolver = Resolver(self._catalog, reload_settings(self._resolver.config, self._env), self._env)
        # `[analytics]` may have changed: the usage recorder follows the file, other observers stay.
        kept = [o for o in self.observers if type(o).__name__ != "UsageRecorder"]
        self.observers[:] = kept + _default_observers(self._resolver.config)

    def resolve(self, model: str) -> Resolution:
        """The candidates a `model=` value resolves to, and why others were left out (no request is sent)."""
        return self._resolver.resolve(model)

    def candidates(self, request: ChatRequest) -> list[Candidate]:
        """The candidates of a request, in order; `NoCandidate` (with every reason) when none can be called."""
        resolution = self._resolver.resolve(request.model)
        if not resolution.candidates:
            raise NoCandidate(request.model, resolution.reasons or {request.model: "nothing matches"})
        return resolution.candidates

    def _cache_lookup(self, request: ChatRequest) -> CachePlan | None:
        """None when the response cache is not used for this request; else the plan that serves it (a hit, or a
        call whose answer is stored)."""
        return self._cache_gate.plan(self._resolver.config, request)
    def start_run(self, request: ChatRequest, strategy: str | None = None) -> Run:
        """The routed attempts of a request (`knollm.router.attempts.Run`); `strategy` overrides the route's."""
        return start_run(self.router, self._resolver, request, strategy)

    def callable_models(self) -> list[Model]:
        """The catalog's models at providers that have a key configured (or need none)."""
        resolver = self._resolver
        usable = {p.id for p in resolver.catalog.providers() if not isinstance(resolver.candidate(p.id, "-"), str)}
        return [m for m in resolver.catalog.models if m.provider in usable]

    def notify(self, event: CallInfo | CallFailure) -> None:
        """Tell every observer; an observer that fails is logged and never fails the call."""
        for observer in self.observers:
            try:
                observer(event)
            except Exception as exc:
                log.warning("call observer %s failed: %s", type(observer).__name__, type(exc).__name__)

    def notify_failure(self, requested: str, error: ClientError, attempts: list[Attempt], started: float) -> None:
        """Tell every observer that no candidate answered (`started`: the call's `perf_counter()`)."""
        if self.observers:
            self.notify(failure_record(requested, error, attempts, started))

    def release(self) -> None:
        """What `close()`/`aclose()` do besides closing HTTP: write the usage records still queued (observers with a
        `flush()`) and close the response cache's SQLite file. Never raises: closing must not fail."""
        for observer in self.observers:
            flush = getattr(observer, "flush", None)
            if callable(flush):
                try:
                    flush()
                except Exception as exc:
                    log.warning("call observer %s not flushed: %s", type(observer).__name__, type(exc).__name__)
        try:
            self._cache_gate.close()
        except Exception as exc:  # sqlite3.Error on a file gone bad: the call results are already out
            log.warning("response cache not closed: %s", type(exc).__name__)

    def __repr__(self) -> str:
        providers = ", ".join(sorted(self._resolver.config.providers)) or "catalog only"
        return f"<knollm.{type(self).__name__} providers: {providers}>"


def _default_observers(config: Config) -> list[Observer]:
    settings = config.analytics
    if settings is None or not settings.enabled:
        return []
    from ..analytics.recorder import recorder_for  # only for clients that record

    return [recorder_for(config)]
