"""Real-corpus tier of unit calibration and outlier flags (../shared/model_catalog; skipped only when absent)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corpus import CORPUS, CORPUS_TIER, REPO
from knollm_compiler.build import BuildResult, compile_catalog
from knollm_compiler.ingest.prices import UNIT_FACTORS
from knollm_compiler.precedence import DECLARING_SOURCES

pytestmark = CORPUS_TIER


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return compile_catalog(REPO / "catalog", CORPUS)


def test_every_real_listing_keeps_a_conventional_unit_backed_by_evidence(result: BuildResult) -> None:
    evidence = result.bundle.report.units
    assert [e for e in evidence if e.flagged] == []  # checked by hand: no real listing is in an unknown unit
    by_peers = [e for e in evidence if e.method == "peers"]
    assert len(by_peers) >= 10
    for e in by_peers:
        assert e.scale in UNIT_FACTORS, e
        assert Decimal("0.2") < Decimal(e.ratio_after) < 5, e
    for source in result.bundle.report.sources:
        assert "unknown" not in source.price_units.values(), source.file
    dropped = [p for s in result.bundle.report.sources for p in s.problems if "price unit unknown" in p["reason"]]
    assert dropped == []


def test_price_flags_are_few_and_consistent(result: BuildResult) -> None:
    flagged = [m for m in result.bundle.models if m.price_flags]
    assert 0 < len(flagged) < 200
    report = result.bundle.report.price_flags
    assert report is not None and report.count == len(flagged)
    for model in flagged:
        for flag in model.price_flags:
            ratio = flag.value / flag.peer_median
            assert ratio > 10 or ratio < Decimal("0.1"), (model.id, flag)
            assert model.variant is None
            # one peer only against a provider's own declared price, for a price only a map states
            assert flag.peers >= 2 or model.provenance.get(f"pricing.{flag.field}") not in DECLARING_SOURCES
