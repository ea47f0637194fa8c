"""Runtime on the full-corpus bundle (compiled from ../shared/model_catalog; skipped only when absent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

import knollm
from corpus import CORPUS, CORPUS_TIER, REPO

pytestmark = CORPUS_TIER


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    path = tmp_path_factory.mktemp("corpus-bundle") / "catalog.json"
    path.write_bytes(bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle))
    return path


@pytest.fixture(scope="module")
def catalog(bundle_path: Path) -> knollm.Catalog:
    return knollm.Catalog.load(bundle_path)


def test_every_record_decodes_with_exact_prices(catalog: knollm.Catalog, bundle_path: Path) -> None:
    raw = orjson.loads(bundle_path.read_bytes())
    assert len(catalog.models) == len(raw["models"]) > 9000
    assert len(catalog.providers()) == len(raw["providers"])
    for record, model in zip(raw["models"], catalog.models, strict=True):
        assert model.id == record["id"]
        if record.get("pricing") is None:  # bundle 1.1 leaves out fields equal to their default
            assert model.pricing is None
            continue
        for key in ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
                    "reasoning_per_mtok", "per_request", "per_image"):
            value = record["pricing"].get(key)
            assert getattr(model.pricing, key) == (None if value is None else Decimal(value)), (model.id, key)
        assert knollm.to_data(model.pricing)["input_per_mtok"] == (
            None if record["pricing"].get("input_per_mtok") is None
            else knollm.to_data(Decimal(record["pricing"]["input_per_mtok"])))


def test_queries_over_the_full_corpus(catalog: knollm.Catalog) -> None:
    model = catalog.get("openai/gpt-4o")
    assert model.pricing.input_per_mtok == Decimal("2.5")
    found = catalog.search("llama", capability="tools", min_context=100_000, sort="price", limit=10)
    assert 0 < len(found) <= 10
    assert all(m.capabilities.get("tools") and m.context_window >= 100_000 for m in found)
    prices = [knollm.query.price_key(m) for m in found if knollm.query.price_key(m) is not None]
    assert prices == sorted(prices)
    assert catalog.cheapest(kind="embedding", input_modality="text") is not None
    assert len(catalog.filter_by_context_window(1_000_000)) > 0
    with pytest.raises(knollm.ModelNotFound) as info:
        catalog.get("openai/gpt-4o-mini-2024-07-19")
    assert "openai/gpt-4o-mini-2024-07-18" in info.value.suggestions
    if catalog.has_families:  # a bare id offered by several providers names its family: the cheapest offer
        assert catalog.get("gpt-4o").family == catalog.get("openai/gpt-4o").family
    else:
        with pytest.raises(knollm.ModelNotFound) as info:
            catalog.get("gpt-4o")
        assert {"openai/gpt-4o", "azure-openai/gpt-4o"} <= set(info.value.suggestions)


def test_families_over_the_full_corpus(catalog: knollm.Catalog) -> None:
    if not catalog.has_families:
        pytest.skip("this compiler does not emit families yet")
    families = catalog.families()
    assert len(families) > 100
    shared = max(families, key=lambda f: f.provider_count)
    offers = catalog.offers(shared)
    assert len(offers) >= 2
    keys = [knollm.query.price_key(m) for m in offers]
    known = [k for k in keys if k is not None]
    assert known == sorted(known) and keys[: len(known)] == known  # cheapest first, unpriced last
    assert all(m.family == shared.id for m in offers)
    open_models = catalog.search(open_weights=True, limit=50)
    assert all(catalog.open_weights(m) is True for m in open_models)


def test_cli_on_the_full_corpus(bundle_path: Path) -> None:
    env = {**os.environ, "KNOLLM_BUNDLE": str(bundle_path)}
    result = subprocess.run(
        [sys.executable, "-m", "knollm", "--json", "costs", "estimate", "--model", "anthropic/claude-4-sonnet-20250514",
         "--input-tokens", "250k", "--output-tokens", "2000", "--cached-tokens", "100k"],
        capture_output=True, text=True, env=env, check=True,
    )
    cost = json.loads(result.stdout)
    assert cost["tier"] == 200_000
    assert Decimal(cost["total"]) == Decimal("0.9") + Decimal("0.06") + Decimal("0.045")


def test_family_cheapest_is_the_first_offer(catalog: knollm.Catalog) -> None:
    """One comparable price: the compiler's `Family.cheapest` is the runtime's first offer of the family."""
    crowned = [f for f in catalog.families() if f.cheapest is not None]
    assert len(crowned) > 500
    wrong = [(f.id, f.cheapest, catalog.offers(f)[0].id) for f in crowned if catalog.offers(f)[0].id != f.cheapest]
    assert wrong == []


def test_the_usual_estimate_matches_the_general_path_on_every_model(catalog: knollm.Catalog) -> None:
    """`estimate_cost(model, input, output)` takes the shortest path; a zero count of a usage beyond tokens sends
    the same request through the general path: the same fields with the same digits, or the same error."""
    import dataclasses

    def outcome(model: knollm.Model, *counts: int, **beyond_tokens: int) -> object:
        try:
            cost = knollm.estimate_cost(model, *counts, **beyond_tokens)
        except knollm.KnollmError as exc:
            return type(exc).__name__, str(exc)
        return {f.name: str(getattr(cost, f.name)) for f in dataclasses.fields(cost)}

    for model in catalog.models:
        for counts in ((12_000, 800), (0, 0), (250_000, 1), (1, 10**9)):  # 250k: past the long-context tiers
            assert outcome(model, *counts) == outcome(model, *counts, characters=0), (model.id, counts)
