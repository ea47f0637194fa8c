"""Strict pydantic models of the bundle. `catalog.schema.json` is generated from `Bundle`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from .vocab import Kind, Modality, Variant

SCHEMA_VERSION = "1.2"
"""1.1: fields equal to their default (null, empty, false) are left out of the JSON, and `provenance` is
written grouped by source. Readers of 1.0 that use defaults for missing keys read 1.1 unchanged.
1.2: `Pricing` gains prices beyond tokens (`image_prices`, audio per hour and per audio token, `per_mchar`,
`per_kquery`, `web_search_per_k`); all optional, so 1.1 readers that ignore unknown keys read 1.2."""

def _group_by_source(provenance: dict[str, str]) -> dict[str, str]:
    """`{field: source}` -> `{source: "field,field"}`: a fraction of the JSON values, for fast loading."""
    grouped: dict[str, list[str]] = {}
    for name, source in sorted(provenance.items()):
        grouped.setdefault(source, []).append(name)
    return {source: ",".join(names) for source, names in sorted(grouped.items())}


Provenance = Annotated[dict[str, str], PlainSerializer(_group_by_source, return_type=dict[str, str], when_used="json")]
"""In memory: dotted field path -> source tag. In JSON: source tag -> comma-separated field paths."""

Money = Annotated[Decimal, Field(ge=0), PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json")]
"""USD, exact; serialised as a decimal string."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


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
    peers: int = Field(ge=2)
    """Number of other providers in the median."""
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
    from the id or name; any other tag (`listing`, `litellm`, `genai-prices`, ...) names the source that
    declared the value."""
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
    """Model ids (`<provider>/<model_id>`): regular offers cheapest first (by input plus output price),
    unpriced last, then the variant offers (`Model.variant`) in the same order."""
    cheapest: str | None = None
    """The cheapest regular offer (not a variant) with both input and output prices known."""
    largest_context: str | None = None
    """The offer with the largest context window."""


class FamilyReport(Strict):
    """How models were grouped."""

    families: int
    """Number of families."""
    multi_provider: int
    """Families offered by two or more providers."""
    largest: dict[str, int]
    """The largest families -> provider count."""
    ambiguous: tuple[str, ...]
    """Model ids left in an undated family although dated versions exist (e.g. `claude-3-5-sonnet`)."""
    ambiguous_count: int
    """All such model ids (the list above is capped)."""


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
    header: Literal[
        "bearer", "token", "authorization-raw", "x-api-key", "api-key", "x-goog-api-key", "custom", "aws-sigv4",
        "google-oauth", "none",
    ]
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
    kind: Literal["first-party", "inference-host", "aggregator", "local", "unknown"]
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


class SourceReport(Strict):
    """What the compiler did with one source file."""

    file: str
    """Source file name."""
    provider: str | None
    """Provider the file belongs to (None for multi-provider catalogs)."""
    role: Literal["listing", "variant", "catalog", "status", "unreadable"]
    """How the file was used."""
    shape: str
    """Detected shape (`openai-list`, `bare-array`, `keyed-object`, ...)."""
    read: int
    """Entries read."""
    emitted: int
    """Entries that reached the bundle (as a new model or merged into one)."""
    merged: int
    """Of `emitted`, entries merged into a model another source already had."""
    rejected: int
    """Entries left out, each listed in `problems`."""
    ignored: tuple[str, ...] = ()
    """Keys of entries recognised as documentation, not models (e.g. LiteLLM's `sample_spec`)."""
    unknown_fields: dict[str, int] = {}
    """Dotted field paths the compiler did not understand -> number of entries carrying them."""
    declared_fields: int = 0
    """Field values declared by this source."""
    inferred_fields: int = 0
    """Field values inferred from ids or names for entries of this source."""
    price_units: dict[str, str] = {}
    """Price key -> unit used for this file (`per_token`, `per_mtok`, `per_mtok_1e-4`, ...; `unknown` when no scale
    fits and the prices were left out; see `Report.units`)."""
    problems: tuple[dict[str, str], ...] = ()
    """Every problem found: file, record, path, reason, severity."""


class AgreementRow(Strict):
    """How often one provider's prices agree with other sources' prices for the same model."""

    provider: str
    """Provider id."""
    models: int = Field(ge=0)
    """Models with a price that another source also states."""
    compared: int = Field(ge=0)
    """Price components (input, output, cache, ...) stated by the kept source and another source."""
    agreed: int = Field(ge=0)
    """Of those, components within 1% of each other."""
    share: str
    """`agreed / compared`, as a decimal string rounded to 3 places."""


class UnitEvidence(Strict):
    """How the unit of one price group of one source file was chosen (unit calibration)."""

    file: str
    """Source file."""
    group: str
    """Price keys sharing one unit: their parent path (`pricing`), with `[unit]` when the key names it."""
    scale: str | None
    """Chosen scale (`per_token`, `per_1k`, `per_mtok`, `per_mtok_1e-4`, ...); None when none fits."""
    method: Literal["peers", "bands", "stated", "zero"]
    """`peers`: agreement with other sources' prices for the same families; `bands`: typical price ranges
    by model kind (too few peers); `stated`: the key names its unit; `zero`: only free prices."""
    peers: int = 0
    """Prices compared with other sources' prices for the same family and component."""
    ratio_before: str | None = None
    """Median of price / peer median, reading the raw values as USD per million tokens (decimal string)."""
    ratio_after: str | None = None
    """The same median after applying the chosen scale (near 1 when peers agree)."""
    flagged: bool = False
    """No scale fits (its prices are left unknown), or peers contradict the stated unit by more than 30x."""
    note: str | None = None
    """Why the group was flagged."""


class PriceFlagReport(Strict):
    """Published prices far from their family's median at other providers."""

    count: int
    """Models carrying at least one price flag."""
    flags: int
    """All flags."""
    examples: tuple[dict[str, str], ...] = ()
    """Some flagged prices: model, field, value, peer_median, peers, ratio (capped)."""


class DuplicateMerge(Strict):
    """Ids of one provider found to name one model."""

    provider: str
    model_id: str
    """The id kept (the one the provider's own listing uses, where it lists one)."""
    aliases: tuple[str, ...]
    """The other ids, sorted."""
    reason: str
    """What differs: `case or punctuation`, `namespace prefix` or `organisation prefix`."""


class ProviderOverlap(Strict):
    """A provider whose models are (nearly) all offered by another provider at the same prices."""

    provider: str
    within: str
    """The provider that offers them too."""
    models: int
    """Models of `provider` with input and output prices."""
    contained: int
    """Of those, how many `within` offers under the same id at the same input and output prices."""


class Report(Strict):
    """The build report."""

    sources: tuple[SourceReport, ...]
    """One entry per source file, sorted by file name."""
    totals: dict[str, int]
    """Sums over all sources."""
    invariant_ok: bool
    """True when `read == emitted + rejected` holds for every source."""
    families: FamilyReport | None = None
    """Grouping of models into families."""
    conflicts: tuple[dict[str, str], ...] = ()
    """Examples of declared values that disagree by more than 1% between sources (capped). `won_by` says why
    the kept value won: `override`, `newer` (its source describes a later day) or `rank` (same day)."""
    superseded: tuple[dict[str, str], ...] = ()
    """Examples of conflicts won by the newer declaration over a source of higher rank or an older one (capped;
    `totals.superseded` counts them all): where a snapshot build differs from a build without the snapshot."""
    agreement: tuple[AgreementRow, ...] = ()
    """Per provider: share of price components within 1% of other sources' prices for the same model."""
    units: tuple[UnitEvidence, ...] = ()
    """Unit calibration: per source file and price group, the chosen scale and its evidence."""
    price_flags: PriceFlagReport | None = None
    """Outliers: prices more than 10x above or below the family's median at other providers."""
    duplicates: tuple[DuplicateMerge, ...] = ()
    """Every set of one provider's ids merged into one model."""
    duplicates_kept_apart: tuple[DuplicateMerge, ...] = ()
    """Look-alike ids kept apart because one source file declares different values for them."""
    provider_overlaps: tuple[ProviderOverlap, ...] = ()
    """Providers whose priced models are at least 90% contained in another provider's at the same prices."""


class LibraryPackage(Strict):
    """Facts from the library's PyPI metadata (written by `scripts/refresh_libraries.py`)."""

    pypi: str
    """Project name on PyPI."""
    version: str
    """Latest version at refresh time."""
    release_date: str | None = None
    """UTC day that version's first file was uploaded (YYYY-MM-DD); None when unknown."""
    release_month: str | None = None
    """Fallback when the day is unknown: month of the latest release (YYYY-MM)."""
    license: str | None = None
    """License as the metadata states it."""
    license_source: str | None = None
    """Where the license was read (`license-expression`, `license`, `license-text`, `classifier`, `license-file`)."""
    requires_python: str | None = None
    """The `Requires-Python` specifier."""
    python_versions: tuple[str, ...] = ()
    """Python versions named in the trove classifiers."""
    repository: str | None = None
    """Source repository URL."""
    direct_dependencies: int = Field(ge=0)
    """Requirements not behind an extra."""
    transitive_dependencies: int | None = Field(default=None, ge=0)
    """Other distributions installed with it."""
    installed_size_kb: int | None = Field(default=None, ge=0)
    """KiB installed with its dependencies into an empty virtualenv (no bytecode)."""
    checked: str
    """Day the metadata was read (YYYY-MM-DD)."""
    resolved_for: str | None = None
    """Interpreter and platform the dependencies were resolved for."""
    install_problem: str | None = None
    """What pip said when it could not resolve the dependencies at refresh time."""


class LibraryCoverage(Strict):
    """Which providers the library reaches, as authored."""

    native: tuple[str, ...] = ()
    """Provider ids with first-party support (in the package or an add-on package of the same project)."""
    openai_compatible: bool = False
    """Its OpenAI-dialect client takes any base URL (reaches every provider whose `api_kind` is `openai`)."""
    raw_http: bool = False
    """A general HTTP client (reaches HTTP APIs with hand-written requests)."""
    notes: str | None = None
    """Plain-text qualifications."""
    sources: dict[str, str] = {}
    """Coverage fact -> URL backing it."""


class LibraryRatings(Strict):
    """OUR ratings, 1 (poor) to 5 (excellent), on stated criteria. Authored in `catalog/libraries/` and
    published as they are."""

    api_design: int = Field(ge=1, le=5)
    """Ours: how little code the common case takes, and how consistent and typed the API is."""
    docs: int = Field(ge=1, le=5)
    """Ours: reference completeness, examples, and how current the docs are."""
    maintenance: int = Field(ge=1, le=5)
    """Ours: release cadence, responsiveness, and the backing organisation."""
    performance: int = Field(ge=1, le=5)
    """Ours: import time, per-call overhead and dependency weight, relative to the category."""
    flexibility: int = Field(ge=1, le=5)
    """Ours: how far you can go beyond the happy path (providers, custom transports, lower-level access)."""


class LibraryJudgement(Strict):
    """OUR judgement, not a fact."""

    ratings: LibraryRatings
    """Ours: ratings on the five criteria."""
    pros: tuple[str, ...]
    """Ours: strengths."""
    cons: tuple[str, ...]
    """Ours: weaknesses."""
    best_for: tuple[str, ...]
    """Ours: use cases we would pick it for (`simple-calls`, `multi-provider`, `structured-output`, `agents`,
    `rag`, `local-models`, `lowest-overhead`)."""
    example: str
    """A minimal working Python snippet (it calls an API when run)."""


class Library(Strict):
    """A Python LLM library, from `catalog/libraries/<id>.toml`."""

    id: str
    """Stable id; the authored file name."""
    name: str
    """Display name."""
    category: Literal["http-client", "official-sdk", "unified-client", "framework", "structured-output", "tool"]
    """What kind of library it is."""
    summary: str
    """One plain-text line."""
    import_name: str
    """The module to import."""
    homepage: str
    """Documentation home page."""
    repository: str
    """Source repository."""
    install: tuple[str, ...] = ()
    """pip requirements that make the example run (the PyPI name, or it with extras and companions)."""
    package: LibraryPackage
    """Facts from PyPI metadata."""
    features: dict[str, bool]
    """`sync`, `async`, `streaming`, `tools`, `structured_output`, `vision` -> offered (facts)."""
    feature_notes: str | None = None
    """Qualifications of the feature flags."""
    feature_sources: dict[str, str] = {}
    """Feature -> URL documenting it."""
    coverage: LibraryCoverage
    """Provider coverage as authored."""
    compatibility: dict[str, Literal["native", "openai-compatible", "http"]] = {}
    """Derived: provider id -> how the library reaches it; providers it cannot reach are absent."""
    judgement: LibraryJudgement
    """Our judgement."""


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
