"""The one way money is shown to readers: site pages (`fmt.money`), the CLI (`render.money`) and, mirrored in
assets/explorer/money.js, the explorer and calculator. tests/fixtures/money_cases.json holds the cases both
languages must agree on.

At most `SIGNIFICANT` significant digits, rounded half-even from the exact Decimal (never a float, so no
`0.18000000000000002`); cents (two decimals) whenever they fit in those digits (`$2.50`, `$0.0375`, `$1,234.50`);
thousands separators; `$0` for zero. The exact value stays available (`exact_money`) for a title or `--json`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from .serialize import money_str

SIGNIFICANT: Final = 6
CENTS: Final = 2


def round_significant(value: Decimal, digits: int = SIGNIFICANT) -> Decimal:
    """`value` rounded half-even to `digits` significant digits (exact values with fewer digits are unchanged)."""
    if not value.is_finite() or value == 0:
        return value
    exponent = value.adjusted() - digits + 1
    if value.as_tuple().exponent >= exponent:  # type: ignore[operator]  # finite here, so an int, never "n"/"N"/"F"
        return value
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)


def exact_money(value: Decimal) -> str:
    """The exact amount, unrounded: `$0.0000014298375`."""
    return f"${money_str(value)}"


def format_money(value: Decimal) -> str:
    """`$0.199919` for 0.1999188; `$2.50`; `$0`; `$1,234,570` for 1234567.891 (see the module docstring)."""
    if value == 0:
        return "$0"
    sign = "-" if value < 0 else ""
    whole, _, fraction = money_str(abs(round_significant(value))).partition(".")
    if len(whole.lstrip("0")) + CENTS <= SIGNIFICANT:  # cents fit in the digits shown
        fraction = fraction.ljust(CENTS, "0")
    return f"{sign}${int(whole):,}" + (f".{fraction}" if fraction else "")


def is_rounded(value: Decimal) -> bool:
    """Whether `format_money` shows less than the exact value (then the exact one belongs in a title)."""
    return round_significant(value) != value
