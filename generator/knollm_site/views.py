"""View models: which pages exist, where they live, and what each shows.

Pages are made for every provider and for the families worth a page: with two or more offers, or with at least
one priced offer. Single-offer, unpriced families (most of them community fine-tunes on one host) are only in the
explorer and its model page (models/view/?id=...) and the JSON bundle, which keeps the site fast to build and to browse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import knollm
from knollm import Family, Model, Provider
from knollm.query import price_key

from .fmt import slug
from .library_pages import LibrarySite, build_library_site

MODEL_CAP = 200
"""At most this many models in a provider's table; the rest are in the bundle and the CLI."""
EDIT_BASE = "../../"
"""Edit paths are resolved against `repo_url` + `edit_uri` (`.../edit/main/src_docs/md/`): this reaches the root."""
NEW_BASE = "../../../../new/main/"
"""From the same base, GitHub's "create a file" page on the main branch."""
RESERVED = frozenset({"index", "compare", "summary"})
"""Slugs that would collide with the section pages next to the provider and family pages."""


@dataclass(frozen=True)
class FamilyPage:
    """A family with a page: the family and its offers, cheapest first."""

    family: Family
    path: str
    offers: tuple[Model, ...]
    cheapest: str | None
    """Id of the offer highlighted as cheapest (the bundle's, else the first priced offer)."""

    @property
    def best(self) -> Model | None:
        """The cheapest offer's record."""
        return next((m for m in self.offers if m.id == self.cheapest), None)

    @property
    def widest(self) -> int | None:
        """The largest context window among the offers."""
        return max((m.context_window for m in self.offers if m.context_window), default=None)


@dataclass(frozen=True)
class ProviderPage:
    """A provider's page: the provider and the models its table shows (capped at `MODEL_CAP`)."""

    provider: Provider
    path: str
    models: tuple[Model, ...]
    total: int
    edit_path: str

    @property
    def capped(self) -> bool:
        """Whether the table leaves models out."""
        return self.total > len(self.models)


@dataclass
class SiteData:
    """Everything the page templates need, computed once from the catalog."""

    catalog: knollm.Catalog
    providers: list[ProviderPage]
    """By display name (case-insensitive): the order of the navigation and the catalog table."""
    families: list[FamilyPage]
    """By family id."""
    family_total: int
    multi_provider: int
    libraries: LibrarySite
    """The library guide's pages."""
    provider_pages: dict[str, ProviderPage] = field(default_factory=dict)
    family_pages: dict[str, FamilyPage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.provider_pages = {p.provider.id: p for p in self.providers}
        self.family_pages = {f.family.id: f for f in self.families}

    def provider_path(self, provider_id: str) -> str | None:
        """The page of a provider, when it has one."""
        page = self.provider_pages.get(provider_id)
        return page.path if page else None

    def family_path(self, family_id: str | None) -> str | None:
        """The page of a family, when it has one."""
        page = self.family_pages.get(family_id) if family_id else None
        return page.path if page else None

    def provider_name(self, provider_id: str) -> str:
        """A provider's display name (its id when unknown)."""
        page = self.provider_pages.get(provider_id)
        return page.provider.name if page else provider_id


def build_site_data(catalog: knollm.Catalog, model_cap: int = MODEL_CAP) -> SiteData:
    """The pages of the site for `catalog`."""
    families = catalog.families()
    sizes = {f.id: f.provider_count for f in families}
    by_provider: dict[str, list[Model]] = {}
    for model in catalog.models:
        by_provider.setdefault(model.provider, []).append(model)
    taken: set[str] = set()
    providers = [
        _provider_page(p, by_provider.get(p.id, []), sizes, slug(p.id, taken, RESERVED), model_cap)
        for p in sorted(catalog.providers(), key=lambda p: (p.name.casefold(), p.id))
    ]
    taken = set()
    pages = [page for f in families if (page := _family_page(catalog, f, taken)) is not None]
    multi = sum(1 for f in families if f.provider_count >= 2)
    libraries = build_library_site(catalog, (p.provider.id for p in providers))
    return SiteData(catalog, providers, pages, len(families), multi, libraries)


def _provider_page(provider: Provider, models: list[Model], sizes: dict[str, int], name: str,
                   cap: int) -> ProviderPage:
    shown = sorted(models, key=lambda m: _model_rank(m, sizes))[:cap]
    edit = f"{EDIT_BASE}catalog/providers/{provider.id}.toml"
    if not provider.authored:  # no authored file yet: the edit button proposes creating one
        edit = f"{NEW_BASE}catalog/providers?filename={provider.id}.toml"
    return ProviderPage(provider, f"providers/{name}.md", tuple(shown), len(models), edit)


def _model_rank(model: Model, sizes: dict[str, int]) -> tuple[bool, int, bool, str]:
    """Featured first, then models of widely offered families, then priced ones, then by id."""
    return (not model.featured, -sizes.get(model.family or "", 0), model.input_price is None, model.id)


def _family_page(catalog: knollm.Catalog, family: Family, taken: set[str]) -> FamilyPage | None:
    offers = tuple(catalog.offers(family, include_variants=True))  # shown, marked; never crowned cheapest
    if not offers:
        return None
    priced = [m for m in offers if price_key(m) is not None and m.variant is None and not m.price_flags]
    if len(offers) < 2 and not any(_has_price(m) for m in offers):
        return None
    # The bundle's pick stands unless its price carries an outlier flag (then the first unflagged priced offer)
    cheapest = family.cheapest if family.cheapest in {m.id for m in offers if not m.price_flags} else None
    if cheapest is None and priced:
        cheapest = priced[0].id
    return FamilyPage(family, f"families/{slug(family.id, taken, RESERVED)}.md", offers, cheapest)


def _has_price(model: Model) -> bool:
    """Whether any price of the model is known (per token, request, image, audio, character, query or search)."""
    pricing = model.pricing
    if pricing is None:
        return False
    singles = (f.name for f in dataclasses.fields(pricing) if f.name not in ("tiers", "image_prices"))
    return bool(pricing.image_prices) or any(getattr(pricing, name) is not None for name in singles)


def paid_chat_models(models: Iterable[Model]) -> list[Model]:
    """Chat models with a known, non-zero price (the comparable price, `knollm.comparable`), cheapest first, ties by id.
    Variants (batch, flex, quantised offers) and prices with an outlier flag (`price_flags`: often stale or in
    the wrong unit) are left out: the site never crowns them cheapest."""
    paid = [m for m in models if m.kind == "chat" and m.variant is None and not m.price_flags
            and (key := price_key(m)) is not None and key > 0]
    return sorted(paid, key=lambda m: (price_key(m), m.id))
