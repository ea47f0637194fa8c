"""The authored provider registry: strict schema, one file per provider, facts with sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knollm_compiler.build import compile_catalog
from knollm_compiler.problems import BuildError
from knollm_compiler.providers import load_provider_specs, provider_spec_schema

REPO = Path(__file__).resolve().parents[1]
PROVIDERS = REPO / "catalog" / "providers"
REQUIRED = {
    "azure-openai", "aws-bedrock", "google-vertex", "cohere", "perplexity", "ai21", "cloudflare-workers-ai",
    "ollama", "vllm", "xai", "openai", "anthropic", "openrouter",
}


def test_all_authored_files_are_valid() -> None:
    specs, problems = load_provider_specs(PROVIDERS)
    assert problems == []
    assert len(specs) >= 50
    assert set(specs) >= REQUIRED


def test_every_fact_file_backs_base_url_and_auth_with_urls() -> None:
    specs, _ = load_provider_specs(PROVIDERS)
    for pid, spec in specs.items():
        assert spec.sources["base_url"].startswith("https://"), pid
        assert spec.sources["auth"].startswith("https://"), pid


def test_schema_is_generated_for_editors() -> None:
    schema = provider_spec_schema()
    assert schema["additionalProperties"] is False
    assert "base_url" in schema["properties"] and schema["properties"]["name"]["description"]


def _catalog_with(tmp_path: Path, name: str, text: str) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(PROVIDERS, catalog / "providers")
    (catalog / "providers" / name).write_text(text, encoding="utf-8")
    return catalog


def test_unknown_keys_and_bad_values_are_all_reported(tmp_path: Path) -> None:
    bad = (PROVIDERS / "groq.toml").read_text().replace('kind = "inference-host"', 'kind = "bakery"')
    bad = "colour = 'blue'\n" + bad
    catalog = _catalog_with(tmp_path, "acme.toml", bad)
    (catalog / "providers" / "Bad_Name.toml").write_text("name = 'x'\n")
    with pytest.raises(BuildError) as caught:
        compile_catalog(catalog, None)
    where = {(p.file, p.path) for p in caught.value.problems}
    assert ("catalog/providers/acme.toml", "colour") in where
    assert ("catalog/providers/acme.toml", "kind") in where
    assert any(p.file.endswith("Bad_Name.toml") for p in caught.value.problems)


def test_alias_may_belong_to_one_provider_only(tmp_path: Path) -> None:
    dup = (PROVIDERS / "groq.toml").read_text()
    catalog = _catalog_with(tmp_path, "groq-copy.toml", dup)
    with pytest.raises(BuildError, match="already used by groq"):
        compile_catalog(catalog, None)


def test_custom_header_needs_its_name(tmp_path: Path) -> None:
    text = (PROVIDERS / "elevenlabs.toml").read_text().replace('header_name = "xi-api-key"\n', "")
    catalog = _catalog_with(tmp_path, "elevenlabs.toml", text)
    with pytest.raises(BuildError, match="header_name"):
        compile_catalog(catalog, None)


def test_build_without_snapshots_lists_authored_providers(tmp_path: Path) -> None:
    result = compile_catalog(REPO / "catalog", None)
    assert {p.id for p in result.bundle.providers} >= REQUIRED
    assert all(p.authored for p in result.bundle.providers)
    # Without sources, the only models are those authored in catalog/overrides/.
    assert {m.sources for m in result.bundle.models} <= {("catalog/overrides/anthropic.toml",)}
