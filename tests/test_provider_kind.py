"""Kinds of providers without an authored file: an aggregator only on evidence (closed-weight families of three
labs), stated in the notes; everything else stays unknown. Provider names never decide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knollm_compiler.bundle_records import Model
from knollm_compiler.provider_kind import RESELLER_LABS, closed_labs_served, inferred_kind

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog")).resolve()
KINDS = {"lab-a": "first-party", "lab-a-cloud": "first-party", "lab-b": "first-party", "lab-c": "first-party",
         "lab-d": "first-party", "host": "inference-host"}


def model(provider: str, family: str, open_weights: bool | None = False) -> Model:
    return Model(id=f"{provider}/{family}", provider=provider, model_id=family, kind="chat", family=family,
                 open_weights=open_weights, provenance={"listing": "kind"}, sources=("test",))


def test_three_labs_closed_families_make_an_aggregator() -> None:
    models = [model("lab-a", "alpha"), model("lab-a-cloud", "alpha"), model("lab-b", "beta"), model("lab-c", "gamma"),
              model("lab-d", "delta", open_weights=False), model("elsewhere", "delta", open_weights=True),
              model("newrouter", "alpha"), model("newrouter", "beta"), model("newrouter", "gamma"),
              model("smallrouter", "alpha"), model("smallrouter", "beta"), model("opencloud", "delta")]
    served = closed_labs_served(models, KINDS)
    # lab-a and lab-a-cloud serve one closed family: one lab. delta is open at some offer: no evidence.
    assert served["newrouter"] == {"lab-a", "lab-b", "lab-c"}
    assert served["smallrouter"] == {"lab-a", "lab-b"}
    assert "opencloud" not in served
    kind, why = inferred_kind(served["newrouter"])
    assert kind == "aggregator" and why is not None and "3 labs (lab-a, lab-b, lab-c)" in why
    assert inferred_kind(served["smallrouter"]) == ("unknown", None)
    assert inferred_kind(set()) == ("unknown", None)
    assert RESELLER_LABS == 3


def test_first_party_providers_sharing_a_closed_family_are_one_lab() -> None:
    # Conservative: a first-party provider serving another's closed family merges them, so fewer resellers.
    models = [model("lab-a", "alpha"), model("lab-b", "beta"), model("lab-c", "gamma"), model("lab-a", "beta"),
              model("router", "alpha"), model("router", "beta"), model("router", "gamma")]
    served = closed_labs_served(models, KINDS)
    assert len(served["router"]) == 2
    assert not served["lab-a"] and not served["lab-b"]  # a lab never resells itself


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}")
def test_corpus_kinds_are_filled_or_explained() -> None:
    from knollm_compiler.build import compile_catalog

    providers = compile_catalog(REPO / "catalog", CORPUS, use_genai_prices=True, use_models_dev=True).bundle.providers
    for provider in providers:
        if provider.authored:
            assert provider.kind != "unknown", provider.id  # every authored file states its kind
        elif provider.kind != "unknown":
            assert provider.kind == "aggregator" and provider.notes and "Kind inferred" in provider.notes
    assert sum(p.kind == "aggregator" and not p.authored for p in providers) >= 10
