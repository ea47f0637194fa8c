"""The closed vocabularies of the bundle: model kinds, modalities, capabilities, provenance tags.

The values a bundle may hold are defined once, in the runtime (`knollm.vocab`), and re-exported here: the compiler
writes exactly what the runtime reads. What only the compiler needs (non-token kinds, provenance tags) is here.
"""

from __future__ import annotations

from knollm.vocab import (
    API_KINDS,
    AUTH_HEADERS,
    CAPABILITIES,
    KINDS,
    LIBRARY_CATEGORIES,
    LIBRARY_CRITERIA,
    LIBRARY_FEATURES,
    LIBRARY_REACH,
    MODALITIES,
    PROVIDER_KINDS,
    USE_CASES,
    VARIANTS,
    ApiKind,
    AuthHeader,
    AuthoredProviderKind,
    Capability,
    Kind,
    LibraryCategory,
    LibraryCriterion,
    LibraryFeature,
    LibraryReach,
    Modality,
    ProviderKind,
    UseCase,
    Variant,
)

NON_TOKEN_KINDS = frozenset({"image", "audio", "rerank", "other"})
"""Kinds billed per image, audio time, character, query or page rather than by text tokens: a $0 token price
on such a model says nothing about its price (see `placeholders.py`)."""

# Where a field's value came from. Everything except INFERRED and DERIVED was declared by a source.
INFERRED = "inferred"
DERIVED = "derived"
"""A model-level value computed from the model's own upstream routes (`upstreams.py`), not declared for it."""
LISTING = "listing"
SourceTag = str

__all__ = [
    "API_KINDS", "AUTH_HEADERS", "CAPABILITIES", "DERIVED", "INFERRED", "KINDS", "LIBRARY_CATEGORIES",
    "LIBRARY_CRITERIA", "LIBRARY_FEATURES", "LIBRARY_REACH", "LISTING", "MODALITIES", "NON_TOKEN_KINDS",
    "PROVIDER_KINDS", "USE_CASES", "VARIANTS", "ApiKind", "AuthHeader", "AuthoredProviderKind", "Capability", "Kind",
    "LibraryCategory", "LibraryCriterion", "LibraryFeature", "LibraryReach", "Modality", "ProviderKind", "SourceTag",
    "UseCase", "Variant",
]
