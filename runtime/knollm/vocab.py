"""The closed vocabularies of the bundle, defined once: model kinds, modalities, capabilities, offer variants,
provider kinds and the library guide's categories, features, criteria, use cases and reach. The compiler
validates against these (its `bundle_vocab` re-exports them), the runtime filters by them,
the CLI offers them as choices, and the explorer receives them in its data file; a test checks that the
compiler's record types use exactly these values."""

from __future__ import annotations

from typing import Literal, get_args

Kind = Literal["chat", "embedding", "image", "audio", "rerank", "moderation", "other"]
KINDS: tuple[Kind, ...] = get_args(Kind)

Modality = Literal["text", "image", "audio", "video", "file", "embedding"]
MODALITIES: tuple[Modality, ...] = get_args(Modality)

Capability = Literal[
    "tools", "parallel_tools", "vision", "json_mode", "structured_output", "reasoning", "streaming", "fine_tuning",
    "prompt_caching", "web_search", "audio_input", "audio_output", "pdf_input", "fim", "computer_use",
    "system_messages",
]
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)

Variant = Literal["free", "batch", "flex", "quantized", "extended", "confidential"]
VARIANTS: tuple[Variant, ...] = get_args(Variant)
"""Offers of a family's model sold apart from the regular one: a free tier, batch or flex (slower, cheaper)
processing, or lower-precision weights. The rules that read them from ids are in catalog/families/."""

AuthoredProviderKind = Literal["first-party", "inference-host", "aggregator", "local"]
"""What an authored provider file may declare."""
ProviderKind = Literal["first-party", "inference-host", "aggregator", "local", "unknown"]
"""A bundle provider's kind: the authored ones, or `unknown` for providers known only from listings."""
PROVIDER_KINDS: tuple[ProviderKind, ...] = get_args(ProviderKind)

AuthHeader = Literal[
    "bearer", "token", "authorization-raw", "x-api-key", "api-key", "x-goog-api-key", "custom", "aws-sigv4",
    "google-oauth", "none",
]
"""How a provider expects its key: `bearer` is `Authorization: Bearer <key>`, `token` `Authorization: Token <key>`,
`authorization-raw` the bare key in `Authorization`, `custom` the header named in `header_name`."""
AUTH_HEADERS: tuple[AuthHeader, ...] = get_args(AuthHeader)

Strategy = Literal["ordered", "cheapest", "fastest", "balanced", "shuffle"]
"""How a route orders its candidates (see `knollm.router.choose`)."""
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)

ApiKind = Literal["openai", "anthropic", "gemini", "cohere", "bedrock", "vertex", "azure-openai", "other"]
"""The request shape a provider's API speaks (the client speaks the first three)."""
API_KINDS: tuple[ApiKind, ...] = get_args(ApiKind)

LibraryCategory = Literal["http-client", "official-sdk", "unified-client", "framework", "structured-output", "tool"]
"""What kind of Python LLM library a guide entry is."""
LIBRARY_CATEGORIES: tuple[LibraryCategory, ...] = get_args(LibraryCategory)

LibraryFeature = Literal["sync", "async", "streaming", "tools", "structured_output", "vision"]
"""Feature flags every library record carries."""
LIBRARY_FEATURES: tuple[LibraryFeature, ...] = get_args(LibraryFeature)

LibraryCriterion = Literal["api_design", "docs", "maintenance", "performance", "flexibility"]
"""Our rating criteria for libraries, each 1 (poor) to 5 (excellent)."""
LIBRARY_CRITERIA: tuple[LibraryCriterion, ...] = get_args(LibraryCriterion)

UseCase = Literal["simple-calls", "multi-provider", "structured-output", "agents", "rag", "local-models",
                  "lowest-overhead"]
"""What a library is recommended for: `judgement.best_for` and `LibraryGuide.recommend(use_case=...)`."""
USE_CASES: tuple[UseCase, ...] = get_args(UseCase)

LibraryReach = Literal["native", "openai-compatible", "http"]
"""How a library reaches a provider (its `compatibility` values)."""
LIBRARY_REACH: tuple[LibraryReach, ...] = get_args(LibraryReach)

CallableApiKind = Literal["openai", "anthropic", "gemini"]
"""The API kinds the client speaks (a subset of `ApiKind`): the configuration's `api` and the fake provider's APIs."""
CALLABLE_API_KINDS: tuple[CallableApiKind, ...] = get_args(CallableApiKind)

ClientAuthHeader = Literal["bearer", "token", "authorization-raw", "x-api-key", "x-goog-api-key", "api-key", "none"]
"""The catalog's `auth.header` values the client can send (a subset of `AuthHeader`; `custom` is sent as
`custom:<Header-Name>`)."""
CLIENT_AUTH_HEADERS: tuple[ClientAuthHeader, ...] = get_args(ClientAuthHeader)

ConfigAuthHeader = Literal["bearer", "x-api-key", "x-goog-api-key", "api-key", "none"]
"""How a configuration file may say its key is sent (a subset of `ClientAuthHeader`)."""
