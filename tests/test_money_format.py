"""One money format for every reader-facing place: the runtime (CLI, and the site through `fmt.money`) and the
explorer's money.js agree on tests/fixtures/money_cases.json; never a float artefact, at most 6 significant
digits, the exact value kept in a title."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from browser import browser, have_chromium, serve
from knollm.money_format import SIGNIFICANT, exact_money, format_money, is_rounded
from knollm.render import money as cli_money
from knollm_site.fmt import money as site_money

REPO = Path(__file__).resolve().parents[1]
CASES = json.loads((REPO / "tests" / "fixtures" / "money_cases.json").read_text(encoding="utf-8"))["cases"]


def significant_digits(shown: str) -> int:
    digits = re.sub(r"[^0-9]", "", shown).lstrip("0")
    return len(digits.rstrip("0")) if "." not in shown else len(digits)


@pytest.mark.parametrize(("exact", "shown"), CASES)
def test_python_format(exact: str, shown: str) -> None:
    value = Decimal(exact)
    assert format_money(value) == shown
    assert cli_money(value, "/M") == shown + "/M"
    assert significant_digits(shown) <= SIGNIFICANT


def test_site_money_keeps_the_exact_value_in_a_title() -> None:
    assert site_money(Decimal("2.5")) == "$2.50"
    assert site_money(None) == "—"
    rounded = Decimal("0.1999188")
    assert is_rounded(rounded) and exact_money(rounded) == "$0.1999188"
    assert site_money(rounded, per="/M") == '<span title="exactly $0.1999188/M">$0.199919/M</span>'


def test_no_page_shows_more_than_six_significant_digits(fixture_site: Path) -> None:
    """Every amount on the built fixture site (exact values in title attributes aside)."""
    amounts = []
    for page in fixture_site.rglob("*.html"):
        text = re.sub(r"<script.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
        amounts += re.findall(r"\$[0-9][0-9,]*(?:\.[0-9]+)?", re.sub(r'title="[^"]*"', "", text))
    assert len(amounts) > 100
    assert [a for a in amounts if significant_digits(a) > SIGNIFICANT] == []


@pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")
def test_javascript_format_agrees() -> None:
    with serve(REPO / "assets" / "explorer") as base, browser() as chromium:
        tab = chromium.new_page()
        tab.goto(base)
        shown = tab.evaluate("""async (cases) => {
          const { formatMoney } = await import('./money.js');
          return cases.map(([exact]) => formatMoney(exact));
        }""", CASES)
        tab.close()
    assert shown == [s for _, s in CASES]
