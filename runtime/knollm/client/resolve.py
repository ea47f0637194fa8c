"""From `model=` to candidates: a route name, a global id `provider/model-id` or a family id becomes an ordered
list of concrete targets, each with its key and its price record; anything unusable is named with the reason.

This is the "resolve candidates" step of every call (resolve → pick → attempt → record); the router picks
among the candidates, this module only finds them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import NotFound
from ..records import TOKEN_PRICES, Model, Pricing, Provider
from .target import Secret, Target

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config.model import Config, ModelSettings

CACHE_LIMIT = 10_000
"""Most `model=` values a resolver remembers (one per distinct value a program uses, normally a handful)."""


@dataclass(slots=True, frozen=True)
class Candidate:
    """One place that can answer: where to send (`target`, with its key) and what it costs (`model`)."""

    target: Target
    model: Model | None
    """The catalog's record, with the configuration's corrections; None when neither knows the model."""
    keys: tuple[Secret, ...] = ()
    """Every key available for the provider (the target uses the first; the router rotates them)."""
    models_path: str = "/models"
    """Path of the provider's model listing under the base URL (`knollm providers check`)."""

    @property
    def id(self) -> str:
        return f"{self.target.provider}/{self.target.model_id}"


@dataclass(slots=True)
class Resolution:
    """The candidates for one `model=` value, in order, and why each unusable one was left out."""

    requested: str
    candidates: list[Candidate] = dataclasses.field(default_factory=list)
    reasons: dict[str, str] = dataclasses.field(default_factory=dict)


class Resolver:
    """Resolves `model=` values against one catalog and one configuration (both immutable)."""

    def __init__(self, catalog: Catalog, config: Config, env: Mapping[str, str] | None = None) -> None:
        self.catalog = catalog
        self.config = config
        self.env = os.environ if env is None else env
        self._cache: dict[str, Resolution] = {}

    def resolve(self, requested: str) -> Resolution:
        """Candidates for a route name, a global id or a family id (routes first: they are the user's names).

        Answers are kept for the resolver's life: the catalog and the configuration are immutable, and key
        variables are read once (`Client.reload_config()` makes a new resolver, which reads them again)."""
        known = self._cache.get(requested)
        if known is not None:
            return known
        found = _sharing_secrets(self._resolve(requested))
        if len(self._cache) < CACHE_LIMIT:
            self._cache[requested] = found  # one atomic store: safe when threads race to fill it
        return found

    def _resolve(self, requested: str) -> Resolution:
        found = Resolution(requested)
        route = self.config.routes.get(requested)
        refs = (route.candidates or [route.family or ""]) if route is not None else [requested]
        for ref in refs:
            self._add(found, ref)
        return found

    def _add(self, found: Resolution, ref: str) -> None:
        provider_id, _, model_id = ref.partition("/")
        if model_id and (provider_id in self.config.providers or self._catalog_provider(provider_id)):
            self._keep(found, ref, self.candidate(provider_id, model_id))
            return
        try:
            family = self.catalog.family(ref)
        except NotFound as exc:
            found.reasons[ref] = f"not a route, a provider/model id or a family: {exc}"
            return
        offers = self.catalog.offers(family)
        if not offers:
            found.reasons[ref] = "the family has no regular offer"
        for offer in offers:
            self._keep(found, offer.id, self.candidate(offer.provider, offer.model_id))

    @staticmethod
    def _keep(found: Resolution, ref: str, outcome: Candidate | str) -> None:
        if isinstance(outcome, str):
            found.reasons[ref] = outcome
        elif all(c.id != outcome.id for c in found.candidates):
            found.candidates.append(outcome)

    def _catalog_provider(self, provider_id: str) -> Provider | None:
        try:
            return self.catalog.provider(provider_id)
        except NotFound:
            return None

    def candidate(self, provider_id: str, model_id: str) -> Candidate | str:
        """The candidate for one provider's model, or the reason it cannot be called."""
        from ..config.endpoint import endpoint
        from ..config.keys import resolve_headers, resolve_refs

        point = endpoint(provider_id, self.config.providers.get(provider_id), self._catalog_provider(provider_id))
        if isinstance(point, str):
            return point
        keys = resolve_refs(point.keys, self.env, provider_id=provider_id)
        if point.auth_header != "none" and not keys:
            where = f"[providers.{provider_id}] in knollm.toml"
            named = ", ".join(point.keys)
            return (f"no key: set {named}" if named else "no key") + f", or add keys = [\"env:NAME\"] under {where}"
        settings = self.config.providers.get(provider_id)
        headers = resolve_headers(settings, self.env) if settings is not None else {}
        target = Target(provider_id, model_id, point.base_url, point.api, point.auth_header,
                        keys[0] if keys else None, point.timeout_s, headers)
        return Candidate(target, self._model(provider_id, model_id), tuple(keys), point.models_path)

    def _model(self, provider_id: str, model_id: str) -> Model | None:
        """The catalog's record of the model with the configuration's corrections applied (or built from them)."""
        global_id = f"{provider_id}/{model_id}"
        # `in` first: `get` on an unknown id computes "did you mean" suggestions, which a call does not need.
        model = self.catalog.get(global_id) if global_id in self.catalog else None
        settings = self.config.models.get(global_id)
        return _corrected(model, settings, provider_id, model_id) if settings is not None else model


def _corrected(model: Model | None, settings: ModelSettings, provider_id: str, model_id: str) -> Model:
    # A price comes whole from one source: configured prices replace the catalog's record, never patch it.
    configured = Pricing(input_per_mtok=settings.input_per_mtok, output_per_mtok=settings.output_per_mtok,
                         cache_read_per_mtok=settings.cache_read_per_mtok,
                         cache_write_per_mtok=settings.cache_write_per_mtok)
    has_prices = any(getattr(configured, name) is not None for name in TOKEN_PRICES)
    context = settings.context_window if settings.context_window is not None else (
        model.context_window if model else None)
    max_output = settings.max_output_tokens if settings.max_output_tokens is not None else (
        model.max_output_tokens if model else None)
    if model is None:
        return Model(id=f"{provider_id}/{model_id}", provider=provider_id, model_id=model_id, kind="chat",
                     context_window=context, max_output_tokens=max_output,
                     pricing=configured if has_prices else None, sources=("config",))
    return dataclasses.replace(model, pricing=configured if has_prices else model.pricing, context_window=context,
                               max_output_tokens=max_output)


def _sharing_secrets(found: Resolution) -> Resolution:
    """Each candidate's target also masks the other candidates' keys in its errors."""
    keys = tuple({id(k): k for c in found.candidates for k in c.keys}.values())
    for i, candidate in enumerate(found.candidates):
        others = tuple(k for k in keys if k not in candidate.keys)
        if others:
            target = dataclasses.replace(candidate.target, also_redact=others)
            found.candidates[i] = dataclasses.replace(candidate, target=target)
    return found
