"""The one comparable price behind "cheapest" and every price sort (`knollm.comparable`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from knollm import Catalog
from knollm.comparable import TURN_TOKENS, comparable_price, explorer_rule
from knollm_site.explorer_data import explorer_document

D = Decimal
FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


@pytest.mark.parametrize(("inp", "out", "kind", "expected"), [
    (D("1"), D("3"), "chat", D("1.5")),  # (3 x 1 + 3) / 4
    (D("0.25"), D("1.25"), None, D("0.5")),
    (D("0"), D("0"), "chat", D("0")),
    (D("0.02"), None, "embedding", D("0.02")),  # no output tokens: input alone
    (D("0.02"), None, "chat", None),  # a chat model without an output price is unknown, never input alone
    (None, D("1"), "chat", None),
])
def test_comparable_price(inp: Decimal | None, out: Decimal | None, kind: str | None, expected: Decimal | None) -> None:
    assert comparable_price(inp, out, kind) == expected


def test_turn_cost_is_proportional_to_the_comparable_price() -> None:
    """The family tables' *turn* column orders offers exactly as the comparable price does."""
    inp, out = D("0.6"), D("2.4")
    turn = (TURN_TOKENS[0] * inp + TURN_TOKENS[1] * out) / 1_000_000
    assert turn == comparable_price(inp, out) * sum(TURN_TOKENS) / 1_000_000


def test_the_explorer_reads_the_rule_from_its_data() -> None:
    assert explorer_document(orjson.loads(FIXTURE.read_bytes()))["comparable"] == explorer_rule()


def test_family_cheapest_is_the_first_offer_on_the_fixture() -> None:
    catalog = Catalog.load(FIXTURE)
    crowned = [f for f in catalog.families() if f.cheapest is not None]
    assert crowned
    assert all(catalog.offers(f)[0].id == f.cheapest for f in crowned)
