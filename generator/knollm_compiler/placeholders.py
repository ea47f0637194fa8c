"""Zero is a price only where a source means it.

Sources write 0 for "free" and for "we do not know": LiteLLM's map puts 0/0 on models billed by the instance
hour, catalogs put 0 token prices on image and rerank models billed per image or per query, listings put a 0
cache price beside a paid input price. A zero is kept as "free" when the source says so explicitly: the id or
name says free, the provider runs locally, or a provider's own listing or curated price list declares a chat
model at $0. Everything else that is zero is a placeholder and becomes unknown, with the reason recorded.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .bundle_vocab import NON_TOKEN_KINDS
from .drafts import Draft
from .infer import declared_or_inferred_kind
from .ingest.nontoken import PRIMARY
from .precedence import DECLARING_SOURCES
from .problems import Problem, Severity

FREE_WORD = re.compile(r"(^|[^a-z])free([^a-z]|$)", re.IGNORECASE)
TOKEN_PRICES = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
                "reasoning_per_mtok")
ZERO = Decimal(0)


def said_free(draft: Draft, local_providers: frozenset[str]) -> bool:
    name = draft.values.get("name")
    return bool(FREE_WORD.search(draft.model_id) or (isinstance(name, str) and FREE_WORD.search(name))
                or draft.provider in local_providers)


def drop_placeholder_zeros(draft: Draft, local_providers: frozenset[str]) -> list[Problem]:
    """Remove zero prices that mean "unknown" from one draft; returns one problem per removed value."""
    priced = [(k, v) for k, v in draft.values.items() if k.startswith("pricing.") and k != "pricing.tiers"]
    if not any(value == ZERO for _, value in priced) or said_free(draft, local_providers):
        return []  # `_placeholders` drops zeros only: without one, nothing more is looked at (nor the kind inferred)
    prices = {k.removeprefix("pricing."): v for k, v in priced}
    kind = declared_or_inferred_kind(draft.model_id, draft.values)
    billed_by = next((k.rpartition(".")[2] for k in PRIMARY if draft.values.get(k)), None)
    reasons = _placeholders(prices, kind, draft.source, billed_by)
    problems = []
    for name, reason in sorted(reasons.items()):
        del draft.values[f"pricing.{name}"]
        problems.append(Problem(draft.file, draft.model_id, f"pricing.{name}",
                                f"0 read as unknown, a placeholder: {reason}", Severity.DROPPED))
    _drop_zero_tiers(draft.values, set(reasons))
    return problems


def _placeholders(prices: dict[str, Any], kind: str, source: str, billed_by: str | None) -> dict[str, str]:
    zero = {name for name, value in prices.items() if value == ZERO}
    if not zero:
        return {}
    token_zeros = zero.intersection(TOKEN_PRICES)
    if billed_by is not None:
        return dict.fromkeys(token_zeros, f"a 0 token price beside a {billed_by} price, which the model is billed by")
    if zero == set(prices) and not zero.intersection(TOKEN_PRICES):
        return dict.fromkeys(zero, "only zero extra fees (per request, per image) and no token price: they say "
                                   "nothing about what the model costs")
    if zero == set(prices) and source not in DECLARING_SOURCES:
        return dict.fromkeys(zero, "every price of this model is 0 in a multi-provider map, and nothing says "
                                   "the model is free")
    paid_tokens = any(isinstance(v, Decimal) and v > 0 for k, v in prices.items() if k in TOKEN_PRICES)
    if kind in NON_TOKEN_KINDS and not paid_tokens:
        return dict.fromkeys(token_zeros, f"a 0 token price on a model of kind {kind}, billed by other units")
    found: dict[str, str] = {}
    paid_input = isinstance(prices.get("input_per_mtok"), Decimal) and prices["input_per_mtok"] > 0
    if paid_input and "cache_read_per_mtok" in zero:
        found["cache_read_per_mtok"] = "a free cache read beside a paid input price"
    if paid_input and kind == "chat" and "output_per_mtok" in zero:
        found["output_per_mtok"] = "free output beside a paid input price"
    return found


def _drop_zero_tiers(values: dict[str, Any], dropped: set[str]) -> None:
    tiers = values.get("pricing.tiers")
    if not tiers or not dropped:
        return
    if not any(k.startswith("pricing.") and k != "pricing.tiers" for k in values):
        del values["pricing.tiers"]  # tiers mean nothing without base prices
        return
    kept = {t: {n: v for n, v in tier.items() if not (n in dropped and v == ZERO)} for t, tier in tiers.items()}
    kept = {t: tier for t, tier in kept.items() if tier}
    if kept:
        values["pricing.tiers"] = kept
    else:
        del values["pricing.tiers"]
