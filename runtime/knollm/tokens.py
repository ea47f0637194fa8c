"""Counting tokens in a text, to feed `estimate_cost`.

With `tiktoken` installed (`pip install 'claif-knollm[tokens]'`) the count is exact for OpenAI tokenizers:
the model's own encoding when tiktoken knows the model, else `o200k_base`. Other vendors' tokenizers differ,
so for them it is a close estimate.

Without tiktoken (or when its encoding files cannot be loaded, e.g. offline) the count is an estimate:
**one token per 4 characters, rounded up** (`ceil(len(text) / 4)`), OpenAI's rule of thumb for English text.
Code, non-Latin scripts and unusual text can be off by a factor of 2 or more.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

CHARS_PER_TOKEN = 4
DEFAULT_ENCODING = "o200k_base"
ESTIMATE = "estimate:4-chars-per-token"


def estimate_tokens(text: str) -> int:
    """The documented estimate: `ceil(len(text) / 4)` (0 for an empty text)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def count_tokens(text: str, model: str | None = None) -> int:
    """Tokens in `text` for `model` (a global `provider/model-id` or a bare model id; optional).

    Uses tiktoken when it is installed and can load an encoding, else `estimate_tokens`. `tokenizer(model)`
    says which method is used.
    """
    encoder = _encoder(_bare(model))
    if encoder is None:
        return estimate_tokens(text)
    return len(encoder.encode(text, disallowed_special=()))


def tokenizer(model: str | None = None) -> str:
    """How `count_tokens` counts for `model`: `tiktoken:<encoding>` or `estimate:4-chars-per-token`."""
    encoder = _encoder(_bare(model))
    return f"tiktoken:{encoder.name}" if encoder is not None else ESTIMATE


def _bare(model: str | None) -> str | None:
    return model.rsplit("/", 1)[-1] if model else None


@cache
def _encoder(model: str | None) -> Any:
    try:
        import tiktoken
    except ImportError:
        return None
    try:
        if model:
            try:
                return tiktoken.encoding_for_model(model)
            except KeyError:
                pass
        return tiktoken.get_encoding(DEFAULT_ENCODING)
    except Exception:  # encoding files unavailable (offline, blocked); fall back to the estimate
        return None
