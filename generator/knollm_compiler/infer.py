"""Inference from a model's id or name, used only where no source declared the value.

Every value set here is tagged `inferred` in the model's provenance, never passed off as declared.
"""

from __future__ import annotations

import re
from typing import Any

KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rerank", re.compile(r"rerank")),
    ("embedding", re.compile(r"embed|(^|[/_-])(bge|e5|gte|minilm|mpnet)([_-]|$)|retriev|colbert")),
    ("moderation", re.compile(r"moderation|llama-?guard|shieldgemma|prompt-guard|safety")),
    ("audio", re.compile(r"whisper|(^|[/_-])tts([_-]|$)|transcribe|speech|voice|audio|sonic")),
    ("image", re.compile(
        r"dall-e|flux|stable-diffusion|sdxl|sd3|imagen|gpt-image|recraft|ideogram|playground-v|"
        r"image-gen|kandinsky|midjourney|hidream|seedream|(^|[/_-])sd-"
    )),
)
ANY_KIND = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in KIND_PATTERNS))
"""Whether any kind pattern matches: one search rules out all five for the many ids that say nothing (chat)."""
VISION = re.compile(r"vision|(^|[/_.-])vl([/_.-]|$)|-vl-|llava|pixtral|qvq|(^|[/_-])omni([/_-]|$)")
REASONING = re.compile(r"(^|[/_.-])r1([/_.:-]|$)|thinking|qwq|reason|(^|/)o[134](-mini|-pro|-preview)?([-:]|$)")
QUANT = re.compile(
    r"(?:^|[/_.:-])(fp8|fp16|bf16|fp4|nvfp4|int4|int8|awq|gptq|gguf|exl2|w8a8|w4a16|4bit|8bit|"
    r"q[2-8]_k(?:_[sml])?|q[2-8]_[01])(?=$|[/_.:-])",
    re.IGNORECASE,
)
SPEECH_OUT = re.compile(r"(^|[/_-])tts|speech|sonic|voice")


def kind_from_id(model_id: str) -> str:
    """The kind an id suggests; `chat` when nothing in it says otherwise."""
    lowered = model_id.lower()
    if ANY_KIND.search(lowered) is None:
        return "chat"
    return next((k for k, pattern in KIND_PATTERNS if pattern.search(lowered)), "chat")


def declared_or_inferred_kind(model_id: str, declared: dict[str, Any]) -> str:
    return str(declared.get("kind") or declared.get("kind_flag") or kind_from_id(model_id))


def infer(model_id: str, declared: dict[str, Any]) -> dict[str, Any]:
    """Values derivable from the id for fields the sources left empty."""
    lowered = model_id.lower()
    found: dict[str, Any] = {}
    kind = declared_or_inferred_kind(model_id, declared)
    if not (declared.get("kind") or declared.get("kind_flag")):
        found["kind"] = kind
    if "capabilities.vision" not in declared and kind == "chat" and VISION.search(lowered):
        found["capabilities.vision"] = True
    if "capabilities.reasoning" not in declared and kind == "chat" and REASONING.search(lowered):
        found["capabilities.reasoning"] = True
    if "quantization" not in declared and (quant := QUANT.search(model_id)):
        found["quantization"] = quant.group(1).lower()
    if "owned_by" not in declared and "/" in model_id.strip("/"):
        found["owned_by"] = model_id.strip("/").split("/")[-2]
    if "name" not in declared:
        found["name"] = model_id.rstrip("/").rsplit("/", 1)[-1]
    vision = declared.get("capabilities.vision", found.get("capabilities.vision"))
    for target, value in _modalities(kind, lowered, bool(vision)).items():
        if target not in declared:
            found[target] = value
    return found


def _modalities(kind: str, lowered: str, vision: bool) -> dict[str, list[str]]:
    if kind == "chat":
        return {"input_modalities": ["text", "image"] if vision else ["text"], "output_modalities": ["text"]}
    if kind == "embedding":
        return {"input_modalities": ["text"], "output_modalities": ["embedding"]}
    if kind == "image":
        return {"input_modalities": ["text"], "output_modalities": ["image"]}
    if kind == "audio":
        if SPEECH_OUT.search(lowered):
            return {"input_modalities": ["text"], "output_modalities": ["audio"]}
        return {"input_modalities": ["audio"], "output_modalities": ["text"]}
    if kind in ("rerank", "moderation"):
        return {"input_modalities": ["text"]}
    return {}
