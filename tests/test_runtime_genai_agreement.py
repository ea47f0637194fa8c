"""Cost estimates against genai-prices on the real corpus: every (model, usage) case both sides can price.

The full-corpus bundle is compiled from ../shared/model_catalog (KNOLLM_CORPUS) into a temp dir; the test is
skipped only when that directory is absent. Sources legitimately differ (our prices come from provider
listings and LiteLLM's map as of the data date; genai-prices keeps its own curated, dated map and matches
model ids fuzzily), so the test asserts agreement to the cent on a clear majority and that *every*
disagreement gets a named reason. Run with `-s` to see the table of disagreements.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import knollm
from corpus import CORPUS, CORPUS_TIER, REPO

genai_prices = pytest.importorskip("genai_prices")

CENT = Decimal("0.01")

pytestmark = CORPUS_TIER

# Our provider id -> genai-prices provider id, for providers both catalogs price.
PROVIDERS = {
    "anthropic": "anthropic", "aws-bedrock": "aws", "azure-openai": "azure", "baseten": "baseten",
    "cerebras": "cerebras", "cloudflare-workers-ai": "cloudflare", "cohere": "cohere", "databricks": "databricks",
    "deepseek": "deepseek", "fireworks": "fireworks", "gemini": "google", "google-vertex": "google", "groq": "groq",
    "mistral": "mistral", "moonshot": "moonshotai", "openai": "openai", "openrouter": "openrouter",
    "perplexity": "perplexity", "togetherai": "together", "xai": "x-ai", "zai": "zai",
}


@dataclass(frozen=True)
class Usage:
    name: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0
    requests: int = 1


USAGES = (
    Usage("chat 10k/1k x100", 10_000, 1_000, requests=100),
    Usage("long 250k/5k x10", 250_000, 5_000, requests=10),
    Usage("cached 100k(80k)/2k x10", 100_000, 2_000, cached_input_tokens=80_000, requests=10),
)
REGION = re.compile(r"(^|/)(us-gov-|us-|eu-|ap-|ca-|sa-|me-|af-)[a-z]+-\d/|^(eu|us|apac|jp|au)\.")


@dataclass
class Case:
    model: knollm.Model
    usage: Usage
    ours: Decimal
    theirs: Decimal
    matched: str
    their_price: Any

    @property
    def agrees(self) -> bool:
        return abs(self.ours - self.theirs) < CENT


def compiled(tmp_path_factory: pytest.TempPathFactory, **options: bool) -> knollm.Catalog:
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    path = tmp_path_factory.mktemp("corpus-bundle") / "catalog.json"
    path.write_bytes(bundle_bytes(compile_catalog(REPO / "catalog", CORPUS, **options).bundle))
    return knollm.Catalog.load(path)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> knollm.Catalog:
    """Independent data: listings and LiteLLM only (compile_catalog's default leaves genai-prices out)."""
    return compiled(tmp_path_factory)


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> knollm.Catalog:
    """The bundle as `make build` ships it: genai-prices' curated prices merged in by the compiler."""
    try:
        return compiled(tmp_path_factory, use_genai_prices=True)
    except TypeError:
        pytest.skip("this compiler cannot merge genai-prices")


def when(catalog: knollm.Catalog) -> datetime:
    day = datetime.strptime(catalog.data_date or "2025-09-08", "%Y-%m-%d")
    return day.replace(hour=12, tzinfo=UTC)


def theirs(model: knollm.Model, usage: Usage, timestamp: datetime) -> Any:
    """genai-prices' calculation for one request of `usage`, or None when it does not cover the model."""
    cache = {"cache_read_tokens": usage.cached_input_tokens} if usage.cached_input_tokens else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return genai_prices.calc_price(
                genai_prices.Usage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, **cache),
                model_ref=model.model_id, provider_id=PROVIDERS[model.provider], genai_request_timestamp=timestamp,
            )
        except (LookupError, ValueError):
            return None


def applicable(model: knollm.Model, usage: Usage, calc: Any) -> bool:
    """Whether both sides can price this usage as asked (context fits; cache prices known on both sides)."""
    window = model.context_window
    if window is not None and usage.input_tokens + usage.output_tokens > window:
        return False
    if usage.cached_input_tokens:
        return model.pricing.cache_read_per_mtok is not None and calc.model_price.cache_read_mtok is not None
    return True


def collect(catalog: knollm.Catalog) -> tuple[list[Case], Counter]:
    timestamp = when(catalog)
    cases: list[Case] = []
    skipped: Counter = Counter()
    for model in catalog.search(provider=tuple(PROVIDERS), kind="chat", priced=True):
        if model.pricing.output_per_mtok is None:
            skipped["no output price in our data"] += 1
            continue
        for usage in USAGES:
            calc = theirs(model, usage, timestamp)
            if calc is None:
                skipped["not in genai-prices"] += 1
                continue
            if not applicable(model, usage, calc):
                skipped["usage not applicable (context or cache price)"] += 1
                continue
            try:
                ours = knollm.estimate_cost(model, usage.input_tokens, usage.output_tokens,
                                            usage.cached_input_tokens, requests=usage.requests)
            except knollm.PriceUnknown:
                skipped["price unknown in our data"] += 1
                continue
            cases.append(Case(model, usage, ours.total, calc.total_price * usage.requests, calc.model.id,
                              calc.model_price))
    return cases, skipped


def base(price: Any) -> Decimal | None:
    """The base rate of a genai-prices price (plain Decimal or TieredPrices)."""
    return getattr(price, "base", price)


def their_rate(price: Any, input_tokens: int) -> Decimal | None:
    """genai-prices' rate in force for a request of `input_tokens` (its TieredPrices cliff rule)."""
    for tier in reversed(getattr(price, "tiers", ())):
        if input_tokens > tier.start:
            return tier.price
    return base(price)


def tiers_text(thresholds: list[int]) -> str:
    return "tier above " + "/".join(f"{t:,}" for t in thresholds) if thresholds else "no tier"


def reason(case: Case) -> str:
    """Why a case disagrees, most specific first. 'unexplained' (same rates, different total) fails the test."""
    ours, theirs_ = case.model.pricing, case.their_price
    n, cached = case.usage.input_tokens, case.usage.cached_input_tokens
    our_fee, their_fee = (ours.per_request or 0) * 1000, theirs_.requests_kcount or 0
    if our_fee != their_fee:
        return f"per-request fee differs: ours ${our_fee}/1k requests, genai-prices ${their_fee}/1k"
    keys = [("input_per_mtok", "input_mtok"), ("output_per_mtok", "output_mtok")]
    keys += [("cache_read_per_mtok", "cache_read_mtok")] if cached else []
    effective_ours = [ours.rate(k, n) for k, _ in keys]
    effective_theirs = [their_rate(getattr(theirs_, t), n) for _, t in keys]
    if effective_ours == effective_theirs:
        return "unexplained"
    if [getattr(ours, k) for k, _ in keys] == [base(getattr(theirs_, t)) for _, t in keys]:
        our_tiers = [t.above_input_tokens for t in ours.tiers]
        their_tiers = [t.start for t in getattr(theirs_.input_mtok, "tiers", ())]
        if our_tiers == their_tiers:
            return f"long-context tier prices differ (both {tiers_text(our_tiers)})"
        return f"long-context tier differs: ours {tiers_text(our_tiers)}, genai-prices {tiers_text(their_tiers)}"
    if REGION.search(case.model.model_id):
        return "regional / cross-region price in our data (LiteLLM); genai-prices has the base region only"
    if ours.input_per_mtok == 0 and ours.output_per_mtok == 0:
        return "free (experimental/preview) in our data; genai-prices matched it to a paid model"
    bare, matched = case.model.model_id.lower().rsplit("/", 1)[-1], case.matched.lower().rsplit("/", 1)[-1]
    if not (bare.startswith(matched) or matched.startswith(bare)):
        return f"genai-prices matched another model id ({case.matched})"
    if effective_ours[:2] == effective_theirs[:2]:
        return "cache read price differs"
    source = (case.model.source_of("pricing.input_per_mtok") or "?")
    if source == "listing":
        return "provider listing price (live, at the data date) differs from genai-prices' curated price"
    return f"base price differs ({source} vs genai-prices): one source is stale or newer"


def test_costs_agree_with_genai_prices(catalog: knollm.Catalog) -> None:
    cases, skipped = collect(catalog)
    agreeing = [c for c in cases if c.agrees]
    disagreeing = [c for c in cases if not c.agrees]
    reasons = Counter(reason(c).split(":")[0].split(" (")[0] for c in disagreeing)
    summary = f"{len(agreeing)}/{len(cases)} agree; reasons {dict(reasons.most_common())}"
    print(f"\ngenai-prices agreement: {len(agreeing)} of {len(cases)} cases agree to the cent "
          f"({len({c.model.id for c in cases})} models); skipped: {dict(skipped)}")
    print("per usage:", {u.name: f"{sum(c.agrees for c in cases if c.usage is u)}/"
                               f"{sum(1 for c in cases if c.usage is u)}" for u in USAGES})
    print("disagreement reasons:", dict(reasons.most_common()))
    for c in disagreeing:
        print(f"  {c.model.id:<60} {c.usage.name:<24} ours {c.ours:>12} theirs {c.theirs:>12}  {reason(c)}")
    assert len(agreeing) >= 200, summary
    assert len(agreeing) / len(cases) >= 0.7, summary
    unexplained = [(c.model.id, c.usage.name, c.ours, c.theirs) for c in disagreeing if reason(c) == "unexplained"]
    assert unexplained == [], summary


def test_identical_prices_give_identical_costs(catalog: knollm.Catalog) -> None:
    """Where both sides hold the very same prices, every usage agrees exactly (not just to the cent)."""
    cases, _ = collect(catalog)
    same = [
        c for c in cases
        if c.model.pricing.input_per_mtok == c.their_price.input_mtok
        and c.model.pricing.output_per_mtok == c.their_price.output_mtok
        and not c.model.pricing.tiers and c.their_price.requests_kcount is None and not c.model.pricing.per_request
        and (not c.usage.cached_input_tokens or c.model.pricing.cache_read_per_mtok == c.their_price.cache_read_mtok)
    ]
    assert len(same) >= 200
    mismatched = [(c.model.id, c.usage.name, c.ours, c.theirs) for c in same if c.ours != c.theirs]
    assert mismatched == []


def test_long_context_tiers_agree_where_both_have_them(catalog: knollm.Catalog) -> None:
    """The cliff rule: above the threshold the tier price applies to every token, on both sides."""
    cases, _ = collect(catalog)
    tiered = [
        c for c in cases
        if c.model.pricing.tier_for(c.usage.input_tokens) is not None
        and hasattr(c.their_price.input_mtok, "tiers")
        and [c.model.pricing.rate(k, c.usage.input_tokens) for k in ("input_per_mtok", "output_per_mtok")]
        == [their_rate(c.their_price.input_mtok, c.usage.input_tokens),
            their_rate(c.their_price.output_mtok, c.usage.input_tokens)]
    ]
    assert len(tiered) >= 5
    assert [(c.model.id, c.ours, c.theirs) for c in tiered if c.ours != c.theirs] == []


def test_curated_prices_give_the_same_costs(enriched: knollm.Catalog) -> None:
    """Where the shipped bundle's prices come from genai-prices, knollm's arithmetic (cache split, tiers, request
    multiplier) must reproduce genai-prices' totals to the cent on every case, not just a majority."""
    cases, _ = collect(enriched)
    curated = [
        c for c in cases
        if all(c.model.source_of(f"pricing.{key}") == "genai-prices"
               for key in ("input_per_mtok", "output_per_mtok")
               + (("cache_read_per_mtok",) if c.usage.cached_input_tokens else ()))
        and (not c.model.pricing.tiers or c.model.source_of("pricing.tiers") == "genai-prices")
        and not c.model.pricing.per_request
    ]
    disagreeing = [(c.model.id, c.usage.name, c.ours, c.theirs, reason(c)) for c in curated if not c.agrees]
    print(f"\ncurated (genai-prices-sourced) prices: {len(curated) - len(disagreeing)} of {len(curated)} agree")
    for row in disagreeing:
        print("  ", *row)
    assert len(curated) >= 200
    assert disagreeing == []
