"""One source of truth: the compiler's records and the runtime's mirror each other field for field, and every
closed vocabulary is defined once (`knollm.vocab`) and used by the compiler's record types, the runtime's
queries, the CLI's choices and the explorer's data."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import orjson
import pytest

import knollm.records as runtime_records
import knollm_compiler.bundle_records as compiler_records
from knollm import vocab
from knollm.cli import build_parser
from knollm_compiler.providers import ProviderSpec
from knollm_site.explorer_data import explorer_document

MIRRORED = ("Model", "Pricing", "PriceTier", "ImagePrice", "PriceFlag", "Upstream", "Provider", "Auth",
            "ProviderStatus", "Family")
FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


@pytest.mark.parametrize("name", MIRRORED)
def test_runtime_records_have_the_compiler_records_fields(name: str) -> None:
    runtime = [f.name for f in dataclasses.fields(getattr(runtime_records, name))]
    compiler = list(getattr(compiler_records, name).model_fields)
    assert sorted(runtime) == sorted(compiler)


def _literal(annotation: object) -> tuple[object, ...]:
    """The values of a (possibly optional or tuple-wrapped) Literal annotation."""
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Literal:
            return typing.get_args(arg)
        if (inner := _literal_in(arg)) is not None:
            return inner
    raise AssertionError(f"no Literal in {annotation!r}")


def _literal_in(annotation: object) -> tuple[object, ...] | None:
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            return typing.get_args(arg)
    return None


@pytest.mark.parametrize(("record", "field", "values"), [
    (compiler_records.Model, "kind", vocab.KINDS),
    (compiler_records.Model, "input_modalities", vocab.MODALITIES),
    (compiler_records.Model, "variant", vocab.VARIANTS),
    (compiler_records.Provider, "kind", vocab.PROVIDER_KINDS),
    (compiler_records.Auth, "header", vocab.AUTH_HEADERS),
    (ProviderSpec, "api_kind", vocab.API_KINDS),
])
def test_compiler_types_use_the_runtime_vocabulary(record: type, field: str, values: tuple[str, ...]) -> None:
    assert _literal(record.model_fields[field].annotation) == values


def test_the_cli_offers_the_vocabulary_as_choices() -> None:
    parser = build_parser()
    groups = next(a for a in parser._actions if a.dest == "group").choices
    search = next(a for a in groups["models"]._actions if a.dest == "command").choices["search"]
    choices = {a.dest: tuple(a.choices) for a in search._actions if a.choices}
    assert choices["kind"] == vocab.KINDS and choices["capability"] == vocab.CAPABILITIES
    assert choices["input_modality"] == choices["output_modality"] == vocab.MODALITIES
    listing = next(a for a in groups["providers"]._actions if a.dest == "command").choices["list"]
    assert next(tuple(a.choices) for a in listing._actions if a.dest == "kind") == vocab.PROVIDER_KINDS
    route = groups["route"]
    assert next(tuple(a.choices) for a in route._actions if a.dest == "strategy") == vocab.STRATEGIES


def test_the_explorer_gets_its_vocabulary_from_its_data() -> None:
    document = explorer_document(orjson.loads(FIXTURE.read_bytes()))
    assert tuple(document["kinds"]) == vocab.KINDS and tuple(document["modalities"]) == vocab.MODALITIES
    explorer_js = (Path(__file__).parents[1] / "assets" / "explorer").glob("*.js")
    for script in explorer_js:  # the JS reads kinds and modalities from the data, never restates them
        text = script.read_text(encoding="utf-8")
        assert '"moderation"' not in text and '"embedding", "rerank"' not in text, script.name
