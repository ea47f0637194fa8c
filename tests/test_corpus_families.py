"""Real-corpus tier for duplicates and families: the shared corpus plus the pinned data packages (the CLI's
default build). Skipped only when the corpus is absent."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from corpus import CORPUS, CORPUS_TIER, REPO
from knollm_compiler.build import BuildResult, compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes

LOOSE = re.compile(r"[._\s]+")

pytestmark = CORPUS_TIER


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return compile_catalog(REPO / "catalog", CORPUS, use_genai_prices=True, use_models_dev=True)


def test_spellings_of_one_id_become_one_model_with_aliases(result: BuildResult) -> None:
    models = {m.id: m for m in result.bundle.models}
    haiku = models["openrouter/anthropic/claude-3.5-haiku"]
    assert "anthropic/claude-3-5-haiku" in haiku.aliases and "openrouter/anthropic/claude-3-5-haiku" not in models
    assert (haiku.pricing.input_per_mtok, haiku.pricing.output_per_mtok) == (Decimal("0.8"), Decimal(4))
    assert models["gemini/models/gemini-1.5-flash"].aliases == ("gemini-1.5-flash",)
    report = result.bundle.report
    assert len(report.duplicates) >= 200
    assert {d.reason for d in report.duplicates} == {"case or punctuation", "namespace prefix", "organisation prefix"}
    assert "duplicates: " in result.report_text


def test_no_provider_keeps_two_ids_that_differ_only_by_case_or_punctuation(result: BuildResult) -> None:
    kept = {(d.provider, a) for d in result.bundle.report.duplicates_kept_apart for a in d.aliases}
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for model in result.bundle.models:
        seen[(model.provider, LOOSE.sub("-", model.model_id.lower()))].append(model.model_id)
    clashes = [(p, ids) for (p, _), ids in seen.items() if len(ids) > 1 and not all((p, i) in kept for i in ids)]
    assert clashes == []


def test_duplicate_providers_are_aliases_and_overlaps_are_reported(result: BuildResult) -> None:
    ids = {p.id for p in result.bundle.providers}
    assert not {"azure-cognitive-services", "stepfun-ai"} & ids
    assert {"azure-openai", "stepfun"} <= ids
    for overlap in result.bundle.report.provider_overlaps:
        assert overlap.contained >= 0.9 * overlap.models and overlap.models >= 3


def test_variants_are_marked_and_never_the_cheapest(result: BuildResult) -> None:
    models = {m.id: m for m in result.bundle.models}
    for model in models.values():
        if re.search(r"[:-](free|batch)$", model.model_id.lower()):
            assert model.variant in {"free", "batch"}, model.id
    crowned = [f.id for f in result.bundle.families if f.cheapest and models[f.cheapest].variant]
    assert crowned == []


def test_family_slips_of_issue_10(result: BuildResult) -> None:
    family = {m.id: m.family for m in result.bundle.models}
    assert family["openrouter/x-ai/grok-4"] == "grok-4"
    assert family["openrouter/x-ai/grok-4-fast"] == "grok-4-fast"
    assert family["digitalocean-gradient/openai-gpt-oss-120b"] == "gpt-oss-120b"
    assert family["cortecs/claude-4-5-sonnet"] == family["anthropic/claude-sonnet-4-5"] == "claude-sonnet-4-5"
    assert family["vercel-ai-gateway/meta/llama-3.3-70b"] == "llama-3-3-70b-instruct"
    assert family["nebius/meta-llama/Llama-3.3-70B-Instruct-fast"] == "llama-3-3-70b-instruct"


def test_the_build_is_deterministic(result: BuildResult) -> None:
    again = compile_catalog(REPO / "catalog", CORPUS, use_genai_prices=True, use_models_dev=True)
    assert bundle_bytes(again.bundle) == bundle_bytes(result.bundle)
