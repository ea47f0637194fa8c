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
