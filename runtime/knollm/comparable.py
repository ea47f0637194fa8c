"""The one comparable price of an offer: what "cheapest" and the price sort mean everywhere.

A chat request reads more than it writes, so input and output prices are blended 3:1 (three input tokens per
output token), in USD per million tokens: `(3 × input + output) / 4`. The compiler (family cheapest, upstream
routes), the runtime (`price` sort, `cheapest`), the site (family tables, whose *turn* of 3,000 input and 1,000
output tokens costs exactly 4,000 × this price) and the explorer (which reads the weights from its data file)
all use this definition, so their orders agree.

Models whose kind has no output tokens (embedding, rerank, moderation) compare by their input price alone.
"""

from __future__ import annotations

from decimal import Decimal

INPUT_WEIGHT = 3
OUTPUT_WEIGHT = 1
OUTPUT_OPTIONAL_KINDS = ("embedding", "rerank", "moderation")
"""Model kinds that produce no output tokens: their comparable price is the input price."""
TURN_TOKENS = (3_000, 1_000)
"""A chat turn in the blend's proportions (input, output tokens): its cost orders offers as this price does."""

_TOTAL_WEIGHT = INPUT_WEIGHT + OUTPUT_WEIGHT


def comparable_price(input_per_mtok: Decimal | None, output_per_mtok: Decimal | None,
                     kind: str | None = None) -> Decimal | None:
    """The blended 3:1 price per million tokens, or None (compares last) when a price it needs is unknown."""
    if input_per_mtok is None:
        return None
    if output_per_mtok is None:
        return input_per_mtok if kind in OUTPUT_OPTIONAL_KINDS else None
    return (INPUT_WEIGHT * input_per_mtok + OUTPUT_WEIGHT * output_per_mtok) / _TOTAL_WEIGHT


def explorer_rule() -> dict[str, object]:
    """The rule as data for the explorer, so the JavaScript sort never restates the weights."""
    return {"input_weight": INPUT_WEIGHT, "output_weight": OUTPUT_WEIGHT,
            "output_optional": list(OUTPUT_OPTIONAL_KINDS)}
