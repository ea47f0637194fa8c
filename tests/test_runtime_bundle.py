"""Runtime: finding, reading and checking the bundle; every failure is one clear BundleError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import knollm
from knollm import bundle
from knollm.errors import REBUILD_HINT, BundleError, KnollmError

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


@pytest.fixture
def document() -> dict:
    return json.loads(FIXTURE.read_text())


def write(tmp_path: Path, data: object, name: str = "catalog.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_load_explicit_path() -> None:
    catalog = knollm.Catalog.load(FIXTURE)
    assert len(catalog) == 12
    assert catalog.path == FIXTURE
    assert catalog.schema_version == "1.0"
    assert catalog.data_date == "2025-09-02"
    assert catalog.sources == ("models_acme.json", "models_hostco.json", "models_routr.json")
    assert catalog.has_families
    assert "12 models, 3 providers" in repr(catalog)


def test_load_accepts_str_path_and_shorthand() -> None:
    assert len(knollm.load(str(FIXTURE))) == 12


def test_load_from_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOLLM_BUNDLE", str(FIXTURE))
    assert knollm.Catalog.load().path == FIXTURE


def test_explicit_path_beats_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KNOLLM_BUNDLE", str(tmp_path / "nope.json"))
    assert knollm.Catalog.load(FIXTURE).path == FIXTURE


def test_packaged_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, document: dict) -> None:
    monkeypatch.delenv("KNOLLM_BUNDLE", raising=False)
    assert bundle.default_path() == Path(knollm.__file__).resolve().parent / "data" / "catalog.json"
    packaged = write(tmp_path, document)
    monkeypatch.setattr(bundle, "default_path", lambda: packaged)
    assert knollm.Catalog.load().path == packaged


def test_missing_packaged_bundle_says_how_to_rebuild(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KNOLLM_BUNDLE", raising=False)
    monkeypatch.setattr(bundle, "default_path", lambda: tmp_path / "data" / "catalog.json")
    with pytest.raises(BundleError) as info:
        knollm.Catalog.load()
    message = str(info.value)
    assert "no bundle file at" in message
    assert "make build" in message and "KNOLLM_BUNDLE" in message


def test_missing_env_bundle_names_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KNOLLM_BUNDLE", str(tmp_path / "gone.json"))
    with pytest.raises(BundleError, match="from KNOLLM_BUNDLE"):
        knollm.Catalog.load()


def test_directory_is_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="a directory, not a regular file"):
        knollm.Catalog.load(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "{}")

    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)  # tests run as root in CI, where chmod 000 would not stop the read
    with pytest.raises(BundleError, match="cannot read the file: permission denied"):
        knollm.Catalog.load(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        (b"\xff\xfe\x00".decode("latin-1"), "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"models": [], "providers": []}', "no schema_version"),
        ('{"schema_version": "2.0", "models": [], "providers": []}', "'2.0' is not supported"),
        ('{"schema_version": "x", "models": [], "providers": []}', "'x' is not supported"),
        ('{"schema_version": "1.0", "providers": []}', "'models' is missing or not a list"),
        ('{"schema_version": "1.0", "models": {}, "providers": []}', "'models' is missing or not a list"),
        ('{"schema_version": "1.0", "models": [{"name": "x"}], "providers": []}', "models[0] is not a record"),
        ('{"schema_version": "1.0", "models": [], "providers": [3]}', "providers[0] is not a record"),
        ('{"schema_version": "1.0", "models": [], "providers": [], "families": {}}', "'families' is not a list"),
    ],
)
def test_corrupt_bundles_raise_one_clear_error(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(BundleError) as info:
        knollm.Catalog.load(path)
    assert problem in str(info.value)
    assert str(path) in str(info.value)
    assert REBUILD_HINT in str(info.value)
    assert isinstance(info.value, KnollmError)


def test_minor_schema_versions_are_read(tmp_path: Path, document: dict) -> None:
    document["schema_version"] = "1.7"
    assert len(knollm.Catalog.load(write(tmp_path, document))) == 12


def test_malformed_model_record_is_a_bundle_error_on_use(tmp_path: Path, document: dict) -> None:
    document["models"][0]["pricing"] = {"input_per_mtok": "cheap"}
    catalog = knollm.Catalog.load(write(tmp_path, document))
    bad_id = document["models"][0]["id"]
    with pytest.raises(BundleError, match=f"model record '{bad_id}' is malformed"):
        catalog.get(bad_id)
    with pytest.raises(BundleError, match=f"model record '{bad_id}' is malformed"):
        catalog.search(kind="chat")  # a full scan decodes every record
    assert catalog.get("routr/free/tiny").model_id == "free/tiny"  # the others still work


@pytest.mark.parametrize("value", [True, "-1", "NaN", [1]])
def test_bad_money_values_are_rejected(tmp_path: Path, document: dict, value: object) -> None:
    document["models"][0]["pricing"]["input_per_mtok"] = value
    catalog = knollm.Catalog.load(write(tmp_path, document))
    with pytest.raises(BundleError):
        catalog.get(document["models"][0]["id"])


def test_numeric_money_is_read_exactly(tmp_path: Path, document: dict) -> None:
    from decimal import Decimal

    document["models"][0]["pricing"]["input_per_mtok"] = 0.1
    document["models"][0]["pricing"]["output_per_mtok"] = 3
    catalog = knollm.Catalog.load(write(tmp_path, document))
    model = catalog.get(document["models"][0]["id"])
    assert model.pricing.input_per_mtok == Decimal("0.1")
    assert model.pricing.output_per_mtok == Decimal(3)


def test_malformed_provider_record_is_a_bundle_error(tmp_path: Path, document: dict) -> None:
    document["providers"][0]["auth"] = {"env_var": "X"}
    catalog = knollm.Catalog.load(write(tmp_path, document))
    with pytest.raises(BundleError, match="provider record 'acme' is malformed"):
        catalog.providers()


def test_from_dict_checks_the_document(document: dict) -> None:
    assert len(knollm.Catalog.from_dict(document)) == 12
    with pytest.raises(BundleError, match="no schema_version"):
        knollm.Catalog.from_dict({"models": [], "providers": []})


def test_bundle_parse_accepts_text() -> None:
    assert bundle.parse(FIXTURE.read_text())["schema_version"] == "1.0"


HEAVY = "{'knollm_compiler', 'pydantic', 'jinja2', 'mkdocs', 'rich', 'tiktoken', 'genai_prices'}"


def test_every_runtime_module_stays_lean() -> None:
    """The packaging test checks `import knollm`; this checks every submodule, the CLI included."""
    runtime = Path(knollm.__file__).parent
    modules = sorted(f"knollm.{p.stem}" for p in runtime.glob("*.py") if p.stem not in {"__init__", "__main__"})
    assert {"knollm.cli", "knollm.commands", "knollm.render", "knollm.catalog"} <= set(modules)
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"heavy = {HEAVY}\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_loading_and_querying_stay_lean() -> None:
    code = (
        "import sys, knollm\n"
        f"c = knollm.Catalog.load({str(FIXTURE)!r})\n"
        "c.search('llama', sort='price'); c.get('acme/acme-small'); c.providers(); c.offers('llama-4-70b')\n"
        "knollm.estimate_cost(c.get('acme/acme-small'), 10, 10)\n"
        "try:\n    c.get('acme/acme-smol')\nexcept knollm.ModelNotFound:\n    pass\n"
        f"heavy = {HEAVY}\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
