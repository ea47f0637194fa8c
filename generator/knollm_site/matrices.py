"""Provider comparison matrices: capability coverage, shared families, prices of widely offered families."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from knollm import Model
from knollm.query import price_key

from .views import FamilyPage, ProviderPage, SiteData

MATRIX_CAPABILITIES = ("tools", "vision", "reasoning", "structured_output", "json_mode", "prompt_caching",
                       "web_search", "audio_input", "pdf_input")
OVERLAP_SIZE = 12
PRICE_FAMILIES = 12
PRICE_PROVIDERS = 8


@dataclass(frozen=True)
class CapabilityCoverage:
    """Per provider with models: how many of its models declare each capability."""

    provider: ProviderPage
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Overlap:
    """Providers (largest multi-provider catalogs) and the number of families each pair has in common."""

    providers: tuple[ProviderPage, ...]
    shared: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class PriceMatrix:
    """The most widely offered families x the providers offering most of them: each cell the cheapest offer."""

    providers: tuple[ProviderPage, ...]
    rows: tuple[tuple[FamilyPage, tuple[Model | None, ...]], ...]


def capability_coverage(site: SiteData) -> list[CapabilityCoverage]:
    """One row per provider that has models, sorted by id."""
    counts: dict[str, Counter[str]] = {}
    for model in site.catalog.models:
        row = counts.setdefault(model.provider, Counter())
        row.update(c for c in MATRIX_CAPABILITIES if model.capabilities.get(c) is True)
    return [
        CapabilityCoverage(page, tuple(counts.get(page.provider.id, Counter())[c] for c in MATRIX_CAPABILITIES))
        for page in site.providers if page.total
    ]


def _families_by_provider(site: SiteData) -> dict[str, set[str]]:
    offered: dict[str, set[str]] = {}
    for page in site.families:
        if page.family.provider_count < 2:
            continue
        for model in page.offers:
            offered.setdefault(model.provider, set()).add(page.family.id)
    return offered


def overlap(site: SiteData, size: int = OVERLAP_SIZE) -> Overlap:
    """Shared multi-provider families between the `size` providers that offer the most of them."""
    offered = _families_by_provider(site)
    top = sorted((p for p in offered if p in site.provider_pages), key=lambda p: (-len(offered[p]), p))[:size]
    shared = tuple(tuple(len(offered[a] & offered[b]) for b in top) for a in top)
    return Overlap(tuple(site.provider_pages[p] for p in top), shared)


def price_matrix(site: SiteData, families: int = PRICE_FAMILIES, providers: int = PRICE_PROVIDERS) -> PriceMatrix:
    """Cheapest offer per (family, provider) for the most widely offered families."""
    widest = sorted((f for f in site.families if f.family.provider_count >= 2),
                    key=lambda f: (-f.family.provider_count, f.family.id))[:families]
    coverage = Counter(p for f in widest for p in {m.provider for m in f.offers})
    columns = [p for p, _ in sorted(coverage.items(), key=lambda item: (-item[1], item[0]))
               if p in site.provider_pages][:providers]
    rows = []
    for page in widest:
        cells = []
        for provider in columns:
            offers = [m for m in page.offers  # a variant (batch, free, ...) is not the provider's price
                      if m.provider == provider and m.variant is None and price_key(m) is not None]
            # an unflagged price wins; a flagged one shows (marked) only when it is all the provider has
            cells.append(min(offers, key=lambda m: (bool(m.price_flags), price_key(m), m.id)) if offers else None)
        rows.append((page, tuple(cells)))
    return PriceMatrix(tuple(site.provider_pages[p] for p in columns), tuple(rows))
