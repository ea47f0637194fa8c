"""The closed vocabularies of the bundle: model kinds, modalities, capabilities, provenance tags."""

from __future__ import annotations

from typing import Literal

Kind = Literal["chat", "embedding", "image", "audio", "rerank", "moderation", "other"]
KINDS: tuple[str, ...] = ("chat", "embedding", "image", "audio", "rerank", "moderation", "other")

NON_TOKEN_KINDS = frozenset({"image", "audio", "rerank", "other"})
"""Kinds billed per image, audio time, character, query or page rather than by text tokens: a $0 token price
on such a model says nothing about its price (see `placeholders.py`)."""

Modality = Literal["text", "image", "audio", "video", "file", "embedding"]
MODALITIES: tuple[str, ...] = ("text", "image", "audio", "video", "file", "embedding")

Variant = Literal["free", "batch", "flex", "quantized", "extended", "confidential"]
VARIANTS: tuple[str, ...] = ("free", "batch", "flex", "quantized", "extended", "confidential")
"""Offers of a family's model sold apart from the regular one: a free tier, batch or flex (slower, cheaper)
processing, or lower-precision weights. The rules that read them from ids are in catalog/families/."""

CAPABILITIES: tuple[str, ...] = (
    "tools",
    "parallel_tools",
    "vision",
    "json_mode",
    "structured_output",
    "reasoning",
    "streaming",
    "fine_tuning",
    "prompt_caching",
    "web_search",
    "audio_input",
    "audio_output",
    "pdf_input",
    "fim",
    "computer_use",
    "system_messages",
)

# Where a field's value came from. Everything except INFERRED was declared by a source.
INFERRED = "inferred"
LISTING = "listing"
SourceTag = str
