"""Strict pydantic models of the bundle. `catalog.schema.json` is generated from `Bundle`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

from .bundle_vocab import AuthHeader, Kind, Modality, ProviderKind, Variant
from .library_records import Library
from .report_records import Report
from .strict import Strict

SCHEMA_VERSION = "1.2"
"""1.1: fields equal to their default (null, empty, false) are left out of the JSON, and `provenance` is
written grouped by source. Readers of 1.0 that use defaults for missing keys read 1.1 unchanged.
1.2: `Pricing` gains prices beyond tokens (`image_prices`, audio per hour and per audio token, `per_mchar`,
`per_kquery`, `web_search_per_k`); `Model` gains `price_flags`, `aliases` and `variant`; the bundle gains
`source_dates`; the report gains price agreement, unit evidence, outliers, duplicates and superseded values.
All optional, so 1.1 readers that ignore unknown keys read 1.2."""

def _group_by_source(provenance: dict[str, str]) -> dict[str, str]:
    """`{field: source}` -> `{source: "field,field"}`: a fraction of the JSON values, for fast loading."""
    grouped: dict[str, list[str]] = {}
    for name, source in sorted(provenance.items()):
        grouped.setdefault(source, []).append(name)
    return {source: ",".join(names) for source, names in sorted(grouped.items())}


Provenance = Annotated[dict[str, str], PlainSerializer(_group_by_source, return_type=dict[str, str], when_used="json")]
"""In memory: dotted field path -> source tag. In JSON: source tag -> comma-separated field paths."""

Money = Annotated[Decimal, Field(ge=0), PlainSerializer(lambda d: format(d.copy_abs() if d.is_zero() else d, "f"),
                                                     return_type=str, when_used="json")]
"""USD, exact; serialised as a decimal string (negative zero as `0`)."""


class PriceTier(Strict):
    """Prices that apply once the prompt is longer than `above_input_tokens`."""

    above_input_tokens: int = Field(ge=0)
    """The tier starts after this many input tokens."""
    input_per_mtok: Money | None = None
    """USD per million input tokens in this tier."""
    output_per_mtok: Money | None = None
    """USD per million output tokens in this tier."""
    cache_read_per_mtok: Money | None = None
    """USD per million cached input tokens in this tier."""
    cache_write_per_mtok: Money | None = None
    """USD per million tokens written to the cache in this tier."""


class ImagePrice(Strict):
    """The price of one generated image of a given size and quality."""

    size: str | None = None
    """Width x height in pixels (`1024x1024`), or `max` (the largest the model makes); None when the price does
    not depend on it."""
    quality: str | None = None
    """Quality or step setting as the source names it (`hd`, `standard`, `low`, `50-steps`); None when none."""
    per_image: Money
    """USD per image."""


class Pricing(Strict):
    """Prices in USD. Per-token prices are per million tokens; the unit is in the key name."""

    input_per_mtok: Money | None = None
    """USD per million input (prompt) tokens."""
    output_per_mtok: Money | None = None
    """USD per million output (completion) tokens."""
    cache_read_per_mtok: Money | None = None
    """USD per million input tokens read from the prompt cache."""
    cache_write_per_mtok: Money | None = None
    """USD per million input tokens written to the prompt cache."""
    reasoning_per_mtok: Money | None = None
    """USD per million internal reasoning tokens, when billed apart from output."""
    per_request: Money | None = None
    """USD per request, on top of token prices."""
    per_image: Money | None = None
    """USD per image (input image, or generated image for image models)."""
    tiers: tuple[PriceTier, ...] = ()
    """Long-context tiers, by ascending threshold."""
    image_prices: tuple[ImagePrice, ...] = ()
    """USD per generated image by size and quality, where the source distinguishes them (sorted)."""
    input_audio_per_mtok: Money | None = None
    """USD per million audio input tokens (audio billed as tokens, apart from text tokens)."""
    output_audio_per_mtok: Money | None = None
    """USD per million audio output tokens."""
    audio_input_per_hour: Money | None = None
    """USD per hour of audio read (speech-to-text). Per-second and per-minute prices are converted to it by
    multiplication, so every source unit converts exactly (per-minute would not: $0.10/hour is no finite
    decimal per minute)."""
    audio_output_per_hour: Money | None = None
    """USD per hour of audio produced (text-to-speech), converted like `audio_input_per_hour`."""
    per_mchar: Money | None = None
    """USD per million input characters (text-to-speech, or models billed by character)."""
    per_kquery: Money | None = None
    """USD per thousand queries (rerank or search requests)."""
    web_search_per_k: Money | None = None
    """USD per thousand web searches (a tool fee on top of token prices; at the medium search-context size
    where the source prices sizes apart)."""


class PriceFlag(Strict):
    """A published price more than 10x above or below its family's median at other providers."""

    field: str
    """The price field (`input_per_mtok`, `output_per_mtok`, ...)."""
    value: Money
    """The model's price, USD per million tokens."""
    peer_median: Money
    """Median of the same price at other providers offering the family (one value per provider)."""
    peers: int = Field(ge=1)
    """Other providers compared: at least 2, or 1 when this price comes only from a third-party map and that
    provider's own declared price is the comparison."""
    ratio: str
    """value / peer_median, as a decimal string with three significant digits."""


class Upstream(Strict):
    """One provider behind a router entry (e.g. Hugging Face's router lists the providers it routes to)."""

    provider: str
    """The upstream provider's name as the router spells it."""
    status: str | None = None
    """The router's status for this route (e.g. `live`)."""
    context_window: int | None = Field(default=None, gt=0)
    """Context window on this route, in tokens."""
    pricing: Pricing | None = None
    """Prices on this route."""
    capabilities: dict[str, bool] = {}
    """Capabilities the router declares for this route."""


class Model(Strict):
    """One model as one provider offers it."""

    id: str
    """Global id: `<provider>/<model_id>`."""
    provider: str
    """Provider id (the file name of `catalog/providers/<id>.toml`)."""
    model_id: str
    """The model id exactly as the provider spells it in API calls."""
    name: str | None = None
    """Display name."""
    kind: Kind
    """What the model does."""
    context_window: int | None = Field(default=None, gt=0)
    """Maximum tokens of input plus output (or input, where that is all the source states)."""
    max_output_tokens: int | None = Field(default=None, gt=0)
    """Maximum tokens the model generates in one response."""
    input_modalities: tuple[Modality, ...] = ()
    """What the model reads."""
    output_modalities: tuple[Modality, ...] = ()
    """What the model produces."""
    capabilities: dict[str, bool] = {}
    """Capability flags; `false` is a declared no, a missing key is unknown."""
    pricing: Pricing | None = None
    """Prices in USD; missing means unknown, zero means free."""
    quantization: str | None = None
    """Weight precision as the provider states it (e.g. `fp8`, `bf16`)."""
    created: str | None = None
    """Date the provider added or released the model (YYYY-MM-DD, or YYYY-MM when only the month is known)."""
    deprecation_date: str | None = None
    """Date the model is or was retired (YYYY-MM-DD)."""
    description: str | None = None
    """Plain text from the provider; never HTML, escape before display."""
    owned_by: str | None = None
    """Organisation that owns or published the model, as the source states it."""
    open_weights: bool | None = None
    """Whether the model's weights are published, where a source says so."""
    knowledge_cutoff: str | None = None
    """Training-data cutoff as the source states it (`YYYY-MM` or `YYYY-MM-DD`)."""
    upstreams: tuple[Upstream, ...] = ()
    """For router listings: the providers this entry is routed to."""
    featured: bool = False
    """In the provider's hand-picked subset (a `models_<provider>_best.json` file)."""
    family: str | None = None
    """Id of the canonical family this model belongs to (the same model at other providers)."""
    price_flags: tuple[PriceFlag, ...] = ()
    """Prices more than 10x away from the family's median at other providers: check before trusting them."""
    aliases: tuple[str, ...] = ()
    """Other ids of this provider that name the same model (case, punctuation, an organisation or namespace
    prefix), sorted; their sources' values were merged into this record."""
    variant: Variant | None = None
    """A variant of the family's model sold apart (`free`, `batch`, `flex`, `quantized`, `extended`,
    `confidential`), read from the id;
    `cheapest` and the offer order skip variants unless asked."""
    provenance: Provenance
    """Where each field came from, written as source tag -> comma-separated dotted field paths
    (`{"listing": "context_window,pricing.input_per_mtok", "inferred": "kind"}`). `inferred` means derived
    from the id or name; `derived` means computed from the model's own `upstreams` (a router's cheapest live
    route's prices, the largest context, a capability any route has); any other tag (`listing`, `litellm`,
    `genai-prices`, ...) names the source that declared the value."""
    sources: tuple[str, ...]
    """Source files that contributed to this record."""


class Family(Strict):
    """The same underlying model across providers."""

    id: str
    """Family key derived by `catalog/families/` rules (e.g. `deepseek-r1-0528`)."""
    name: str
    """Display name: the most common spelling among the offers' ids."""
    author: str | None = None
    """Lab or organisation that made the model, where `catalog/families/labs.toml` knows it."""
    open_weights: bool | None = None
    """Whether the weights are published; None when unknown."""
    parameters: str | None = None
    """Parameter count read from the name (e.g. `70B`), total for mixtures of experts."""
    provider_count: int = Field(ge=1)
    """Number of providers offering it."""
    offers: tuple[str, ...]
    """Model ids (`<provider>/<model_id>`): regular offers cheapest first (by the comparable price,
    `knollm.comparable`), unpriced last, then the variant offers (`Model.variant`) in the same order."""
    cheapest: str | None = None
    """The cheapest regular offer (not a variant) with both input and output prices known."""
    largest_context: str | None = None
    """The offer with the largest context window."""


class ProviderStatus(Strict):
    """Result of the last fetch of the provider's model listing."""

    failed: bool
    """Whether the last attempt failed."""
    last_attempt: str | None = None
    """When the last fetch was attempted (ISO 8601)."""
    last_success: str | None = None
    """When the listing was last fetched successfully (ISO 8601)."""
    last_error: str | None = None
    """The last error message, with anything that looks like a secret redacted."""


class Auth(Strict):
    """How to authenticate to the provider's API."""

    env_var: str | None = None
    """Conventional environment variable holding the API key."""
    header: AuthHeader
    """How the key is sent (see the provider file schema)."""
    header_name: str | None = None
    """Header name when `header` is `custom`."""


class Provider(Strict):
    """A provider of models, from `catalog/providers/<id>.toml` or created for a source we had no file for."""

    id: str
    """Stable id; the authored file name."""
    name: str
    """Display name."""
    authored: bool
    """False when the provider was created from a source and has no authored file yet."""
    kind: ProviderKind
    """First-party lab, inference host, aggregator/router, local server, or unknown."""
    api_kind: str | None = None
    """API dialect (`openai`, `anthropic`, ...)."""
    homepage: str | None = None
    """Home page URL."""
    docs_url: str | None = None
    """API documentation URL."""
    base_url: str | None = None
    """API base URL; may contain `{placeholders}`."""
    models_path: str | None = None
    """Model-listing path relative to `base_url`."""
    auth: Auth | None = None
    """Authentication."""
    free_tier: bool | None = None
    """Whether API users can use it for free in some form."""
    notes: str | None = None
    """Plain-text notes."""
    aliases: tuple[str, ...] = ()
    """Names other catalogs use for this provider."""
    sources: dict[str, str] = {}
    """Fact name -> URL backing it."""
    status: ProviderStatus | None = None
    """Last fetch of the model listing, when known."""
    model_count: int = 0
    """Models in the bundle for this provider."""
    priced_model_count: int = 0
    """Of those, models with at least one price."""


class Bundle(Strict):
    """The compiled catalog."""

    schema_version: str
    """Version of this format."""
    data_date: str | None
    """The build's as-of date (YYYY-MM-DD): dated prices are resolved at this day, and no declaration is taken
    to describe a later one. `knollm-build --as-of DATE` sets it; by default it is the newest source date.
    None only when no source is dated."""
    sources: tuple[str, ...]
    """Source files used."""
    source_dates: dict[str, str] = {}
    """Source file -> the newest day its declarations describe (YYYY-MM-DD, at most `data_date`); undated
    sources are absent."""
    providers: tuple[Provider, ...]
    """All providers, sorted by id."""
    models: tuple[Model, ...]
    """All models, sorted by id."""
    families: tuple[Family, ...] = ()
    """All families, sorted by id."""
    libraries: tuple[Library, ...] = ()
    """Python LLM libraries, sorted by id (from `catalog/libraries/`)."""
    report: Report
    """What the build did."""
