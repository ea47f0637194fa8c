"""The Python LLM library guide's data and compiler: strict schema, every problem reported at once, provider ids
checked, the compatibility matrix derived (never typed), and the refresh script's pure parts (no network)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import json_bytes
from knollm_compiler.library_sources import (
    CATEGORIES,
    FEATURES,
    USE_CASES,
    compatibility,
    compatibility_matrix,
    library_spec_schema,
    load_library_specs,
)
from knollm_compiler.problems import BuildError
from knollm_compiler.providers import load_provider_specs

REPO = Path(__file__).resolve().parents[1]
LIBRARIES = REPO / "catalog" / "libraries"
PROVIDERS = REPO / "catalog" / "providers"
ASKED_FOR = {  # the libraries the issue names, by our id
    "httpx", "aiohttp", "requests", "openai", "anthropic", "google-genai", "mistralai", "cohere", "groq", "litellm",
    "aisuite", "any-llm", "portkey", "langchain", "llama-index", "pydantic-ai", "haystack", "dspy", "smolagents",
    "instructor", "outlines", "guidance", "marvin", "mirascope", "llm", "tiktoken",
}


@pytest.fixture(scope="module")
def providers() -> dict:
    specs, problems = load_provider_specs(PROVIDERS)
    assert problems == []
    return specs


@pytest.fixture(scope="module")
def libraries(providers: dict) -> dict:
    specs, problems = load_library_specs(LIBRARIES, set(providers))
    assert problems == [], "\n".join(map(str, problems))
    return specs


def refresh_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_libraries", REPO / "scripts" / "refresh_libraries.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["refresh_libraries"] = module
    spec.loader.exec_module(module)
    return module


# -- the committed data ------------------------------------------------------------------------------------------


def test_every_library_file_is_valid_and_there_are_enough(libraries: dict) -> None:
    assert len(libraries) >= 25
    assert set(libraries) >= ASKED_FOR


def test_every_category_is_represented(libraries: dict) -> None:
    by_category: dict[str, list[str]] = {}
    for lid, spec in libraries.items():
        by_category.setdefault(spec.category, []).append(lid)
    assert set(by_category) == set(CATEGORIES)
    assert {"httpx", "aiohttp", "requests"} <= set(by_category["http-client"])
    assert {"openai", "anthropic", "google-genai", "mistralai", "cohere", "groq"} <= set(by_category["official-sdk"])
    assert {"litellm", "aisuite", "any-llm", "portkey"} <= set(by_category["unified-client"])
    frameworks = {"langchain", "llama-index", "pydantic-ai", "haystack", "dspy", "smolagents"}
    assert frameworks <= set(by_category["framework"])
    assert {"instructor", "outlines", "guidance", "marvin", "mirascope"} <= set(by_category["structured-output"])
    assert {"llm", "tiktoken"} <= set(by_category["tool"])


def test_package_facts_came_from_metadata(libraries: dict) -> None:
    for lid, spec in libraries.items():
        pkg = spec.package
        assert pkg.checked and pkg.resolved_for, lid
        assert pkg.release_date or pkg.release_month, f"{lid}: no release date"
        assert pkg.license and pkg.license_source, f"{lid}: no license"
        assert pkg.requires_python, lid
        assert pkg.installed_size_kb is None or pkg.transitive_dependencies is not None, lid
    assert libraries["openai"].package.pypi == "openai"
    assert libraries["outlines"].install == ["outlines[openai]"]  # the example also needs the OpenAI SDK
    assert libraries["haystack"].package.pypi == "haystack-ai" and libraries["any-llm"].package.pypi == "any-llm-sdk"


def test_package_tables_are_exactly_what_the_refresh_script_writes() -> None:
    """The [package] tables were written by the script, not edited by hand: re-rendering each one from its own
    values gives the same text, byte for byte."""
    script = refresh_script()
    for path in sorted(LIBRARIES.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)["package"]
        assert script.package_block(table) in text, path.name


def test_judgement_is_marked_as_ours_in_the_schema() -> None:
    schema = library_spec_schema()
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    assert "OUR judgement" in defs["Judgement"]["description"]
    assert "OUR ratings" in defs["LibraryRatings"]["description"]
    for criterion in ("api_design", "docs", "maintenance", "performance", "flexibility"):
        assert defs["LibraryRatings"]["properties"][criterion]["description"].startswith("Ours:")
    assert "refresh_libraries.py" in defs["PackageFacts"]["description"]
    assert set(defs["Features"]["properties"]) >= {"sync", "async", "streaming", "tools", "structured_output",
                                                   "vision"}
    assert defs["Judgement"]["properties"]["best_for"]["items"]["enum"] == list(USE_CASES)


def test_committed_schema_is_current() -> None:
    committed = (REPO / "catalog" / "schema" / "library.schema.json").read_bytes()
    assert committed == json_bytes(library_spec_schema()), "run `make build` to regenerate library.schema.json"


def test_every_true_feature_has_a_source_and_coverage_ids_are_ours(libraries: dict, providers: dict) -> None:
    for lid, spec in libraries.items():
        for feature in FEATURES:
            if spec.features.flag(feature):
                assert spec.features.sources[feature].startswith("https://"), (lid, feature)
        assert set(spec.coverage.native) <= set(providers), lid


# -- validation: every problem, at once, naming file and field ----------------------------------------------------


def _catalog_with(tmp_path: Path, files: dict[str, str]) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(PROVIDERS, catalog / "providers")
    shutil.copytree(LIBRARIES, catalog / "libraries")
    for name, text in files.items():
        (catalog / "libraries" / name).write_text(text, encoding="utf-8")
    return catalog


def _httpx() -> str:
    return (LIBRARIES / "httpx.toml").read_text(encoding="utf-8")


def test_unknown_keys_bad_values_and_unknown_providers_are_all_reported(tmp_path: Path) -> None:
    unknown_key = "colour = 'blue'\n" + _httpx().replace('category = "http-client"', 'category = "bakery"')
    bad_provider = (LIBRARIES / "groq.toml").read_text(encoding="utf-8").replace(
        'native = ["groq"]', 'native = ["groq", "grok", "acme-nowhere"]')
    bad_rating = (LIBRARIES / "ollama.toml").read_text(encoding="utf-8").replace("performance = 5", "performance = 9")
    catalog = _catalog_with(tmp_path, {"httpx.toml": unknown_key, "groq.toml": bad_provider,
                                       "ollama.toml": bad_rating, "Bad_Name.toml": "name = 'x'\n"})
    with pytest.raises(BuildError) as caught:
        compile_catalog(catalog, None)
    where = {(p.file, p.path): p.reason for p in caught.value.problems}
    assert ("catalog/libraries/httpx.toml", "colour") in where
    assert ("catalog/libraries/httpx.toml", "category") in where
    assert ("catalog/libraries/ollama.toml", "judgement.ratings.performance") in where
    assert where[("catalog/libraries/groq.toml", "coverage.native[1]")].startswith("unknown provider id 'grok'; did")
    assert "groq" in where[("catalog/libraries/groq.toml", "coverage.native[1]")]
    assert ("catalog/libraries/groq.toml", "coverage.native[2]") in where
    assert any(p.file.endswith("Bad_Name.toml") for p in caught.value.problems)
    assert "problem(s)" in str(caught.value)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("tools = false", "tools = true", "must back every feature that is true; missing ['tools']"),
    ("import httpx\n", "import htpx\n", "never imports 'httpx'"),
    ("response.raise_for_status()", "response.raise_for_status(", "does not compile"),
    ('repository = "https://github.com/encode/httpx"\n\n', 'repository = "https://github.com/other/httpx"\n\n',
     "differs from the PyPI metadata"),
    ('raw_http = "https://www.python-httpx.org/"', 'native = "https://www.python-httpx.org/"',
     "sources must back ['raw_http']"),
    ('best_for = ["lowest-overhead", "simple-calls"]', 'best_for = ["lowest-overhead", "speed"]', "best_for"),
    ('release_date = "2024-12-06"', 'release_date = "2024-12-06"\nrelease_month = "2024-12"', "not both"),
])
def test_schema_rules(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = _httpx()
    assert old in text
    catalog = _catalog_with(tmp_path, {"httpx.toml": text.replace(old, new, 1)})
    with pytest.raises(BuildError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        compile_catalog(catalog, None)


def test_one_pypi_project_is_described_once(tmp_path: Path) -> None:
    catalog = _catalog_with(tmp_path, {"httpx-copy.toml": _httpx()})
    with pytest.raises(BuildError, match="already described by httpx"):
        compile_catalog(catalog, None)


def test_a_catalog_without_libraries_builds(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(PROVIDERS, catalog / "providers")
    assert compile_catalog(catalog, None).bundle.libraries == ()


# -- the compatibility matrix is derived --------------------------------------------------------------------------


def test_compatibility_levels(libraries: dict, providers: dict) -> None:
    openai_kind = {pid for pid, p in providers.items() if p.api_kind == "openai"}
    sdk = compatibility(libraries["openai"], providers)
    assert {p for p, r in sdk.items() if r == "openai-compatible"} == openai_kind - {"openai"}
    assert {p for p, r in sdk.items() if r == "native"} == {"openai", "azure-openai", "aws-bedrock", "google-vertex"}
    assert "anthropic" not in sdk  # Anthropic's own dialect needs its own SDK
    assert compatibility(libraries["groq"], providers) == {"groq": "native"}
    http = compatibility(libraries["httpx"], providers)
    assert set(http.values()) == {"http"}
    assert "aws-bedrock" not in http and "aws-sagemaker" not in http  # SigV4 signing is not an HTTP client's job
    assert set(http) == {pid for pid, p in providers.items() if p.auth.header != "aws-sigv4"}
    assert compatibility(libraries["tiktoken"], providers) == {}


def test_matrix_in_the_bundle_is_the_derived_one(libraries: dict, providers: dict) -> None:
    bundle = compile_catalog(REPO / "catalog", None).bundle
    assert [lib.id for lib in bundle.libraries] == sorted(libraries)
    derived = compatibility_matrix(libraries, providers)
    assert {lib.id: dict(lib.compatibility) for lib in bundle.libraries} == derived
    by_id = {lib.id: lib for lib in bundle.libraries}
    assert by_id["httpx"].install == ("httpx",) and by_id["langchain"].install == ("langchain", "langchain-openai")
    litellm = by_id["litellm"]
    assert litellm.features == dict.fromkeys(FEATURES, True)
    assert litellm.judgement.ratings.api_design == libraries["litellm"].judgement.ratings.api_design
    assert json.loads(bundle.model_dump_json())["libraries"][0]["features"].keys() == set(FEATURES)


def test_native_providers_are_reached_natively(libraries: dict, providers: dict) -> None:
    for lid, spec in libraries.items():
        reach = compatibility(spec, providers)
        assert all(reach[p] == "native" for p in spec.coverage.native), lid


# -- the refresh script's pure parts (the network parts are pip; not run in tests) --------------------------------


def test_refresh_rewrites_only_the_package_table() -> None:
    script = refresh_script()
    text = _httpx()
    block = script.package_block({"pypi": "httpx", "version": "9.9.9", "release_date": None, "direct_dependencies": 4,
                                  "python_versions": ["3.12"], "checked": "2030-01-01"})
    updated = script.replace_package(text, block)
    assert 'version = "9.9.9"' in updated and "release_date" not in updated.split("[features]")[0]
    before, after = text.split("[package]"), updated.split("[package]")
    assert before[0] == after[0]
    assert before[1].split("[features]", 1)[1] == after[1].split("[features]", 1)[1]
    assert tomllib.loads(updated)["judgement"] == tomllib.loads(text)["judgement"]


def test_license_repository_and_dependency_rules() -> None:
    script = refresh_script()
    assert script.license_of({"license_expression": "MIT"}, "x") == ("MIT", "license-expression")
    assert script.license_of({"license": "MIT License"}, "x") == ("MIT", "license")
    text = "Apache License\n   Version 2.0, January 2004\n ..."
    assert script.license_of({"license": text}, "x") == ("Apache-2.0", "license-text")
    classifier = {"classifier": ["License :: OSI Approved :: BSD License"]}
    assert script.license_of(classifier, "x") == ("BSD", "classifier")
    assert script.license_from_text("Copyright 2024\n\nPermission is hereby granted, free of charge, ...") == "MIT"
    assert script.repository({"project_url": ["Homepage, https://example.org",
                                              "Source, https://github.com/o/r.git"]}) == "https://github.com/o/r"
    assert script.repository({"project_url": ["Docs, https://example.org"]}) is None
    assert script.direct_dependencies({"requires_dist": ["a>=1", "b; extra == 'x'", "c; python_version<'3.12'"]}) == 2
    meta = {"classifier": ["Programming Language :: Python :: 3.9", "Programming Language :: Python :: 3.12",
                           "Programming Language :: Python :: 3.10", "Programming Language :: Python :: 3 :: Only"]}
    assert script.python_versions(meta) == ["3.9", "3.10", "3.12"]


def test_release_date_bisects_by_day(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    script = refresh_script()
    uploaded = dt.date(2025, 3, 14)
    calls: list[dt.date] = []

    def installable_before(requirement: str, day: dt.date) -> bool:
        calls.append(day)
        return day > uploaded

    monkeypatch.setattr(script, "installable_before", installable_before)
    assert script.release_date("pkg", "1.0") == "2025-03-14"
    assert len(calls) < 20
    monkeypatch.setattr(script, "installable_before", lambda requirement, day: False)
    assert script.release_date("pkg", "1.0") is None


def test_runtime_and_compiler_share_the_vocabulary() -> None:
    from knollm import libraries as runtime
    from knollm_compiler import library_sources as compiler

    for name in ("CATEGORIES", "FEATURES", "CRITERIA", "USE_CASES"):
        assert getattr(runtime, name) == getattr(compiler, name), name


def test_install_requirements_cannot_carry_shell_syntax() -> None:
    from pydantic import TypeAdapter, ValidationError

    from knollm_compiler.library_sources import Requirement

    adapter = TypeAdapter(Requirement)
    for good in ("openai", "outlines[openai]", "pydantic-ai<2", "langchain-openai>=0.3"):
        assert adapter.validate_python(good) == good
    for bad in ("x; rm -rf ~", "$(curl evil)", "a b", "pkg`id`"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)
