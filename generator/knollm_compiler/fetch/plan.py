"""Which listings to fetch and how: one `ListingPlan` per provider, from its provider file and the configuration.

A configuration (`knollm.toml`) may point a provider elsewhere (`base_url`, `models_path`), name its keys
(`keys = ["env:NAME"]`) and its auth header; else the provider file's `base_url`, `[listing]` and `auth.env_var`
are used. Keys become `Secret`s at once: nothing here can print one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from knollm.client.paged_listing import ListingRequest, Paging
from knollm.client.target import Secret
from knollm.config.keys import resolve_refs
from knollm.config.model import Config, ProviderSettings

from ..listing_spec import ListingSpec
from ..providers import ProviderSpec

UNSUPPORTED_AUTH = frozenset({"aws-sigv4", "google-oauth"})
"""Auth schemes that need request signing or OAuth flows: the fetcher sends plain key headers only."""


@dataclass(frozen=True, slots=True)
class ListingPlan:
    """Where one provider's listing is fetched. `skip` says why it is not (no endpoint, no key, ...)."""

    provider: str
    url: str = ""
    auth_header: str = "none"
    key: Secret | None = None
    headers: dict[str, str] = field(default_factory=dict)
    listing: ListingSpec = field(default_factory=ListingSpec)
    skip: str | None = None
    key_env: str | None = None
    """Where the key came from (`env:NAME`), for the summary; never the key."""

    def request(self) -> ListingRequest:
        """The plan as the client's `ListingRequest` (plain data: the runtime never reads compiler types)."""
        spec = self.listing
        paging = Paging(spec.pagination, spec.page_size_param, spec.page_size, spec.cursor_param, spec.cursor_field,
                        spec.more_field, spec.token_param, spec.token_field)
        return ListingRequest(self.provider, self.url, self.auth_header, self.key, dict(self.headers), paging)


def make_plans(specs: Mapping[str, ProviderSpec], config: Config | None, env: Mapping[str, str],
               only: list[str] | None = None) -> list[ListingPlan]:
    """A plan per provider (those named in `only`, else all), sorted by provider id."""
    chosen = sorted(specs) if not only else sorted(set(only))
    return [plan_for(pid, specs.get(pid), _settings(config, pid), env) for pid in chosen]


def _settings(config: Config | None, pid: str) -> ProviderSettings | None:
    return config.providers.get(pid) if config is not None else None


def plan_for(pid: str, spec: ProviderSpec | None, settings: ProviderSettings | None,
             env: Mapping[str, str]) -> ListingPlan:
    """The plan for one provider; a plan with `skip` set when it cannot or need not be fetched."""
    if spec is None:
        return ListingPlan(pid, skip="no provider file catalog/providers/<id>.toml")
    listing = spec.listing
    path = (settings.models_path if settings and settings.models_path else None) or listing.path or spec.models_path
    if path is None:
        return ListingPlan(pid, skip="no models endpoint declared")
    if spec.kind == "local" and not (settings and settings.base_url):
        return ListingPlan(pid, skip="a local server: set its base_url in the configuration to fetch it")
    base = str(settings.base_url) if settings and settings.base_url else (listing.base_url or spec.base_url)
    if "{" in base:
        return ListingPlan(pid, skip="base_url has placeholders; set base_url for it in the configuration")
    scheme = (settings.auth_header if settings and settings.auth_header else None) or listing.auth or spec.auth.header
    if scheme in UNSUPPORTED_AUTH:
        return ListingPlan(pid, skip=f"auth {scheme!r} needs request signing, which fetch does not do")
    header = f"custom:{spec.auth.header_name}" if scheme == "custom" else str(scheme)
    refs = list(settings.keys) if settings else []
    if spec.auth.env_var:
        refs.append(f"env:{spec.auth.env_var}")
    keys = resolve_refs(refs, env, provider_id=pid)
    key = keys[0] if keys else None
    url = base.rstrip("/") + "/" + path.lstrip("/")
    plan = ListingPlan(pid, url, header, key, dict(listing.headers), listing,
                       key_env=key.alias if key else None)
    if key is None and not (listing.public or header == "none"):
        wanted = ", ".join(refs) if refs else "a key in the configuration"
        return ListingPlan(pid, url, skip=f"no key (set {wanted})")
    return plan
