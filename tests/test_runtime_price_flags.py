"""Outlier price flags in the runtime: decoded from the bundle, old bundles without them still load, and the
CLI marks flagged prices (search, show, families, costs)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from knollm import Catalog
from test_cli_commands import FIXTURE, ok

FLAG = {"field": "input_per_mtok", "value": "0.9", "peer_median": "0.055", "peers": 2, "ratio": "16.4"}


@pytest.fixture
def flagged_bundle(tmp_path: Path) -> Path:
    """The runtime fixture bundle (schema 1.0, no flags) with one invented flag added."""
    bundle = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for model in bundle["models"]:
        if model["id"] == "hostco/llama-4-70b-turbo":
            model["price_flags"] = [FLAG]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def test_flags_are_decoded_and_old_bundles_have_none(flagged_bundle: Path) -> None:
    model = Catalog.load(flagged_bundle).get("hostco/llama-4-70b-turbo")
    (flag,) = model.price_flags
    assert (flag.field, flag.value, flag.peer_median, flag.peers, flag.ratio) == (
        "input_per_mtok", Decimal("0.9"), Decimal("0.055"), 2, "16.4")
    assert model.price_flag("input_per_mtok") is flag and model.price_flag("output_per_mtok") is None
    assert all(m.price_flags == () for m in Catalog.load(FIXTURE).models)


def test_the_cli_marks_flagged_prices(flagged_bundle: Path) -> None:
    shown = ok("models", "show", "hostco/llama-4-70b-turbo", bundle=flagged_bundle)
    assert "$0.90/M ! 16.4x the median $0.055/M at 2 other providers" in shown
    assert "price: output   $0.90/M\n" in shown
    found = ok("models", "search", "llama-4-70b", bundle=flagged_bundle)
    assert "$0.90 !" in found and "more than 10x from the family's median" in found
    family = ok("families", "show", "llama-4-70b", bundle=flagged_bundle)
    assert "$0.90 !" in family and "$0.50 !" not in family
    cost = ok("costs", "estimate", "--model", "hostco/llama-4-70b-turbo", "--input-tokens", "1000",
              "--output-tokens", "10", bundle=flagged_bundle)
    assert "! hostco/llama-4-70b-turbo: input_per_mtok $0.90/M is 16.4x the median ($0.055/M)" in cost
    compared = ok("costs", "compare", "--family", "llama-4-70b", "--input-tokens", "1000", "--output-tokens", "1",
                  bundle=flagged_bundle)
    assert compared.count("! hostco/llama-4-70b-turbo") == 1
    plain = ok("models", "show", "hostco/llama-4-70b-turbo")
    assert " ! " not in plain


def _flag_cheapest(tmp_path: Path) -> tuple[Path, str]:
    """The fixture bundle with its cheapest regular model flagged: that price is the one a cheapest answer
    must not trust."""
    cheapest = Catalog.load(FIXTURE).cheapest()
    assert cheapest is not None
    bundle = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for model in bundle["models"]:
        if model["id"] == cheapest.id:
            model["price_flags"] = [FLAG]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path, cheapest.id


def test_cheapest_skips_flagged_prices_unless_asked(tmp_path: Path) -> None:
    path, flagged = _flag_cheapest(tmp_path)
    catalog = Catalog.load(path)
    best = catalog.cheapest()
    assert best is not None and best.id != flagged
    assert catalog.cheapest(include_flagged=True).id == flagged
    assert flagged in {m.id for m in catalog.search(sort="price")}  # plain listings keep it
    assert flagged not in {m.id for m in catalog.search(sort="price", flagged=False)}
    assert [m.id for m in catalog.search(flagged=True)] == [flagged]
    family = catalog.get(flagged).family
    if family:
        assert flagged in {m.id for m in catalog.offers(family)}
        assert flagged not in {m.id for m in catalog.offers(family, include_flagged=False)}
