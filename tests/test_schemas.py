"""The committed JSON Schemas for editors are exactly what the strict models generate (no drift)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knollm_compiler.bundle_writer import json_bytes
from knollm_compiler.library_sources import library_spec_schema
from knollm_compiler.providers import provider_spec_schema

SCHEMAS = Path(__file__).resolve().parents[1] / "catalog" / "schema"


@pytest.mark.parametrize(("name", "generate"), [("provider", provider_spec_schema), ("library", library_spec_schema)])
def test_committed_schema_matches_the_model(name: str, generate) -> None:
    assert (SCHEMAS / f"{name}.schema.json").read_bytes() == json_bytes(generate()), "run make build and commit"
