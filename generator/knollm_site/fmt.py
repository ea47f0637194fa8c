"""Formatting numbers, prices and paths for the generated pages (all output is safe Markdown)."""

from __future__ import annotations

import posixpath
import re
from decimal import Decimal

from knollm.money_format import exact_money, format_money, is_rounded

from .escape import EMPTY_CELL, escape_md

_SLUG = re.compile(r"[^a-z0-9._-]+")


def money(value: Decimal | None, *, per: str = "") -> str:
    """USD as `knollm.money_format` shows it everywhere (`$0.15`, `$2.50`, `$0.199919`, `$0`); `—` when unknown.
    A rounded amount carries its exact value in a title (hover), so nothing is lost."""
    if value is None:
        return EMPTY_CELL
    shown = format_money(value) + per
    if not is_rounded(value):
        return shown
    return f'<span title="exactly {exact_money(value)}{per}">{shown}</span>'


FLAG_MARK = "⚠"
"""Beside a price more than 10x from its family's median at other providers (`price_flags`)."""


def flag_mark(model: object, field_name: str) -> str:
    """` ⚠` when the model's price `field_name` carries an outlier flag, else nothing."""
    price_flag = getattr(model, "price_flag", None)
    return f" {FLAG_MARK}" if price_flag is not None and price_flag(field_name) is not None else ""


def count(value: int | None) -> str:
    """A whole number with thousands separators; `—` when unknown."""
    return EMPTY_CELL if value is None else f"{value:,}"


def percent(part: int, whole: int) -> str:
    """`part` of `whole` as a whole percentage (`—` when `whole` is zero)."""
    return EMPTY_CELL if whole == 0 else f"{round(100 * part / whole)}%"


def yes_no(value: bool | None) -> str:
    """`yes`, `no` or `—` (unknown)."""
    return EMPTY_CELL if value is None else ("yes" if value else "no")


def slug(text: str, taken: set[str], reserved: frozenset[str] = frozenset()) -> str:
    """A file-name-safe slug of `text` (lowercase `a-z0-9._-`), unique among `taken`, which it joins."""
    base = _SLUG.sub("-", text.lower()).strip("-.") or "item"
    candidate, n = base, 1
    while candidate in taken or candidate in reserved:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def rel(here: str, target: str) -> str:
    """The relative link from the page `here` to the docs file `target` (both relative to the docs root)."""
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    if not target:
        return fragment
    return posixpath.relpath(target, posixpath.dirname(here) or ".") + fragment


# Prices beyond tokens, with their units, in the order shown: (Pricing attribute, label, unit suffix).
OTHER_PRICES = (
    ("per_image", "image", ""), ("audio_input_per_hour", "audio in", "/hour"),
    ("audio_output_per_hour", "audio out", "/hour"), ("input_audio_per_mtok", "audio tokens in", "/M"),
    ("output_audio_per_mtok", "audio tokens out", "/M"), ("per_mchar", "characters", "/M chars"),
    ("per_kquery", "queries", "/1K"), ("web_search_per_k", "web search", "/1K"), ("per_request", "request", ""),
)


def other_prices(pricing: object | None) -> str:
    """Fees that are not per text token, each with its unit (`audio in $0.36/hour; image 1024x1024 hd $0.08`);
    `—` when there are none. A $0 fee is left out (routers write `image: 0` on text models: no fee, nothing to
    show). Sizes and qualities come from sources, so they are escaped."""
    if pricing is None:
        return EMPTY_CELL
    parts = [f"{label} {money(getattr(pricing, attr), per=unit)}" for attr, label, unit in OTHER_PRICES
             if getattr(pricing, attr, None)]
    for image in getattr(pricing, "image_prices", ()):
        choice = " ".join(escape_md(v) for v in (image.size, image.quality) if v)
        parts.append(f"image {choice} {money(image.per_image)}")
    return "; ".join(parts) or EMPTY_CELL
