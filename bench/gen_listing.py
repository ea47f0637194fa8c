"""Generate a large, realistic-looking provider listing for the scale benchmark (never committed).

The listing has the OpenRouter shape (`{"data": [...]}`, prices as per-token decimal strings under `pricing`,
`context_length`, modalities, supported parameters): ids are `<org>/<family>-<version>-<size>[-<suffix>]` over
a few dozen real-looking families, so families, calibration and outlier flags see large groups of peers, as a
hub-sized listing would give them. Deterministic for a seed.

Usage: python bench/gen_listing.py OUT_DIR [--models N] [--seed S] [--provider NAME]
(writes OUT_DIR/models_<provider>.json and prints its path).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

FAMILIES = (
    ("llama", ("3", "3.1", "3.2", "3.3", "4"), ("1b", "3b", "8b", "70b", "405b")),
    ("qwen", ("2", "2.5", "3"), ("0.5b", "1.5b", "7b", "14b", "32b", "72b")),
    ("mistral", ("7b-v0.1", "7b-v0.2", "7b-v0.3"), ("instruct", "base")),
    ("mixtral", ("8x7b", "8x22b"), ("instruct", "v0.1")),
    ("gemma", ("2", "3"), ("2b", "4b", "9b", "12b", "27b")),
    ("phi", ("3", "3.5", "4"), ("mini", "medium", "small")),
    ("deepseek-r1", ("distill-llama", "distill-qwen"), ("1.5b", "7b", "8b", "14b", "32b", "70b")),
    ("deepseek-coder", ("v2", "6.7b", "33b"), ("instruct", "base")),
    ("falcon", ("7b", "40b", "180b"), ("instruct", "chat")),
    ("yi", ("1.5", "34b"), ("6b", "9b", "chat")),
    ("command-r", ("", "plus"), ("08-2024", "04-2024")),
    ("granite", ("3.0", "3.1", "3.3"), ("2b", "8b")),
    ("olmo", ("2", "7b"), ("instruct", "sft")),
    ("starcoder", ("2",), ("3b", "7b", "15b")),
    ("nous-hermes", ("2", "3"), ("8b", "70b", "mixtral")),
)
ORGS = tuple(f"{a}{b}" for a in ("neo", "open", "deep", "tiny", "meta", "blue", "ai", "hyper", "lab", "core")
             for b in ("labs", "mind", "forge", "ai", "works", "hub", "stack", "ml", "research", "cloud"))
SUFFIXES = ("", "", "", "instruct", "chat", "gguf", "awq", "gptq", "fp8", "abliterated", "uncensored", "dpo",
            "sft", "lora", "merge", "turbo", "preview", "free")
CONTEXTS = (4096, 8192, 16384, 32768, 65536, 131072, 200000, 1048576)
PARAMETERS = ("max_tokens", "temperature", "top_p", "stop", "seed", "tools", "tool_choice", "response_format",
              "frequency_penalty", "presence_penalty", "logprobs", "reasoning")
# Typical per-million prices by size; the listing states them per token, as OpenRouter does.
PRICE_BY_SIZE = {"b": (0.02, 0.9), "x": (0.4, 1.2)}


def model_entry(rng: random.Random, index: int, taken: set[str]) -> dict[str, Any]:
    family, versions, sizes = rng.choice(FAMILIES)
    version = rng.choice(versions)
    size = rng.choice(sizes)
    suffix = rng.choice(SUFFIXES)
    org = rng.choice(ORGS)
    stem = "-".join(p for p in (family, version, size, suffix) if p)
    model_id = f"{org}/{stem}" if f"{org}/{stem}" not in taken else f"{org}/{stem}-{index:05d}"
    taken.add(model_id)
    low, high = PRICE_BY_SIZE["x" if "x" in size else "b"]
    prompt = round(rng.uniform(low, high), 3)
    completion = round(prompt * rng.choice((1, 1.5, 2, 3, 4)), 3)
    context = rng.choice(CONTEXTS)
    pricing = {"prompt": _per_token(prompt), "completion": _per_token(completion), "request": "0", "image": "0"}
    if suffix == "free":
        pricing.update(prompt="0", completion="0")
    elif rng.random() < 0.2:
        pricing["input_cache_read"] = _per_token(round(prompt / 4, 4))
    if rng.random() < 0.01:  # a few outliers, as real listings have
        pricing["prompt"] = _per_token(prompt * 50)
    vision = rng.random() < 0.15
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "name": f"{org.title()}: {stem.replace('-', ' ').title()}",
        "created": 1_700_000_000 + rng.randrange(60_000_000),
        "description": f"{stem} fine-tuned by {org}; synthetic benchmark entry {index}.",
        "context_length": context,
        "architecture": {
            "modality": "text+image->text" if vision else "text->text",
            "input_modalities": ["text", "image"] if vision else ["text"],
            "output_modalities": ["text"],
            "tokenizer": family.split("-")[0].title(),
            "instruct_type": None,
        },
        "pricing": pricing,
        "top_provider": {"context_length": context, "max_completion_tokens": rng.choice((None, 4096, 8192, 16384)),
                         "is_moderated": False},
        "per_request_limits": None,
        "supported_parameters": sorted(rng.sample(PARAMETERS, rng.randrange(3, len(PARAMETERS)))),
    }


def _per_token(per_million: float) -> str:
    """A per-token decimal string, as listings print them (no exponent)."""
    return f"{per_million / 1e6:.12f}".rstrip("0").rstrip(".") or "0"


def generate(out_dir: Path, models: int = 100_000, seed: int = 12, provider: str = "scalehub") -> Path:
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"models_{provider}.json"
    taken: set[str] = set()
    document = {"data": [model_entry(rng, index, taken) for index in range(models)]}
    path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--provider", default="scalehub")
    args = parser.parse_args()
    print(generate(args.out_dir, args.models, args.seed, args.provider))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
