"""Typed, immutable records of the catalog: lean frozen dataclasses mirroring the bundle format.

Money is `decimal.Decimal` (USD), exact; `None` always means *unknown*, never zero. Per-token prices are per
million tokens (`*_per_mtok`). Dict-valued fields are left out of hashing so records stay hashable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

TOKEN_PRICES = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok")
"""Per-token components that a long-context tier can override."""


@dataclass(slots=True, frozen=True)
class ProviderStatus:
    """Result of the last fetch of a provider's model listing."""

    failed: bool
    last_attempt: str | None = None
    last_success: str | None = None
    last_error: str | None = None


@dataclass(slots=True, frozen=True)
class Auth:
    """How to authenticate to a provider's API."""

    header: str
    env_var: str | None = None
    header_name: str | None = None


@dataclass(slots=True, frozen=True)
class Provider:
    """A provider of models (first-party lab, inference host, aggregator, local server)."""

    id: str
    name: str
    authored: bool
    kind: str
    api_kind: str | None = None
    homepage: str | None = None
    docs_url: str | None = None
    base_url: str | None = None
    models_path: str | None = None
    auth: Auth | None = None
    free_tier: bool | None = None
    notes: str | None = None
    aliases: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict, hash=False)
    status: ProviderStatus | None = None
    model_count: int = 0
    priced_model_count: int = 0

    @property
    def status_label(self) -> str:
        """`ok`, `failed` or `unknown` (no fetch recorded)."""
        if self.status is None:
            return "unknown"
        return "failed" if self.status.failed else "ok"


@dataclass(slots=True, frozen=True)
class PriceTier:
    """Prices that replace the base prices once a request's input exceeds `above_input_tokens`."""

    above_input_tokens: int
    input_per_mtok: Decimal | None = None
    output_per_mtok: Decimal | None = None
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None


@dataclass(slots=True, frozen=True)
class ImagePrice:
    """USD per generated image of one size (`1024x1024`) and quality (`hd`); None where the price does not
    depend on it."""

    per_image: Decimal
    size: str | None = None
    quality: str | None = None


@dataclass(slots=True, frozen=True)
class Pricing:
    """Prices in USD. `None` is unknown; `Decimal(0)` is free. The unit is in each name: `_per_mtok` per
    million tokens, `_per_hour` per hour of audio, `per_mchar` per million characters, `per_kquery` per
    thousand queries, `web_search_per_k` per thousand web searches."""

    input_per_mtok: Decimal | None = None
    output_per_mtok: Decimal | None = None
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    reasoning_per_mtok: Decimal | None = None
    per_request: Decimal | None = None
    per_image: Decimal | None = None
    tiers: tuple[PriceTier, ...] = ()
    image_prices: tuple[ImagePrice, ...] = ()
    input_audio_per_mtok: Decimal | None = None
    output_audio_per_mtok: Decimal | None = None
    audio_input_per_hour: Decimal | None = None
    audio_output_per_hour: Decimal | None = None
    per_mchar: Decimal | None = None
    per_kquery: Decimal | None = None
    web_search_per_k: Decimal | None = None

    def tier_for(self, input_tokens: int) -> PriceTier | None:
        """The tier in force for a request with `input_tokens` input tokens: the highest one whose
        `above_input_tokens` is strictly exceeded, or None for the base prices."""
        chosen = None
        for tier in self.tiers:
            if input_tokens > tier.above_input_tokens and (
                chosen is None or tier.above_input_tokens > chosen.above_input_tokens
            ):
                chosen = tier
        return chosen

    def rate(self, component: str, input_tokens: int = 0) -> Decimal | None:
        """The per-MTok price of `component` for a request of `input_tokens` input tokens.

        A tier replaces each base price it states; a price the tier leaves out keeps its base value.
        """
        tier = self.tier_for(input_tokens) if self.tiers and component in TOKEN_PRICES else None
        if tier is not None and (value := _price_of(tier, component)) is not None:
            return value
        return _price_of(self, component)


def _price_of(record: Pricing | PriceTier, component: str) -> Decimal | None:
    """The price field `component` of a pricing or a tier (names come from callers, so checked here)."""
    value = getattr(record, component)
    if value is None or isinstance(value, Decimal):
        return value
    raise TypeError(f"{component!r} is not a price of {type(record).__name__}")


@dataclass(slots=True, frozen=True)
class PriceFlag:
    """A published price more than 10x above or below its family's median at other providers: check it."""

    field: str
    """The price field (`input_per_mtok`, `output_per_mtok`, ...)."""
    value: Decimal
    """The model's price, USD per million tokens."""
    peer_median: Decimal
    """Median of the same price at the other providers offering the family."""
    peers: int
    """Number of other providers in that median."""
    ratio: str
    """value / peer_median, three significant digits."""


@dataclass(slots=True, frozen=True)
class Upstream:
    """One provider behind a router entry."""

    provider: str
    status: str | None = None
    context_window: int | None = None
    pricing: Pricing | None = None
    capabilities: dict[str, bool] = field(default_factory=dict, hash=False)


@dataclass(slots=True, frozen=True)
class Model:
    """One model as one provider offers it. `id` is `<provider>/<model_id>`."""

    id: str
    provider: str
    model_id: str
    kind: str
    name: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    capabilities: dict[str, bool] = field(default_factory=dict, hash=False)
    pricing: Pricing | None = None
    quantization: str | None = None
    created: str | None = None
    deprecation_date: str | None = None
    description: str | None = None
    owned_by: str | None = None
    upstreams: tuple[Upstream, ...] = ()
    featured: bool = False
    provenance: dict[str, str] = field(default_factory=dict, hash=False)
    """Source tag -> comma-separated dotted field paths it gave, as in the bundle; see `source_of`."""
    sources: tuple[str, ...] = ()
    family: str | None = None
    open_weights: bool | None = None
    """Whether the weights are published, as a source declares it for this model (see `Catalog.open_weights`)."""
    knowledge_cutoff: str | None = None
    """Training-data cutoff as a source states it (`YYYY-MM` or `YYYY-MM-DD`)."""
    price_flags: tuple[PriceFlag, ...] = ()
    """Prices more than 10x from the family's median at other providers (empty in bundles before the flags)."""

    aliases: tuple[str, ...] = ()
    """Other ids of this provider for the same model (`Catalog.get` finds the model by them too)."""
    variant: str | None = None
    """A variant sold apart from the regular offer (`free`, `batch`, `flex`, `quantized`, `extended`,
    `confidential`);
    `Catalog.offers` and `cheapest` skip variants unless `include_variants=True`."""

    def price_flag(self, field_name: str) -> PriceFlag | None:
        """The outlier flag on one price field (`input_per_mtok`, ...), or None."""
        return next((f for f in self.price_flags if f.field == field_name), None)

    def source_of(self, field_path: str) -> str | None:
        """The source that gave a field (`"listing"`, `"genai-prices"`, ..., `"inferred"` when it was derived
        from the id, `"derived"` when computed from the model's upstream routes),
        e.g. `model.source_of("pricing.input_per_mtok")`; None when no source gave it."""
        for source, paths in self.provenance.items():
            if field_path in paths.split(","):
                return source
        return None

    @property
    def field_sources(self) -> dict[str, str]:
        """Dotted field path -> source tag, for every field with a known source."""
        return {path: source for source, paths in self.provenance.items() for path in paths.split(",") if path}

    @property
    def display_name(self) -> str:
        """The name, or the provider's model id when the data has no name."""
        return self.name or self.model_id

    @property
    def input_price(self) -> Decimal | None:
        """USD per million input tokens (base tier), or None when unknown."""
        return self.pricing.input_per_mtok if self.pricing else None

    @property
    def output_price(self) -> Decimal | None:
        """USD per million output tokens (base tier), or None when unknown."""
        return self.pricing.output_per_mtok if self.pricing else None

    def supports(self, capability: str) -> bool | None:
        """True or False when the data declares the capability, None when unknown."""
        return self.capabilities.get(capability)


@dataclass(slots=True, frozen=True)
class Family:
    """One model family (e.g. `llama-3.1-70b`) and the model ids that offer it across providers."""

    id: str
    name: str
    author: str | None = None
    open_weights: bool | None = None
    parameters: str | None = None
    provider_count: int = 0
    offers: tuple[str, ...] = ()
    cheapest: str | None = None
    largest_context: str | None = None


# Not slotted, unlike the other records: the defaults stay class attributes, so the warm token-only path
# (`costs._token_cost`) builds an instance from one dict of the fields it sets, several times faster than the
# generated `__init__` (29 fields); attributes, equality, hashing and repr are the same either way.
@dataclass(frozen=True)
class CostBreakdown:
    """An exact cost estimate in USD for `requests` requests of the given usage (all amounts are totals).

    `cache` is cache reads plus cache writes; `tier` is the `above_input_tokens` threshold of the long-context
    tier that priced the request, or None for base prices. Usage beyond tokens comes in pairs of count and
    amount: `images`/`image` (with the `image_size`/`image_quality` chosen), `audio_input_seconds`/`audio_input`,
    `audio_output_seconds`/`audio_output`, `characters`/`character`, `queries`/`query`,
    `web_searches`/`web_search`; all are in `total`.
    """

    model: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    cache_write_tokens: int
    requests: int
    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal
    per_request: Decimal
    total: Decimal
    reasoning_tokens: int = 0
    reasoning: Decimal = Decimal(0)
    images: int = 0
    image: Decimal = Decimal(0)
    tier: int | None = None
    audio_input_seconds: int = 0
    audio_input: Decimal = Decimal(0)
    audio_output_seconds: int = 0
    audio_output: Decimal = Decimal(0)
    characters: int = 0
    character: Decimal = Decimal(0)
    queries: int = 0
    query: Decimal = Decimal(0)
    web_searches: int = 0
    web_search: Decimal = Decimal(0)
    image_size: str | None = None
    image_quality: str | None = None

    @property
    def cache(self) -> Decimal:
        """Cache reads plus cache writes."""
        return self.cache_read + self.cache_write


@dataclass(slots=True, frozen=True)
class Unpriced:
    """A model left out of a comparison because a price it needs is unknown."""

    model: str
    component: str
    reason: str


@dataclass(slots=True, frozen=True)
class Comparison:
    """One workload priced across many models: `costs` cheapest first, `unpriced` those that could not be."""

    costs: tuple[CostBreakdown, ...]
    unpriced: tuple[Unpriced, ...] = ()

    @property
    def cheapest(self) -> CostBreakdown | None:
        """The cheapest priced row, or None when nothing could be priced."""
        return self.costs[0] if self.costs else None
