"""Bundle format 1.1: defaults left out, provenance grouped by source; the runtime reads 1.1 and 1.0."""

from __future__ import annotations

import orjson

from knollm import Catalog
from knollm_compiler.bundle_records import SCHEMA_VERSION, Bundle
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_compiler.drafts import Draft
from knollm_compiler.merge import merge
from knollm_compiler.report_records import Report


def _bundle() -> Bundle:
    (model,) = merge([Draft("acme", "m-1", "listing", "models_acme.json", {"context_window": 8192})]).models
    return Bundle(schema_version=SCHEMA_VERSION, data_date=None, sources=(), providers=(), models=(model,),
                  report=Report(sources=(), totals={}, invariant_ok=True))


def test_defaults_are_left_out_and_provenance_is_grouped() -> None:
    document = orjson.loads(bundle_bytes(_bundle()))
    (model,) = document["models"]
    assert document["data_date"] is None  # required fields stay, even when null
    assert "pricing" not in model and "description" not in model and "featured" not in model
    assert model["provenance"] == {"inferred": "input_modalities,kind,name,output_modalities",
                                   "listing": "context_window"}


def test_runtime_reads_grouped_provenance() -> None:
    document = orjson.loads(bundle_bytes(_bundle()))
    document["providers"] = [{"id": "acme", "name": "Acme", "kind": "local", "authored": False}]
    model = Catalog.from_dict(document).get("acme/m-1")
    assert model.source_of("context_window") == "listing" and model.source_of("kind") == "inferred"
    assert model.source_of("pricing.input_per_mtok") is None
    assert model.field_sources["name"] == "inferred"


def test_runtime_upgrades_1_0_provenance() -> None:
    document = {
        "schema_version": "1.0", "providers": [{"id": "acme", "name": "Acme", "kind": "local"}],
        "models": [{"id": "acme/m-1", "provider": "acme", "model_id": "m-1", "kind": "chat",
                    "provenance": {"context_window": "listing", "kind": "inferred"}}],
    }
    model = Catalog.from_dict(document).get("acme/m-1")
    assert model.source_of("context_window") == "listing" and model.source_of("kind") == "inferred"
