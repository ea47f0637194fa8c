"""The configuration's shape: pydantic models, strict about unknown keys, documented field by field.

The site's configuration reference is generated from these classes and their field docstrings, so a field
documented here is documented there. Money is exact: a price is a `Decimal` read from the file's own text
(`"0.10"` or `0.10` alike, see `sources`); a Python float is refused because it is not exact.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

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

from ..vocab import CallableApiKind, ConfigAuthHeader

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


class Route(_Strict):
    """`[routes.<name>]`: a name for a list of candidates, tried in order (`model="<name>"`)."""

    candidates: list[Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]] = Field(min_length=1)
    """Global model ids (`provider/model-id`) or family ids, first choice first."""


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
    allow_literal_keys: bool = False
    """Accept keys written into the file itself. Off by default: a file with keys in it gets copied, committed
    and pasted. Literal keys are never printed, not even their last characters."""

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
