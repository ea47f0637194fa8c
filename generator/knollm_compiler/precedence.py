"""Which declaration wins when sources disagree: authored overrides first, then the newest declaration, then the
source's rank. One rule for every field, prices included (see `price_choice.py` for how prices stay whole).

A declaration's date is the day its source describes (`Draft.as_of`): a listing's fetch date, a curated
package's data date, a models.dev record's `last_updated`, an override's `checked_on`. No declaration is
dated after the build's as-of date: a value written later still describes the as-of day at best, so two
sources that both know the as-of day tie and their rank decides.
"""

from __future__ import annotations

from datetime import date

from .drafts import Draft

OVERRIDE = "override"
SOURCE_RANK = {OVERRIDE: 0, "manual": 1, "listing": 2, "genai-prices": 3, "litellm": 4, "models.dev": 5}
UNRANKED = 9
DECLARING_SOURCES = frozenset({OVERRIDE, "manual", "listing", "genai-prices"})
"""The provider's own listing, our overrides and curated price data: what they state is a declaration. Every
other source is a map of many providers' data compiled by a third party (LiteLLM's, models.dev, or a catalog
file never seen before)."""


def day_ordinal(day: str | None) -> int:
    """Days since year 1 for a YYYY-MM-DD date; 0 for an undated or malformed one (older than any date)."""
    if not day:
        return 0
    try:
        return date.fromisoformat(day).toordinal()
    except ValueError:
        return 0


def precedence_key(draft: Draft) -> tuple[int, int, int, str]:
    """Sort key: the first draft of a sorted group is the one whose declarations win."""
    return (0 if draft.source == OVERRIDE else 1, -day_ordinal(draft.as_of), SOURCE_RANK.get(draft.source, UNRANKED),
            draft.file)


def won_by(kept: Draft, other: Draft) -> str:
    """Why `kept`'s declaration beat `other`'s: `override`, `newer` or `rank`."""
    if kept.source == OVERRIDE and other.source != OVERRIDE:
        return "override"
    return "newer" if day_ordinal(kept.as_of) > day_ordinal(other.as_of) else "rank"


def cap_dates(drafts: list[Draft], as_of: str | None) -> None:
    """No declaration describes a day after the build's as-of date (see the module docstring)."""
    if as_of is None:
        return
    for draft in drafts:
        if draft.as_of is not None and draft.as_of > as_of:
            draft.as_of = as_of
