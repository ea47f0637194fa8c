"""Free-text matching shared by `Catalog.search` and the site's explorer (which reads `SEARCH_RULES` from its
data file and applies the same rules in assets/explorer/search.js; tests/fixtures/search/cases.json proves both
agree on the same queries).

Readers spell one model many ways: `llama 3.3 70b`, `llama-3.3-70b`, `llama3.3:70b`, `Llama-3.3-70B`. So matching
happens on *folded* text: lowercase, with every character outside `[a-z0-9]` dropped, per field. A query is cut
into words at anything but letters, digits and dots (so `3.3` stays one word), and each word is folded too; every
word must occur in some folded field. Only the text used for matching is normalised: what the reader typed is
never rewritten.

Rank (lower is better): 0 the folded query *is* the model id (with or without provider or namespace), the name
or the family id; 1 the model id (or its last `/` part) or family id starts with it; 2 it occurs in the model id;
3 in the name or family name; 4 every word occurs somewhere (not side by side); 5 elsewhere (description, aliases,
a typo). Ties: the shorter provider's id first (closer to what was typed: `deepseek-r1` before
`deepseek/deepseek-r1/fp-8`), then the id.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

SEARCH_RULES: Final = {"drop": "[^a-z0-9]+", "split": "[^a-z0-9.]+"}
"""The rules as data (JavaScript regular expression sources, valid in Python too): `drop` removes characters when
folding, `split` cuts a query into words."""

_DROP = re.compile(SEARCH_RULES["drop"])
_SPLIT = re.compile(SEARCH_RULES["split"])
WORST_RANK: Final = 5


_ASCII_DROPPED = bytes(c for c in range(128) if re.fullmatch(SEARCH_RULES["drop"], chr(c)))
"""The ASCII characters `drop` removes: ASCII text is folded by `bytes.translate`, several times faster."""


def fold(text: str) -> str:
    """`Llama-3.3-70B:free` -> `llama3370bfree`: the spelling-insensitive form of one field or query."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.encode().translate(None, _ASCII_DROPPED).decode()
    return _DROP.sub("", lowered)


_fold_again = lru_cache(maxsize=1 << 15)(fold)  # ranking folds the same ids and query over and over


def query_words(text: str) -> list[str]:
    """The folded words of a query (`llama3.3:70b` -> `['llama33', '70b']`); empty for a blank query."""
    return [w for w in (fold(part) for part in _SPLIT.split(text.lower())) if w]


def haystack(fields: list[str]) -> str:
    """Folded fields joined by a space (a character no folded word contains, so no match spans two fields)."""
    return " ".join(fold(f) for f in fields if f)


def matches(words: list[str], folded_haystack: str) -> bool:
    """Whether every query word occurs in the folded haystack."""
    return all(w in folded_haystack for w in words)


def rank(query: str, model_id: str, local_id: str, name: str, family_id: str, family_name: str) -> int:
    """The rank of one model for a query (see the module docstring): `model_id` is the full `provider/model` id,
    `local_id` the provider's own id for it."""
    whole = _fold_again(query)
    full, local, last = _fold_again(model_id), _fold_again(local_id), _fold_again(local_id.rsplit("/", 1)[-1])
    folded_name, family = _fold_again(name), _fold_again(family_id)
    if not whole:
        return WORST_RANK
    if whole in (full, local, last, folded_name, family):
        return 0
    if local.startswith(whole) or last.startswith(whole) or (family and family.startswith(whole)):
        return 1
    if whole in full:
        return 2
    if whole in folded_name or (family and whole in family) or whole in _fold_again(family_name):
        return 3
    if matches(query_words(query), haystack([model_id, name, family_id, family_name])):
        return 4
    return WORST_RANK


def rank_key(query: str, model_id: str, local_id: str, name: str, family_id: str, family_name: str) -> tuple[int, int]:
    """Sort key (ties then go by id): rank, then the shorter provider id (closer to what was typed)."""
    return rank(query, model_id, local_id, name, family_id, family_name), len(_fold_again(local_id))
