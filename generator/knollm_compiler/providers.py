"""Authored provider registry: `catalog/providers/<id>.toml`, one strict file per provider."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .authored import load_authored
from .bundle_vocab import ApiKind, AuthHeader, AuthoredProviderKind
from .listing_spec import ListingSpec
from .problems import Problem, Severity

PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL = re.compile(r"^https?://[^\s]+$")
NOT_IN_BUNDLE: set[str] = {"auth", "listing", "redistribute"}
"""Provider-file fields the bundle's provider record does not take as they are: `auth` is copied on its own;
`listing` and `redistribute` are for `knollm-build fetch` and the refresh workflow only."""
FACT_NAMES = frozenset(
    {"homepage", "docs_url", "kind", "api_kind", "base_url", "models_path", "free_tier", "notes", "auth"}
)


class AuthSpec(BaseModel):
    """How a client authenticates."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    env_var: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    """Conventional environment variable that holds the API key (never the key itself)."""
    header: AuthHeader
    """How the key is sent: `bearer` is `Authorization: Bearer <key>`, `token` is `Authorization: Token <key>`,
    `authorization-raw` is the bare key in `Authorization`, `custom` is the header named in `header_name`."""
    header_name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9-]*$")
    """The header carrying the key when `header` is `custom` (e.g. `xi-api-key`)."""

    @model_validator(mode="after")
    def _custom_names_its_header(self) -> AuthSpec:
        if (self.header == "custom") != (self.header_name is not None):
            raise ValueError("header_name is required with header = 'custom' and allowed only then")
        return self


class ProviderSpec(BaseModel):
    """One provider, as authored in `catalog/providers/<id>.toml`. The file name is the id."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    name: str = Field(min_length=1, max_length=80)
    """Display name."""
    homepage: str = Field(pattern=URL.pattern)
    """Home page."""
    docs_url: str = Field(pattern=URL.pattern)
    """API documentation."""
    kind: AuthoredProviderKind
    """First-party lab serving its own models, host of third-party models, router/gateway, or local server."""
    api_kind: ApiKind
    """API dialect."""
    base_url: str = Field(pattern=URL.pattern)
    """API base URL; may contain `{placeholders}` such as `{region}`."""
    models_path: str | None = Field(default=None, pattern=r"^/[^\s]*$")
    """Model-listing path relative to `base_url`; absent when there is none."""
    free_tier: bool
    """Whether an API user can use it for free in some form."""
    notes: str | None = Field(default=None, max_length=500)
    """Plain-text notes, facts only."""
    aliases: list[str] = []
    """Names other catalogs use for this provider (e.g. LiteLLM's `litellm_provider` values)."""
    auth: AuthSpec
    """Authentication."""
    sources: dict[str, str]
    """Fact name -> URL backing it. Must back at least `base_url` and `auth`."""
    listing: ListingSpec = ListingSpec()
    """How `knollm-build fetch` fetches the model listing (endpoint, auth, pagination); OpenAI-shaped by default."""
    redistribute: bool = False
    """Whether the provider's terms allow publishing its raw listing: the refresh workflow commits fetched
    snapshots only of providers that say true (unknown terms: false)."""

    @field_validator("sources")
    @classmethod
    def _sources_name_facts(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - FACT_NAMES)
        if unknown:
            raise ValueError(f"sources names unknown facts {unknown}; allowed: {sorted(FACT_NAMES)}")
        missing = sorted({"base_url", "auth"} - set(value))
        if missing:
            raise ValueError(f"sources must back {missing}")
        bad = sorted(k for k, url in value.items() if not URL.match(url))
        if bad:
            raise ValueError(f"sources {bad} are not http(s) URLs")
        return value

    @model_validator(mode="after")
    def _local_only_over_http(self) -> ProviderSpec:
        plain_http = self.base_url.startswith("http://") or (self.listing.base_url or "").startswith("http://")
        if plain_http and self.kind not in ("local", "aggregator"):
            raise ValueError("base_url must be https unless the provider is a local or self-hosted server")
        return self


def load_provider_specs(directory: Path) -> tuple[dict[str, ProviderSpec], list[Problem]]:
    """Load every `<id>.toml` below `directory`; collect all problems instead of stopping at the first."""
    specs: dict[str, ProviderSpec] = {}
    problems: list[Problem] = []
    aliases_seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        pid = path.stem
        where = f"catalog/providers/{path.name}"
        if not PROVIDER_ID.match(pid):
            problems.append(Problem(where, pid, "$", "file name must be a provider id: [a-z0-9-]", Severity.REJECTED))
            continue
        spec, found = load_authored(path, ProviderSpec, where, pid)
        if spec is None:
            problems += found
            continue
        for alias in spec.aliases:
            owner = aliases_seen.setdefault(alias, pid)
            if owner != pid:
                problems.append(
                    Problem(where, pid, "aliases", f"alias {alias!r} is already used by {owner}", Severity.REJECTED)
                )
        specs[pid] = spec
    return specs, problems


def provider_spec_schema() -> dict[str, object]:
    """JSON Schema for editor completion of provider files."""
    schema = ProviderSpec.model_json_schema()
    schema["title"] = "Knollm provider file (catalog/providers/<id>.toml)"
    return schema
