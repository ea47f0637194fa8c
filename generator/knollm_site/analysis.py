"""Numbers for the overview, capability and pricing pages: counts, cheapest offers, workload costs.

Every price comparison goes through the runtime (`price_key`, `knollm.compare`), so the site ranks models
exactly as `catalog.cheapest()` and `knollm costs compare` do. "Cheapest" on these pages means cheapest
*paid* model: free offers (price 0, usually rate-limited) are counted separately; variants (batch, flex, ...)
and prices with an outlier flag are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import knollm
from knollm import CostBreakdown, Model
from knollm.query import price_key
from knollm.vocab import CAPABILITIES, KINDS

from .views import SiteData, paid_chat_models

CAPABILITY_DOCS: dict[str, str] = {
    "tools": "Function (tool) calling: the model answers with structured calls to functions you declare.",
    "parallel_tools": "Several tool calls in one response.",
    "vision": "Reads images in the prompt.",
    "json_mode": "A mode that guarantees syntactically valid JSON output.",
    "structured_output": "Output constrained to a JSON Schema you supply.",
    "reasoning": "Thinks before answering (a reasoning or thinking mode; the thinking is billed as output).",
    "streaming": "Streams the response as it is generated.",
    "fine_tuning": "The provider offers fine-tuning of this model.",
    "prompt_caching": "Repeated prompt prefixes are cached and billed at the lower cache-read price.",
    "web_search": "Can search the web while answering.",
    "audio_input": "Accepts audio in the prompt.",
    "audio_output": "Produces audio.",
    "pdf_input": "Accepts PDF files in the prompt.",
    "fim": "Fill-in-the-middle completion for code (a prefix and a suffix in, the middle out).",
    "computer_use": "Operates a computer through screenshots and keyboard and mouse actions.",
    "system_messages": "Follows a system message (the system role).",
}
CONTEXT_CLASSES: tuple[tuple[str, int], ...] = (("any", 0), ("32k+", 32_000), ("128k+", 128_000),
                                                ("1M+", 1_000_000))
WORKLOADS: tuple[tuple[str, str, int, int], ...] = (
    ("Classification", "a short prompt, a one-word label", 300, 5),
    ("Chat turn", "a conversation turn with some history", 2_000, 500),
    ("RAG answer", "retrieved passages plus a question", 20_000, 800),
    ("Long document", "a whole report in the prompt", 200_000, 2_000),
)
TOP = 10


@dataclass(frozen=True)
class CapabilityRow:
    """One capability: how many models declare it, and the cheapest paid chat model that does."""

    name: str
    description: str
    declared_yes: int
    declared_no: int
    providers: int
    free: int
    cheapest: Model | None


@dataclass(frozen=True)
class Workload:
    """A typical request and the cheapest paid chat models for it (exact cost of one request)."""

    name: str
    description: str
    input_tokens: int
    output_tokens: int
    rows: tuple[CostBreakdown, ...]
    candidates: int


def kind_counts(catalog: knollm.Catalog) -> list[tuple[str, int, int]]:
    """(kind, models, priced models) for every kind present, in vocabulary order."""
    total = Counter(m.kind for m in catalog.models)
    priced = Counter(m.kind for m in catalog.models if m.input_price is not None)
    return [(kind, total[kind], priced[kind]) for kind in KINDS if total[kind]]


def priced_count(catalog: knollm.Catalog) -> int:
    """Models with a known input price (the `priced` filter of the runtime)."""
    return sum(1 for m in catalog.models if m.input_price is not None)


def free_chat_models(models: Sequence[Model]) -> list[Model]:
    """Chat models whose input and output prices are both known to be zero."""
    return [m for m in models if m.kind == "chat" and price_key(m) == 0]


def cheapest_paid(models: Sequence[Model], capability: str | None = None, min_context: int = 0) -> Model | None:
    """The cheapest paid chat model declaring `capability` (any when None) with at least `min_context`."""
    for model in models:
        if capability is not None and model.capabilities.get(capability) is not True:
            continue
        if min_context and (model.context_window is None or model.context_window < min_context):
            continue
        return model
    return None


def capability_rows(catalog: knollm.Catalog) -> list[CapabilityRow]:
    """One row per capability of the vocabulary (including those no model declares yet)."""
    paid = paid_chat_models(catalog.models)
    free = free_chat_models(catalog.models)
    rows = []
    for name in CAPABILITIES:
        yes = [m for m in catalog.models if m.capabilities.get(name) is True]
        no = sum(1 for m in catalog.models if m.capabilities.get(name) is False)
        rows.append(CapabilityRow(
            name=name,
            description=CAPABILITY_DOCS.get(name, ""),
            declared_yes=len(yes),
            declared_no=no,
            providers=len({m.provider for m in yes}),
            free=sum(1 for m in free if m.capabilities.get(name) is True),
            cheapest=cheapest_paid(paid, name),
        ))
    return rows


def cheapest_matrix(catalog: knollm.Catalog) -> list[tuple[str | None, list[Model | None]]]:
    """Rows (capability, or None for any) x `CONTEXT_CLASSES`: the cheapest paid chat model in each cell."""
    paid = paid_chat_models(catalog.models)
    declared = [c for c in CAPABILITIES if any(m.capabilities.get(c) is True for m in paid)]
    return [(cap, [cheapest_paid(paid, cap, floor) for _, floor in CONTEXT_CLASSES]) for cap in (None, *declared)]


def workloads(catalog: knollm.Catalog, top: int = TOP) -> list[Workload]:
    """The cheapest paid chat models for each typical workload (context window known and large enough)."""
    paid = paid_chat_models(catalog.models)
    found = []
    for name, description, tokens_in, tokens_out in WORKLOADS:
        fits = [m for m in paid if m.context_window is not None and m.context_window >= tokens_in + tokens_out]
        costs = knollm.compare(fits, tokens_in, tokens_out).costs
        rows = tuple(c for c in costs if c.total > 0)[:top]
        found.append(Workload(name, description, tokens_in, tokens_out, rows, len(fits)))
    return found


def quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal] | None:
    """Lower quartile, median and upper quartile (nearest rank) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)

    def rank(q: int) -> Decimal:
        return ordered[min(len(ordered) - 1, (len(ordered) - 1) * q // 4)]

    return rank(1), rank(2), rank(3)


def price_spread(site: SiteData) -> dict[str, tuple[Decimal, Decimal, Decimal] | None]:
    """Quartiles of input and output prices over paid chat models."""
    paid = paid_chat_models(site.catalog.models)
    return {
        "input": quartiles([m.input_price for m in paid if m.input_price is not None]),
        "output": quartiles([m.output_price for m in paid if m.output_price is not None]),
    }


# Prices beyond tokens ranked on the pricing page: (price attribute, kind of the models ranked (None: any), what
# it buys, unit). The kind keeps e.g. chat models billed by input characters out of the text-to-speech ranking.
BEYOND_TOKEN_RANKINGS = (
    ("audio_input_per_hour", "audio", "Speech to text", "/hour of audio"),
    ("per_mchar", "audio", "Text to speech, by characters", "/M characters"),
    ("audio_output_per_hour", "audio", "Text to speech, by audio length", "/hour of audio"),
    ("per_image", "image", "Images", "/image"),
    ("per_kquery", None, "Rerank and search queries", "/1K queries"),
    ("web_search_per_k", None, "Web search (a fee on top of tokens)", "/1K searches"),
)


def beyond_token_rankings(catalog: knollm.Catalog, top: int = TOP) -> list[tuple[str, str, list[Model]]]:
    """Per price beyond tokens: (attribute, label and unit, the `top` cheapest models charging it), paid ones
    only (a $0 fee is usually a placeholder for a fee the model does not have); ties by id."""
    rankings = []
    for attribute, kind, label, unit in BEYOND_TOKEN_RANKINGS:
        charged = [m for m in catalog.models if m.pricing and getattr(m.pricing, attribute)
                   and (kind is None or m.kind == kind) and m.variant is None and not m.price_flags]
        charged.sort(key=lambda m: (getattr(m.pricing, attribute), m.id))
        if charged:
            rankings.append((attribute, f"{label} (USD{unit})", charged[:top]))
    return rankings
