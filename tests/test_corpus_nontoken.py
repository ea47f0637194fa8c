"""Real-corpus tier for prices beyond tokens (../shared/model_catalog; skipped only when it is absent).

Measured on this corpus without the PyPI price packages, before this work: 11 of 79 audio models priced,
5 of 20 rerank models with a non-zero price (the rest $0 placeholders), 119 image models of which 40 had a
non-zero price (34 of them one model per image size). The floors below hold the improvement."""

from __future__ import annotations

import pytest

from corpus import CORPUS, CORPUS_TIER, REPO
from knollm_compiler.build import BuildResult, compile_catalog

pytestmark = CORPUS_TIER


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return compile_catalog(REPO / "catalog", CORPUS)


def _of_kind(result: BuildResult, kind: str) -> list:
    return [m for m in result.bundle.models if m.kind == kind]


def test_audio_and_rerank_models_are_priced(result: BuildResult) -> None:
    audio = _of_kind(result, "audio")
    assert sum(m.pricing is not None for m in audio) >= 60 and len(audio) >= 70
    rerank = _of_kind(result, "rerank")
    for model in rerank:  # a rerank price is per query, or a non-zero token price; never $0 placeholders
        p = model.pricing
        assert p is None or p.per_kquery or p.input_per_mtok, model.id
    assert sum(bool(m.pricing and m.pricing.per_kquery) for m in rerank) >= 10


def test_image_sizes_fold_into_models_with_image_prices(result: BuildResult) -> None:
    models = result.bundle.models
    assert not [m.id for m in models if "-x-" in m.model_id.split("/")[0]]
    sized = [m for m in models if m.pricing and m.pricing.image_prices]
    assert len(sized) >= 6
    for model in sized:
        assert all(0 < p.per_image < 1 for p in model.pricing.image_prices), model.id  # type: ignore[union-attr]
        keys = [(p.size, p.quality) for p in model.pricing.image_prices]  # type: ignore[union-attr]
        assert len(keys) == len(set(keys)) == len(sorted(keys)), model.id


def test_other_non_token_prices_reach_the_bundle(result: BuildResult) -> None:
    def count(field: str) -> int:
        return sum(bool(m.pricing and getattr(m.pricing, field)) for m in result.bundle.models)

    assert count("per_mchar") >= 30 and count("audio_input_per_hour") >= 40
    assert count("web_search_per_k") >= 20 and count("input_audio_per_mtok") >= 40


def test_compute_time_prices_are_not_audio_prices(result: BuildResult) -> None:
    for model in result.bundle.models:
        if model.kind not in ("audio",) and model.pricing and model.pricing.audio_input_per_hour:
            # only models whose source says "audio" in the key itself (per audio second) may carry it
            assert "audio" in (model.input_modalities or ()) or model.provenance.get(
                "pricing.audio_input_per_hour") in ("litellm", "genai-prices", "listing"), model.id
    commitment = [m for m in result.bundle.models if "commitment" in m.model_id]
    assert all(m.pricing is None or m.pricing.audio_input_per_hour is None for m in commitment)
