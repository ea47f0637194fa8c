"""A provider's effective connection settings: the configuration over the catalog's provider record.

`[providers.<id>]` overrides the catalog field by field; a provider the catalog lacks must bring `base_url` and
`api` itself. Without configured keys, a catalog provider falls back to its documented variable
(`auth.env_var`, e.g. `env:OPENAI_API_KEY`), so an exported key works without a configuration file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..records import Provider
from ..vocab import CALLABLE_API_KINDS
from .model import ApiKind, AuthHeader, ProviderSettings

CALLABLE_APIS: tuple[ApiKind, ...] = CALLABLE_API_KINDS
_CATALOG_AUTH: dict[str, AuthHeader] = {"bearer": "bearer", "x-api-key": "x-api-key", "api-key": "api-key",
                                        "x-goog-api-key": "x-goog-api-key", "none": "none"}
"""Catalog auth kinds the client can send; others (`aws-sigv4`, `google-oauth`, `custom`, ...) need `auth_header`."""
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_AUTH: dict[str, AuthHeader] = {"openai": "bearer", "anthropic": "x-api-key", "gemini": "x-goog-api-key"}
"""How each API expects its key when neither the configuration nor the catalog says."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to call one provider. Keys are still references (`env:NAME`); see `keys.resolve_keys`."""

    provider: str
    base_url: str
    api: ApiKind
    auth_header: AuthHeader
    keys: tuple[str, ...]
    timeout_s: float = DEFAULT_TIMEOUT_S
    models_path: str = "/models"
    headers: dict[str, str] = field(default_factory=dict)
    source: Literal["config", "catalog", "both"] = "both"


def _effective(settings: ProviderSettings, known: Provider | None) -> tuple[ApiKind | None, str | None,
                                                                          AuthHeader | None]:
    api = settings.api or (known.api_kind if known and known.api_kind in CALLABLE_APIS else None)
    base_url = settings.base_url or (known.base_url if known else None)
    if settings.auth_header or not (known and known.auth):
        return api, base_url, settings.auth_header or (DEFAULT_AUTH[api] if api else "bearer")
    return api, base_url, _CATALOG_AUTH.get(known.auth.header)


def missing_settings(settings: ProviderSettings | None, known: Provider | None) -> list[str]:
    """The settings (`api`, `base_url`, `auth_header`) neither the configuration nor the catalog supplies."""
    api, base_url, auth_header = _effective(settings or ProviderSettings(), known)
    return [name for name, value in (("api", api), ("base_url", base_url), ("auth_header", auth_header))
            if value is None]


def endpoint(provider_id: str, settings: ProviderSettings | None,
             catalog_provider: Provider | None) -> Endpoint | str:
    """The effective `Endpoint`, or why the provider cannot be called (a sentence that says what to set)."""
    if settings is None and catalog_provider is None:
        return f"{provider_id} is neither in the catalog nor in [providers]: add [providers.{provider_id}]"
    own, known = settings or ProviderSettings(), catalog_provider
    api, base_url, auth_header = _effective(own, known)
    if api is None or base_url is None or auth_header is None:
        why = f" (the catalog's API kind is {known.api_kind or 'unknown'})" if known else ""
        return f"{provider_id} needs {', '.join(missing_settings(own, known))} in [providers.{provider_id}]{why}"
    keys = tuple(own.keys)
    if not keys and known and known.auth and known.auth.env_var:
        keys = (f"env:{known.auth.env_var}",)
    source: Literal["config", "catalog", "both"] = "both" if settings and known else "config" if settings else "catalog"
    models_path = own.models_path or (known.models_path if known else None) or "/models"
    return Endpoint(provider_id, base_url.rstrip("/"), api, auth_header, keys, own.timeout_s, models_path,
                    dict(own.headers), source)
