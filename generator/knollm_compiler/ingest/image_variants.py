"""Image models listed once per size and quality (`hd/1024-x-1792/dall-e-3`, `1024-x-1024/50-steps/sdxl`) become
one model (`dall-e-3`) with a price per size and quality (`pricing.image_prices`). Recognised by the shape of the
id, not by provider: a `<width>-x-<height>` segment (or `max-x-max`), with an optional quality segment before it or a
`<n>-steps` segment after it.

A per-pixel price becomes a per-image price for the size in the id. Sources write per-pixel prices as rounded
quotients of a per-image price (7.629e-08 for $0.08 / 1024²), so the product is rounded to the significant
digits the per-pixel price has: the result claims no more precision than the source gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ..drafts import Draft
from .flatten import flatten, leaf_name
from .prices import MAX_PER_UNIT, parse_price

VARIANT_ID = re.compile(
    r"^(?:(?P<quality>[a-z][a-z0-9-]*)/)?(?P<width>\d{2,5}|max)-x-(?P<height>\d{2,5}|max)/"
    r"(?:(?P<steps>[a-z0-9]+-steps)/)?(?P<base>[^/].*)$"
)
PIXEL_KEY = re.compile(r"per_pixel$")
IMAGE_KEY = re.compile(r"per_image$")


@dataclass(frozen=True, slots=True)
class ImageVariant:
    base_id: str
    size: str
    quality: str | None


def parse(model_id: str) -> ImageVariant | None:
    match = VARIANT_ID.match(model_id)
    if match is None:
        return None
    sides = (match["width"], match["height"])
    size = "max" if "max" in sides else "x".join(sides)
    return ImageVariant(match["base"], size, match["quality"] or match["steps"])


def image_price(variant: ImageVariant, entry: dict[str, Any], draft: Draft) -> tuple[Decimal | None, str | None]:
    """The entry's positive per-image price, or its positive per-pixel price times the pixels of the size;
    (None, reason) when that is implausible."""
    if (declared := draft.values.get("pricing.per_image")) and declared > 0:
        return declared, None  # already checked by the normaliser
    width, _, height = variant.size.partition("x")
    if not (width.isdigit() and height.isdigit()):
        return None, None  # `max`: no pixel count to multiply by
    for path, raw in flatten(entry):
        number = parse_price(raw)[0] if PIXEL_KEY.search(leaf_name(path)) else None  # bad: logged as a price
        if number is not None and number > 0:
            price = _significant(number * int(width) * int(height), len(number.as_tuple().digits))
            if price > MAX_PER_UNIT:
                return None, f"implausible price {price} USD per {variant.size} image (read {number} per pixel)"
            return price, None
    return None, None


def _significant(value: Decimal, digits: int) -> Decimal:
    exponent = value.adjusted() - digits + 1
    rounded = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN).normalize()
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral() else rounded


def fold(drafts: list[tuple[Draft, ImageVariant, Decimal | None]]) -> list[Draft]:
    """One draft per base model: the first variant's non-price fields, and every variant's image price."""
    by_base: dict[tuple[str, str], Draft] = {}
    for draft, variant, price in drafts:
        key = (draft.provider, variant.base_id)
        if key not in by_base:
            values = {k: v for k, v in draft.values.items() if not k.startswith(("pricing.", "timed."))}
            by_base[key] = Draft(draft.provider, variant.base_id, draft.source, draft.file, values)
            by_base[key].featured = draft.featured
        if price is not None:
            by_base[key].values.setdefault("pricing.image_prices", []).append(
                {"size": variant.size, "quality": variant.quality, "per_image": price})
    for folded in by_base.values():
        prices = folded.values.get("pricing.image_prices")
        if prices:
            prices.sort(key=lambda p: (p["size"], p["quality"] or ""))
    return list(by_base.values())
