"""The narrower vocabularies (what the client speaks and sends, what a configuration may say) are subsets of the
bundle's, defined in `knollm.vocab` and read from there by the client, the configuration and the fake provider."""

from __future__ import annotations

import importlib
from typing import get_args

from knollm import vocab
from knollm.client import target
from knollm.config import model
from knollm.testing import fake_provider


def test_client_vocabularies_are_subsets_of_the_bundle_ones() -> None:
    assert set(vocab.CALLABLE_API_KINDS) <= set(vocab.API_KINDS)
    assert set(vocab.CLIENT_AUTH_HEADERS) <= set(vocab.AUTH_HEADERS)
    assert set(get_args(vocab.ConfigAuthHeader)) <= set(vocab.CLIENT_AUTH_HEADERS)


def test_consumers_read_the_vocabulary_module() -> None:
    assert target.AUTH_HEADERS is vocab.CLIENT_AUTH_HEADERS
    assert get_args(target.ApiKind) == get_args(model.ApiKind) == vocab.CALLABLE_API_KINDS
    endpoint = importlib.import_module("knollm.config.endpoint")  # the package exports a function of that name
    assert endpoint.CALLABLE_APIS is vocab.CALLABLE_API_KINDS
    assert fake_provider.APIS is vocab.CALLABLE_API_KINDS
    assert get_args(model.AuthHeader) == get_args(vocab.ConfigAuthHeader)


def test_tables_keyed_by_a_vocabulary_cover_exactly_that_vocabulary() -> None:
    """Descriptions and numbers written per value (site texts, price bands) name every value and no other, so a
    value added to `knollm.vocab` fails here until each table says something about it."""
    from knollm.comparable import OUTPUT_OPTIONAL_KINDS
    from knollm_compiler.bundle_vocab import NON_TOKEN_KINDS
    from knollm_compiler.calibrate import BAND_CENTRES
    from knollm_site.analysis import CAPABILITY_DOCS
    from knollm_site.library_pages import CATEGORY_DOCS, REACH_LABELS, USE_CASE_DOCS

    assert set(BAND_CENTRES) == set(vocab.KINDS)
    assert set(vocab.KINDS) >= NON_TOKEN_KINDS and set(OUTPUT_OPTIONAL_KINDS) <= set(vocab.KINDS)
    assert set(CAPABILITY_DOCS) == set(vocab.CAPABILITIES)
    assert set(CATEGORY_DOCS) == set(vocab.LIBRARY_CATEGORIES)
    assert set(USE_CASE_DOCS) == set(vocab.USE_CASES)
    assert set(REACH_LABELS) == set(vocab.LIBRARY_REACH)


def test_the_providers_page_describes_every_provider_kind() -> None:
    import re
    from pathlib import Path

    template = (Path(__file__).resolve().parents[1] / "site_templates" / "providers_index.md.j2").read_text("utf-8")
    block = template.split("{% set kinds = [", 1)[1].split("] %}", 1)[0]
    assert tuple(re.findall(r'^\s*\("([a-z-]+)",', block, re.MULTILINE)) == vocab.PROVIDER_KINDS
