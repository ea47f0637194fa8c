"""The configuration's shape: pydantic models, strict about unknown keys, documented field by field.

The site's configuration reference is generated from these classes and their field docstrings, so a field
documented here is documented there. Money is exact: a price is a `Decimal` read from the file's own text
(`"0.10"` or `0.10` alike, see `sources`); a Python float is refused because it is not exact.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from ..vocab import CallableApiKind, ConfigAuthHeader, Strategy

ApiKind = CallableApiKind
"""The three request shapes Knollm speaks: OpenAI chat completions, Anthropic Messages, Gemini generateContent."""
AuthHeader = ConfigAuthHeader
"""How the key is sent: `Authorization: Bearer KEY`, or the named header, or not at all."""

ENV_PREFIX = "env:"
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SKIP_LITERAL_CHECK = "knollm_literal_keys_checked"
"""Validation-context flag: `load_config` has already reported literal keys one by one, with their lines."""


def _no_float(value: object) -> object:
    # A float has already lost the price's exact value (0.1 is 0.1000000000000000055...): refuse it rather than
    # guess. Files never produce floats here: `sources` reads numbers as Decimals from their text.
    if isinstance(value, float):
        raise ValueError("a price must be a string or a Decimal, not a float (floats are not exact)")
    return value


def _check_key_ref(value: str) -> str:
    if value.startswith(ENV_PREFIX) and not ENV_NAME.fullmatch(value[len(ENV_PREFIX):]):
        raise ValueError("an environment variable name after env: (letters, digits and _)")
    if not value.strip():
        raise ValueError("a non-empty key reference")
    return value


Money = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, allow_inf_nan=False)]
"""USD per million tokens, exact."""
KeyRef = Annotated[str, AfterValidator(_check_key_ref)]
"""`env:NAME`: the key is read from the environment variable NAME when the provider is used."""
ProviderId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
ModelId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*/\S+$")]
RouteName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


def is_literal_key(ref: str) -> bool:
    """True for a key written into the file itself rather than referenced by `env:NAME`."""
    return not ref.startswith(ENV_PREFIX)


_CREDENTIAL_HEADER = re.compile(r"authorization|key|token|secret", re.IGNORECASE)


def is_credential_header(name: str) -> bool:
    """True for a header that carries a credential (`Authorization`, `X-Api-Key`, `X-Auth-Token`, ...)."""
    return bool(_CREDENTIAL_HEADER.search(name))


def literal_secrets(provider: ProviderSettings) -> list[tuple[str, str | int]]:
    """The literal credentials of a provider as (field, index or header name): keys, then credential headers."""
    found: list[tuple[str, str | int]] = [("keys", i) for i, ref in enumerate(provider.keys) if is_literal_key(ref)]
    found += [("headers", name) for name, value in provider.headers.items()
              if is_credential_header(name) and is_literal_key(value)]
    return found


class _Strict(BaseModel):
    # hide_input_in_errors: a ValidationError's text would otherwise quote the input, literal keys included.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, hide_input_in_errors=True)


class KeyLimits(_Strict):
    """The rate limits of one key (`key_limits` of a provider)."""

    rpm: int | None = Field(None, gt=0)
    """Requests per minute for this key; unset: the provider's `rpm`."""
    tpm: int | None = Field(None, gt=0)
    """Tokens per minute for this key; unset: the provider's `tpm`."""


class ProviderSettings(_Strict):
    """`[providers.<id>]`: a catalog provider's settings, or a provider the catalog does not know.

    For a catalog provider every field is optional (the catalog's base URL, API kind and auth header are used);
    a new provider needs `base_url` and `api`.
    """

    base_url: HttpUrl | None = None
    """The API's base URL, e.g. `http://127.0.0.1:8101/v1` (requests go to `base_url` + the API's path)."""
    api: ApiKind | None = None
    """The request shape: `openai`, `anthropic` or `gemini`. Default: the catalog's `api_kind`."""
    keys: list[KeyRef] = []
    """API keys as `env:NAME` references, tried in order. A literal key is refused unless `allow_literal_keys`."""
    timeout_s: float = Field(60.0, gt=0)
    """Seconds to wait for a response (each attempt)."""
    auth_header: AuthHeader | None = None
    """How the key is sent. Default: the catalog's auth header, else `bearer`."""
    headers: dict[str, str] = {}
    """Extra HTTP headers sent with every request (e.g. `anthropic-version`). A value may be an `env:NAME`
    reference; a credential header (`Authorization`, or a name with `key`, `token` or `secret`) must be one unless
    `allow_literal_keys`. Values are never printed by `config check`."""
    models_path: str | None = None
    """Path of the model listing under `base_url` (default: the catalog's, else `/models`)."""
    rpm: int | None = Field(None, gt=0)
    """Requests per minute allowed for each key of this provider (held in every 60-second window, under
    concurrency); unset: no limit. `key_limits` sets it per key."""
    tpm: int | None = Field(None, gt=0)
    """Tokens per minute allowed for each key (estimated before a call, corrected by the returned usage)."""
    key_limits: dict[KeyRef, KeyLimits] = {}
    """Limits of single keys, by their reference: `key_limits = { "env:ALPHA_KEY_2" = { rpm = 10 } }`; they
    replace `rpm`/`tpm` for that key."""


class ModelSettings(_Strict):
    """`[models."<provider>/<model>"]`: a model the catalog lacks, or corrections to one it has.

    Prices are USD per million tokens, exact decimals; a price left out falls back to the catalog's.
    """

    context_window: int | None = Field(None, gt=0)
    """Context window in tokens."""
    max_output_tokens: int | None = Field(None, gt=0)
    """Largest completion in tokens."""
    input_per_mtok: Money | None = None
    """Price of a million input tokens, e.g. `"0.10"`."""
    output_per_mtok: Money | None = None
    """Price of a million output tokens."""
    cache_read_per_mtok: Money | None = None
    """Price of a million input tokens read from the provider's prompt cache."""
    cache_write_per_mtok: Money | None = None
    """Price of a million input tokens written to the provider's prompt cache."""


class Weights(_Strict):
    """How much each criterion counts for the `balanced` strategy (any non-negative numbers)."""

    cost: float = Field(0.5, ge=0)
    """Weight of the request's estimated cost."""
    latency: float = Field(0.3, ge=0)
    """Weight of the observed latency (health EWMA)."""
    success: float = Field(0.2, ge=0)
    """Weight of the observed failure rate."""


class Budget(_Strict):
    """Spending limits of a route, in USD, from estimated then actual cost."""

    daily_usd: Money | None = None
    """Most a route may spend per UTC day, e.g. `"5"`."""
    monthly_usd: Money | None = None
    """Most a route may spend per calendar month."""
    on_exceed: Literal["refuse", "downgrade"] = "refuse"
    """`refuse` raises `BudgetExceeded` before any call; `downgrade` picks the cheapest candidate that fits."""


class Route(_Strict):
    """`[routes.<name>]`: a name for a list of candidates (or a family), tried by a strategy
    (`model="<name>"`), with failover, retries, limits and a budget."""

    candidates: list[Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]] = Field([], min_length=1)
    """Global model ids (`provider/model-id`) or family ids, first choice first."""
    family: str | None = None
    """A family id instead of `candidates`: every offer of the family is a candidate."""
    strategy: Strategy = "ordered"
    """How candidates are ordered: `ordered` (as written), `cheapest`, `fastest`, `balanced`, `shuffle`, or any
    strategy named in `knollm.vocab.STRATEGIES`; `strategy=` in a call overrides it."""
    max_attempts: int | None = Field(None, ge=1, le=100)
    """Most requests sent for one call; unset: each usable candidate (and key) once. Above that, candidates are
    tried again after a backoff with full jitter (honouring `Retry-After`)."""
    timeout_s: float | None = Field(None, gt=0)
    """Seconds each attempt may take; unset: the provider's `timeout_s`."""
    deadline_s: float | None = Field(None, gt=0)
    """Seconds the whole call may take, waits and retries included; unset: no deadline."""
    weights: Weights = Weights()
    """Weights of the `balanced` strategy: `weights = { cost = 0.5, latency = 0.3, success = 0.2 }`."""
    budget: Budget | None = None
    """Spending limits: `budget = { daily_usd = "5", on_exceed = "downgrade" }`."""
    allow: list[ProviderId] = []
    """Only these providers may serve the route (empty: any)."""
    deny: list[ProviderId] = []
    """These providers never serve the route."""
    max_price_per_mtok: Money | None = None
    """Leave out candidates whose estimated cost of a request exceeds this, in USD per million tokens."""
    stop_on: list[Annotated[int, Field(ge=400, le=499)]] = [400, 413, 422]
    """HTTP statuses that stop the call instead of failing over (a request every provider would refuse)."""
    cache: bool = False
    """Serve repeated requests to this route from the response cache (see `[cache]`); `create(..., cache=False)`
    turns it off for one call."""

    @model_validator(mode="after")
    def _one_source(self) -> Route:
        if bool(self.candidates) == bool(self.family):
            raise ValueError("candidates = [...] or family = \"...\" (exactly one of them)")
        return self


class CacheSettings(_Strict):
    """`[cache]`: the response cache (SQLite). Used only by routes with `cache = true` and calls with
    `cache=True`; a request with `temperature` above 0 (or not set: most providers' default is 1) is never cached
    unless `cache_nondeterministic` allows it."""

    path: str | None = None
    """The SQLite file (default: `responses.sqlite` in the user cache directory, e.g. `~/.cache/knollm/`); a
    relative path is taken from the working directory."""
    ttl_s: float = Field(3600.0, gt=0)
    """Seconds an answer stays valid."""
    provider_ttl_s: dict[ProviderId, Annotated[float, Field(gt=0)]] = {}
    """Per-provider TTLs in seconds, by the id of the provider that answered (e.g. `{ alpha = 600 }`)."""
    cache_nondeterministic: bool = False
    """Also cache requests whose `temperature` is above 0 or not set (their answers vary from call to call)."""
    similarity: float | None = Field(None, gt=0, le=1)
    """Opt-in near-duplicate matching: serve a cached answer whose prompt has at least this word-shingle Jaccard
    similarity (e.g. 0.9) with the same model and parameters. Off by default; see the guide for when it is unsafe."""
    similarity_candidates: int = Field(200, gt=0, le=100_000)
    """How many of the newest entries with the same model and parameters the similarity match compares."""


class Analytics(_Strict):
    """`[analytics]`: record every call in a local SQLite usage store, read by `knollm usage report|dashboard`.

    Recording is on when this table is present (and `enabled` is not false); without it nothing is recorded.
    A record names the key by its alias (`env:NAME`), never the key; prompts and answers are never stored.
    """

    enabled: bool = True
    """Record calls. `false` keeps the table (and its budgets) but stops recording."""
    path: str | None = None
    """The SQLite file, e.g. `"usage.sqlite"` (relative to this file's directory). Default: `usage.sqlite` in the
    user data directory (`~/.local/share/knollm/` on Linux)."""
    budget_per_day_usd: Money | None = None
    """Spend per UTC day that `knollm usage report` checks, e.g. `"5.00"`; no budget when left out."""
    budget_per_month_usd: Money | None = None
    """Spend per calendar month (UTC) that `knollm usage report` checks."""
    alert_at: Decimal = Field(Decimal("0.8"), gt=0, le=1, allow_inf_nan=False)
    """Fraction of a budget at which the report warns (it alerts at 100%)."""


class Profile(_Strict):
    """`[profiles.<name>]`: changes to the top level, applied when the profile is chosen.

    Tables merge key by key (a profile's `[profiles.production.providers.alpha]` changes only the keys it names);
    lists and single values replace the top level's.
    """

    providers: dict[ProviderId, ProviderSettings] = {}
    """Provider settings to add or change."""
    models: dict[ModelId, ModelSettings] = {}
    """Model settings to add or change."""
    routes: dict[RouteName, Route] = {}
    """Routes to add or replace."""
    allow_literal_keys: bool | None = None
    """Overrides the top level's `allow_literal_keys`."""
    cache: CacheSettings | None = None
    """Response cache settings to change."""
    analytics: Analytics | None = None
    """Usage analytics settings to change (e.g. `enabled = false` in `testing`, another `path` in `production`)."""


class HealthSettings(_Strict):
    """`[health]`: where provider and key health (cooldowns, retired keys, latency) is kept."""

    path: str | None = None
    """A SQLite file shared by every process that names it (WAL mode); unset: kept in memory, per process."""


class Config(_Strict):
    """The whole configuration file (`knollm.toml`, `.json` or `.yaml`) after the chosen profile is applied.

    Immutable: `load_config()` (or `reload()`) builds a new one.
    """

    providers: dict[ProviderId, ProviderSettings] = {}
    """Providers by id: a catalog provider id, or a new one."""
    models: dict[ModelId, ModelSettings] = {}
    """Models by global id (`provider/model-id`)."""
    routes: dict[RouteName, Route] = {}
    """Routes by name: `model="chat"` tries the route's candidates in order."""
    profiles: dict[RouteName, Profile] = {}
    """Named sets of changes (`development`, `production`, `testing`, any name), chosen with `profile=`,
    `--profile` or `$KNOLLM_PROFILE`."""
    default_profile: str | None = None
    """The profile used when neither `profile=` nor `$KNOLLM_PROFILE` names one."""
    health: HealthSettings = HealthSettings()
    """Where health is kept (`[health] path = "..."`); read by `knollm health`."""
    allow_literal_keys: bool = False
    """Accept keys written into the file itself. Off by default: a file with keys in it gets copied, committed
    and pasted. Literal keys are never printed, not even their last characters."""
    analytics: Analytics | None = None
    """Usage analytics (`[analytics]`): where calls are recorded, and the budgets the usage report checks."""

    cache: CacheSettings = CacheSettings()
    """The response cache: where it lives and what it keeps."""

    _source: str | None = PrivateAttr(None)
    _profile: str | None = PrivateAttr(None)

    @property
    def source(self) -> str | None:
        """The file this configuration was read from (None: no file, or built in Python)."""
        return self._source

    @property
    def profile(self) -> str | None:
        """The profile that was applied, if any."""
        return self._profile

    @model_validator(mode="after")
    def _literal_keys(self, info: ValidationInfo) -> Config:
        # `load_config` reports each literal key with its file and line; this backstop covers a Config built
        # directly in Python.
        if self.allow_literal_keys or (info.context or {}).get(SKIP_LITERAL_CHECK):
            return self
        literal = sorted(pid for pid, p in self.providers.items() if literal_secrets(p))
        if literal:
            raise ValueError(f"literal API keys for {', '.join(literal)}: use env:NAME references "
                             "or set allow_literal_keys = true")
        return self
