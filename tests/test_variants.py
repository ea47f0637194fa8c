"""Variants (free, batch, flex, quantised offers): read from the id by catalog/families/variants.toml, a field
on the model, and never the family's cheapest unless asked (bundle, runtime, CLI, site)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knollm import Catalog
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_vocab import VARIANTS
from knollm_compiler.families import variant_of
from knollm_compiler.family_rules import load_family_rules
from knollm_compiler.problems import BuildError

REPO = Path(__file__).resolve().parents[1]
RULES = load_family_rules(REPO / "catalog" / "families")


@pytest.mark.parametrize(
    ("model_id", "variant"),
    [
        ("vendor/some-model:free", "free"),
        ("Vendor/Some-Model-Free", "free"),
        ("vendor/some-model:batch", "batch"),
        ("some-model-batch", "batch"),
        ("some-model:flex", "flex"),
        ("Org/Some-Model-70B-Instruct-FP8", "quantized"),
        ("org/some-model/fp-8", "quantized"),
        ("some-model-awq", "quantized"),
        ("some-model-q4_k_m", "quantized"),
        ("some-model-Q4-K-M", "quantized"),
        ("vendor/some-model:extended", "extended"),
        ("TEE/some-model", "confidential"),
        ("some-model-tee", "confidential"),
        ("steep/some-model", None),
        ("some-model", None),
        ("freedom-model", None),
        ("batchelor-7b", None),
        ("some-model-bf16", None),  # full precision is not a cheaper variant
    ],
)
def test_variants_are_read_from_the_id(model_id: str, variant: str | None) -> None:
    assert variant_of(RULES, model_id) == variant


def test_the_rules_use_the_one_vocabulary() -> None:
    assert {rule.variant for rule in RULES.variants} <= set(VARIANTS)


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snapshots = tmp_path_factory.mktemp("snap")
    (snapshots / "models_hosta.json").write_text(json.dumps({"data": [
        {"id": "deepseek-ai/DeepSeek-R1-0528", "pricing": {"prompt": "0.000002", "completion": "0.000004"}},
        {"id": "deepseek-ai/DeepSeek-R1-0528:free", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "deepseek-ai/DeepSeek-R1-0528:batch", "pricing": {"prompt": "0.000001", "completion": "0.000002"}},
    ]}), encoding="utf-8")
    (snapshots / "models_hostb.json").write_text(json.dumps({"data": [
        {"id": "deepseek-r1-0528", "pricing": {"prompt": "0.000003", "completion": "0.000006"}},
        {"id": "only-free-model:free", "pricing": {"prompt": "0", "completion": "0"}},
    ]}), encoding="utf-8")
    result = compile_catalog(REPO / "catalog", snapshots)
    out = tmp_path_factory.mktemp("out") / "catalog.json"
    out.write_text(result.bundle.model_dump_json(exclude_defaults=True), encoding="utf-8")
    return out


def test_the_bundle_marks_variants_and_never_crowns_them(bundle_path: Path) -> None:
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    variants = {m["id"]: m.get("variant") for m in bundle["models"]}
    assert variants["hosta/deepseek-ai/DeepSeek-R1-0528:free"] == "free"
    assert variants["hosta/deepseek-ai/DeepSeek-R1-0528:batch"] == "batch"
    assert variants["hosta/deepseek-ai/DeepSeek-R1-0528"] is None
    free = next(m for m in bundle["models"] if m["id"].endswith(":free"))
    assert "variant" in free["provenance"]["inferred"].split(",")
    family = next(f for f in bundle["families"] if f["id"] == "deepseek-r1-0528")
    assert family["cheapest"] == "hosta/deepseek-ai/DeepSeek-R1-0528"
    assert family["offers"] == [
        "hosta/deepseek-ai/DeepSeek-R1-0528", "hostb/deepseek-r1-0528",
        "hosta/deepseek-ai/DeepSeek-R1-0528:free", "hosta/deepseek-ai/DeepSeek-R1-0528:batch",
    ]
    only_free = next(f for f in bundle["families"] if f["id"] == "only-free-model")
    assert "cheapest" not in only_free  # a variant is no regular offer: no cheapest rather than a free one


def test_the_runtime_skips_variants_unless_asked(bundle_path: Path) -> None:
    catalog = Catalog.load(bundle_path)
    assert [m.id for m in catalog.offers("deepseek-r1-0528")] == [
        "hosta/deepseek-ai/DeepSeek-R1-0528", "hostb/deepseek-r1-0528"]
    every = catalog.offers("deepseek-r1-0528", include_variants=True)
    assert [m.variant for m in every] == [None, None, "free", "batch"]
    assert catalog.cheapest("deepseek").id == "hosta/deepseek-ai/DeepSeek-R1-0528"
    assert catalog.cheapest("deepseek", include_variants=True).variant == "free"
    assert catalog.get("only-free-model").variant == "free"  # a family of variants only still resolves
    compared = catalog.compare(family="deepseek-r1-0528", input_tokens=1000, output_tokens=100)
    assert compared.costs[0].model == "hosta/deepseek-ai/DeepSeek-R1-0528"
    assert len(compared.costs) == 2


def _cli(bundle: Path, *args: str) -> str:
    env = {**os.environ, "KNOLLM_BUNDLE": str(bundle)}
    done = subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env,
                          timeout=60, check=True)
    return done.stdout


def test_the_cli_lists_variants_only_with_the_flag(bundle_path: Path) -> None:
    plain = _cli(bundle_path, "families", "show", "deepseek-r1-0528")
    assert ":free" not in plain and "2 offers" in plain
    every = _cli(bundle_path, "families", "show", "deepseek-r1-0528", "--include-variants")
    assert ":free (free)" in every and "4 offers" in every
    compared = json.loads(_cli(bundle_path, "--json", "costs", "compare", "--family", "deepseek-r1-0528",
                               "--input-tokens", "1000", "--output-tokens", "100", "--include-variants"))
    assert len(compared["costs"]) == 4


def test_the_family_page_lists_variants_after_the_regular_offers_and_never_stars_them(bundle_path: Path) -> None:
    from knollm_site.views import _family_page

    catalog = Catalog.load(bundle_path)
    page = _family_page(catalog, catalog.family("deepseek-r1-0528"), set())
    assert page is not None and page.cheapest == "hosta/deepseek-ai/DeepSeek-R1-0528"
    assert [m.variant for m in page.offers] == [None, None, "free", "batch"]
    only_free = _family_page(catalog, catalog.family("only-free-model"), set())
    assert only_free is None or only_free.cheapest is None
    template = (REPO / "site_templates" / "family.md.j2").read_text(encoding="utf-8")
    assert "m.variant" in template  # the offers table marks each variant after its id


def test_invalid_variant_rules_name_file_path_and_reason(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog" / "providers", catalog / "providers")
    (catalog / "families").mkdir()
    (catalog / "families" / "variants.toml").write_text(
        '[[variant]]\npattern = ":cheap$"\nvariant = "cheap"\nwhy = "x"\n\n[[variant]]\npattern = "(open"\n'
        'variant = "free"\nwhy = "y"\n', encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        compile_catalog(catalog, None)
    where = {(p.file, p.path) for p in caught.value.problems}
    assert ("catalog/families/variants.toml", "variant.0.variant") in where
    assert ("catalog/families/variants.toml", "variant.1.pattern") in where


def test_the_site_pricing_pages_never_crown_a_variant(bundle_path: Path) -> None:
    from knollm_site.views import paid_chat_models

    catalog = Catalog.load(bundle_path)
    batch = catalog.get("hosta/deepseek-ai/DeepSeek-R1-0528:batch")
    assert batch.kind == "chat" and batch.input_price is not None and batch.input_price > 0
    assert batch.id not in {m.id for m in paid_chat_models(catalog.models)}
