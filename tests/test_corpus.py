"""Real-corpus tier: the captured /models responses of 32 providers in ../shared/model_catalog.

Skipped only when the corpus is absent; CI has it.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import orjson
import pytest

from corpus import CORPUS, CORPUS_TIER, REPO
from knollm_compiler.build import BuildResult, compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_compiler.ingest.shapes import find_entries

VARIANTS = ("models_featherless_best.json", "models_infermatic_manual.json")

pytestmark = CORPUS_TIER


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return compile_catalog(REPO / "catalog", CORPUS)


def _raw(name: str) -> list:
    return [entry for _, entry in find_entries(orjson.loads((CORPUS / name).read_bytes())).entries]


def test_every_listed_entry_is_emitted_or_rejected(result: BuildResult) -> None:
    reports = {s.file: s for s in result.bundle.report.sources}
    listings = [s for s in reports.values() if s.role == "listing"]
    assert len(listings) == 32
    assert sum(s.read for s in listings) == 7945
    for source in reports.values():
        assert source.read == source.emitted + source.rejected, source.file
    assert result.bundle.report.invariant_ok
    for source in reports.values():
        rejected = [p for p in source.problems if p["severity"] == "rejected"]
        assert len(rejected) == source.rejected, source.file
        assert all(p["file"] == source.file and p["record"] and p["path"] and p["reason"] for p in rejected)


def test_variants_are_not_providers(result: BuildResult) -> None:
    ids = {p.id for p in result.bundle.providers}
    assert not {"featherless-best", "infermatic-manual", "featherless_best"} & ids
    reports = {s.file: s for s in result.bundle.report.sources}
    for name in VARIANTS:
        assert reports[name].role == "variant"
    featured = [m for m in result.bundle.models if m.featured]
    assert len(featured) == 30 and {m.provider for m in featured} == {"featherless"}


def test_litellm_entries_merge_into_our_providers(result: BuildResult) -> None:
    report = next(s for s in result.bundle.report.sources if s.file == "models_litellm.json")
    assert report.role == "catalog"
    assert report.read == 1553 and report.ignored == ("sample_spec",)
    assert report.read == report.emitted + report.rejected
    by_provider = Counter(m.provider for m in result.bundle.models if "models_litellm.json" in m.sources)
    for ours in ("aws-bedrock", "google-vertex", "togetherai", "azure-openai", "fireworks", "openai"):
        assert by_provider[ours] > 0, ours
    assert not {"bedrock", "bedrock_converse", "together_ai", "vertex_ai-language-models"} & set(by_provider)
    # Merged, not duplicated: LiteLLM's openai entries join the OpenAI listing's models.
    gpt4o = _model(result, "openai/gpt-4o")
    assert set(gpt4o.sources) == {"models_openai.json", "models_litellm.json"}
    assert gpt4o.pricing and gpt4o.pricing.input_per_mtok == Decimal("2.5")


def test_prices_present_wherever_the_listing_has_them(result: BuildResult) -> None:
    priced = Counter(m.provider for m in result.bundle.models if m.pricing and "listing" in m.provenance.values()
                     # `derived`: a router's (huggingface) model prices come from its live routes in the listing
                     and any(k.startswith("pricing.") and v in ("listing", "derived") for k, v in m.provenance.items()))
    for provider in ("atlascloud", "baseten", "chutes", "deepinfra", "friendli", "huggingface", "mancer",
                     "openrouter", "sambanova", "targon", "togetherai"):
        assert priced[provider] > 0, provider
    for provider, name in (("openrouter", "models_openrouter.json"), ("togetherai", "models_togetherai.json"),
                           ("chutes", "models_chutes.json"), ("targon", "models_targon.json")):
        # A paid price in the listing is never lost (it may lose to a newer source; zeros may be placeholders).
        with_prices = [e for e in _raw(name) if isinstance(e.get("pricing"), dict)
                       and any(_positive(v) for v in e["pricing"].values())]
        kept = sum(1 for m in result.bundle.models if m.provider == provider and m.pricing and name in m.sources)
        assert kept >= len(with_prices), provider


def _positive(value: object) -> bool:
    try:
        return Decimal(str(value)) > 0
    except InvalidOperation:
        return False


def test_units_differ_per_file_for_the_same_key(result: BuildResult) -> None:
    # pricing.prompt is USD per token at OpenRouter, USD per million at Chutes.
    assert _model(result, "chutes/deepseek-ai/DeepSeek-R1").pricing.input_per_mtok == Decimal("0.1999188")
    raw = next(e for e in _raw("models_openrouter.json") if e["id"] == "deepseek/deepseek-r1-0528")
    expected = Decimal(raw["pricing"]["prompt"]) * 1_000_000
    assert _model(result, "openrouter/deepseek/deepseek-r1-0528").pricing.input_per_mtok == expected


def test_failed_models_become_provider_status(result: BuildResult) -> None:
    providers = {p.id: p for p in result.bundle.providers}
    assert providers["avian"].status is not None and providers["avian"].status.failed
    assert providers["openrouter"].status is not None and not providers["openrouter"].status.failed
    assert result.bundle.source_dates["models_openrouter.json"] == "2025-09-08"  # its last successful fetch
    assert result.bundle.data_date == max(result.bundle.source_dates.values())


def test_every_csv_provider_has_an_authored_file(result: BuildResult) -> None:
    csv_ids = {line.split(",")[0] for line in (CORPUS / "providers.csv").read_text().splitlines()[1:] if line}
    authored = {p.id for p in result.bundle.providers if p.authored}
    assert csv_ids <= authored


def test_inferred_values_are_never_called_declared(result: BuildResult) -> None:
    model = _model(result, "featherless/000ADI/Qwen2.5-0.5B-Instruct-Gensyn-Swarm-grazing_bellowing_locust")
    assert model.provenance["kind"] == "inferred" and model.provenance["context_window"] == "listing"
    report = next(s for s in result.bundle.report.sources if s.file == "models_featherless.json")
    assert report.inferred_fields > 0 and report.declared_fields > 0


def test_rebuild_is_byte_identical(result: BuildResult) -> None:
    again = compile_catalog(REPO / "catalog", CORPUS)
    assert bundle_bytes(again.bundle) == bundle_bytes(result.bundle)


def _model(result: BuildResult, model_id: str):
    return next(m for m in result.bundle.models if m.id == model_id)


def test_families_span_providers_on_the_real_corpus(result: BuildResult) -> None:
    families = {f.id: f for f in result.bundle.families}
    assert sum(1 for f in families.values() if f.provider_count >= 2) >= 400
    assert families["deepseek-r1-0528"].provider_count >= 13
    assert result.bundle.report.families is not None
    assert result.bundle.report.families.ambiguous_count > 0  # e.g. undated claude-3-5-sonnet
    assert all(m.family for m in result.bundle.models)


def test_genai_prices_merge_by_freshness() -> None:
    """genai-prices' data (2026-11) is newer than the listings (2025-09-08), so its prices win; at an as-of date
    both describe, the listing's rank wins the tie."""
    full = compile_catalog(REPO / "catalog", CORPUS, use_genai_prices=True)
    report = next(s for s in full.bundle.report.sources if s.file.startswith("genai-prices=="))
    assert report.read == report.emitted + report.rejected and report.read > 2000
    model = next(m for m in full.bundle.models if m.id == "openrouter/deepseek/deepseek-r1-0528")
    assert model.provenance["pricing.input_per_mtok"] == "genai-prices"
    assert {model.provenance[f"pricing.{k}"] for k in ("input_per_mtok", "output_per_mtok")} == {"genai-prices"}
    then = compile_catalog(REPO / "catalog", CORPUS, use_genai_prices=True, as_of="2025-09-08")
    model = next(m for m in then.bundle.models if m.id == "openrouter/deepseek/deepseek-r1-0528")
    assert model.provenance["pricing.input_per_mtok"] == "listing" and then.bundle.data_date == "2025-09-08"
    conflicts = full.bundle.report.totals["conflicts"]
    assert conflicts > 0 and len(full.bundle.report.conflicts) == min(100, conflicts)
