"""What `Client` and `AsyncClient` share, apart from I/O: the catalog, the configuration and its resolver
(swapped whole by `reload_config()`), the candidates of a request, and the models a client can call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..catalog import Catalog
from ..records import Model
from ..router.adaptive import process_scorer
from ..router.attempts import Run, start_run
from ..router.budget import ConfiguredBudgets
from ..router.route import Router
from .errors import NoCandidate
from .resolve import Candidate, Resolution, Resolver
from .settings import ConfigInput, load_settings, reload_settings
from .types import ChatRequest

if TYPE_CHECKING:
    from ..config import Config


class ClientCore:
    """The no-I/O half of a client. One instance serves many threads: calls read `resolver` once, and
    `reload_config()` replaces it in one assignment, so calls in flight keep the configuration they started with."""

    def __init__(self, config: ConfigInput, profile: str | None, catalog: Catalog | None,
                 env: Mapping[str, str] | None) -> None:
        self._env = env
        self._catalog = catalog if catalog is not None else Catalog.load()
        self._resolver = Resolver(self._catalog, load_settings(config, profile, env), env)
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

    def resolve(self, model: str) -> Resolution:
        """The candidates a `model=` value resolves to, and why others were left out (no request is sent)."""
        return self._resolver.resolve(model)

    def candidates(self, request: ChatRequest) -> list[Candidate]:
        """The candidates of a request, in order; `NoCandidate` (with every reason) when none can be called."""
        resolution = self._resolver.resolve(request.model)
        if not resolution.candidates:
            raise NoCandidate(request.model, resolution.reasons or {request.model: "nothing matches"})
        return resolution.candidates

    def start_run(self, request: ChatRequest, strategy: str | None = None) -> Run:
        """The routed attempts of a request (`knollm.router.attempts.Run`); `strategy` overrides the route's."""
        return start_run(self.router, self._resolver, request, strategy)

    def callable_models(self) -> list[Model]:
        """The catalog's models at providers that have a key configured (or need none)."""
        resolver = self._resolver
        usable = {p.id for p in resolver.catalog.providers() if not isinstance(resolver.candidate(p.id, "-"), str)}
        return [m for m in resolver.catalog.models if m.provider in usable]

    def __repr__(self) -> str:
        providers = ", ".join(sorted(self._resolver.config.providers)) or "catalog only"
        return f"<knollm.{type(self).__name__} providers: {providers}>"
