"""Small pieces: price units, value coercion, shape detection, inference, secret redaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knollm.redact import redact
from knollm_compiler.infer import ANY_KIND, KIND_PATTERNS, infer, kind_from_id
from knollm_compiler.ingest import prices, values
from knollm_compiler.ingest.shapes import UnknownShape, find_entries


@pytest.mark.parametrize(
    ("path", "component", "unit", "tier"),
    [
        ("pricing.prompt", "input", None, None),
        ("pricing.completion", "output", None, None),
        ("input_cost_per_token", "input", "per_token", None),
        ("output_cost_per_reasoning_token", "reasoning", "per_token", None),
        ("cache_read_input_token_cost", "cache_read", "per_token", None),
        ("cache_creation_input_token_cost", "cache_write", "per_token", None),
        ("input_cost_per_token_above_128k_tokens", "input", "per_token", 128_000),
        ("pricing.input_cache_reads", "cache_read", None, None),
        ("price.input.usd", "input", None, None),
        ("pricing.request", "per_request", "per_unit", None),
        ("pricing.image", "per_image", "per_unit", None),
        ("cost.input_per_million", "input", "per_mtok", None),
        ("pricing.input_per_1k_tokens", "input", "per_1k", None),
    ],
)
def test_price_keys_are_classified(path: str, component: str, unit: str | None, tier: int | None) -> None:
    key = prices.classify(path)
    assert key == prices.PriceKey(component, unit, tier)


@pytest.mark.parametrize("path", ["price.input.tao", "pricing.hourly", "input_cost_per_video_per_second",
                                  "input_cost_per_pixel", "pricing.cancelled_request", "pricing.finetune"])
def test_prices_we_do_not_publish(path: str) -> None:
    assert prices.classify(path) is None


def test_units_come_from_the_file() -> None:
    per_token = {"pricing.prompt": [Decimal("0.0000005"), Decimal("0.000002"), Decimal(0)]}
    per_million = {"pricing.prompt": [Decimal("0.2"), Decimal("2"), Decimal("0.01")]}
    assert prices.detect_units(per_token) == {"pricing.prompt": "per_token"}
    assert prices.detect_units(per_million) == {"pricing.prompt": "per_mtok"}


def test_normalise_is_exact_and_flags_nonsense() -> None:
    key = prices.PriceKey("input", None)
    assert prices.normalise(Decimal("0.00000035"), key, "per_token") == (Decimal("0.35"), None)
    assert str(prices.normalise(Decimal("0.00000000001"), key, "per_token")[1]).startswith("implausible")
    assert prices.normalise(Decimal(-1), key, "per_token") == (None, None)
    assert prices.normalise(Decimal(-5), key, "per_mtok")[1] == "negative price -5"
    assert prices.normalise(Decimal(5), key, "per_token")[1].startswith("implausible price 5000000")
    assert format(prices.normalise(Decimal("0.00001"), key, "per_token")[0], "f") == "10"


def test_floats_lose_binary_noise_only() -> None:
    assert prices.to_decimal(3.5000000000000004e-07) == Decimal("3.5E-7")
    assert prices.to_decimal(0.1999188) == Decimal("0.1999188")
    assert prices.to_decimal("abc") is None and prices.to_decimal(True) is None


@pytest.mark.parametrize(("raw", "parsed"), [
    ("$0.60", Decimal("0.60")), ("0.60 USD", Decimal("0.60")), ("US$ 1.5", Decimal("1.5")), ("0.6", Decimal("0.6")),
    ("€1", None), ("1.5 EUR", None), ("abc", None), ("$", None),
])
def test_price_strings_may_carry_a_dollar_mark(raw: str, parsed: Decimal | None) -> None:
    assert prices.to_decimal(raw) == parsed


def test_values() -> None:
    assert values.positive_int(131072.0) == (131072, None)
    assert values.positive_int(None) == (None, None)
    assert values.positive_int("lots")[1].startswith("expected a positive integer")
    assert values.date(1757327372) == ("2025-09-08", None)
    assert values.date(1757327372000) == ("2025-09-08", None)
    assert values.date("Mon, 08 Sep 2025 10:29:31 GMT") == ("2025-09-08", None)
    assert values.date("2024-10-22T00:00:00Z") == ("2024-10-22", None)
    text, notes = values.plain_text("a\x00b\u202ec", 100, keep_newlines=False)
    assert text == "abc" and notes == ["removed 2 control character(s)"]
    assert values.model_id("x\ny")[1].startswith("record id contains control characters")
    assert values.arrow_modalities("text+image->text") == (["text", "image"], ["text"])


def test_shapes() -> None:
    assert find_entries({"object": "list", "data": [{"id": "a"}]}).shape == "openai-list"
    assert find_entries([{"id": "a"}]).shape == "bare-array"
    assert find_entries({"models": [{"id": "a"}], "count": 1}).shape == "wrapped-list(models)"
    assert find_entries({"id": "a", "context_length": 5}).shape == "single-record"
    assert find_entries({"a": {"x": 1}, "b": {"x": 2}}).shape == "keyed-object"
    with pytest.raises(UnknownShape):
        find_entries({"status": "ok", "message": "hello"})
    with pytest.raises(UnknownShape):
        find_entries("just a string")


@pytest.mark.parametrize(
    ("model_id", "kind"),
    [
        ("BAAI/bge-large-en-v1.5", "embedding"),
        ("text-embedding-3-small", "embedding"),
        ("Salesforce/Llama-Rank-V1-rerank", "rerank"),
        ("whisper-large-v3", "audio"),
        ("black-forest-labs/FLUX.1-dev", "image"),
        ("meta-llama/Llama-Guard-4-12B", "moderation"),
        ("meta-llama/Llama-3.3-70B-Instruct", "chat"),
    ],
)
def test_kind_inference(model_id: str, kind: str) -> None:
    assert infer(model_id, {})["kind"] == kind


def test_inference_leaves_declared_values_alone() -> None:
    found = infer("Qwen/Qwen2.5-VL-72B-Instruct-FP8", {"kind": "chat", "name": "Qwen VL"})
    assert "kind" not in found and "name" not in found
    assert found["capabilities.vision"] is True and found["quantization"] == "fp8"
    assert found["input_modalities"] == ["text", "image"] and found["owned_by"] == "Qwen"


def test_secrets_are_redacted() -> None:
    assert "abc123secret" not in redact("GET /models?api_key=abc123secret&x=1")
    assert "sk-proj-abcdefghijklmnop" not in redact("key sk-proj-abcdefghijklmnop failed")
    assert redact("plain 404 Not Found") == "plain 404 Not Found"


@pytest.mark.parametrize("model_id", [
    "bge-m3", "x/e5_large", "gte-", "sd-turbo", "a/tts", "tts-1", "rerank-embed", "stable-diffusion-embed",
    "llama-guard-speech", "omni-moderation", "Meta/Llama-3", "", "e5", "/sd-x", "prompt-guard", "colbert-v2",
])
def test_the_any_kind_guard_agrees_with_the_ordered_patterns(model_id: str) -> None:
    lowered = model_id.lower()
    ordered = next((kind for kind, pattern in KIND_PATTERNS if pattern.search(lowered)), "chat")
    assert kind_from_id(model_id) == ordered
    assert (ANY_KIND.search(lowered) is None) == (ordered == "chat")
