"""Why a search found nothing, in words: which filter left out how many of the models the text finds, or,
when the text itself finds nothing, the nearest models (those matching the most of its words). The explorer
says the same on the site (assets/explorer/empty.js)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from . import textmatch
from .query import Query

if TYPE_CHECKING:
    from .catalog import Catalog

NEAREST = 5
_NOT_FILTERS = frozenset({"text", "sort", "reverse", "limit"})


def active_filters(query: Query) -> dict[str, object]:
    """The query's filters that differ from an empty query (text, sort and limit are not filters)."""
    empty = Query()
    return {f.name: getattr(query, f.name) for f in dataclasses.fields(Query)
            if f.name not in _NOT_FILTERS and getattr(query, f.name) != getattr(empty, f.name)}


def explain_empty(catalog: Catalog, query: Query) -> list[str]:
    """Sentences for a search that found nothing (none when it found something or has neither text nor filters)."""
    text = (query.text or "").strip()
    filters = active_filters(query)
    base = Query(text=text or None)
    found = catalog.search(base)
    if found and filters:
        lead = f"{text!r} matches {len(found):,} models" if text else "No model passes every filter"
        left = [f"{name} = {_shown(value)} leaves out {len(found) - len(catalog.search(base, **{name: value})):,}"
                for name, value in filters.items()]
        return [f"{lead}; " + "; ".join(left) + "."]
    if text and not found:
        near = nearest(catalog, text)
        return [f"Nothing matches every word of {text!r}."] + ([f"Nearest: {', '.join(near)}"] if near else [])
    return []


def nearest(catalog: Catalog, text: str, limit: int = NEAREST) -> list[str]:
    """Ids of the models matching the most words of `text` (at least one), best ranked first."""
    words = textmatch.query_words(text)
    if not words:
        return []
    hits = [sum(w in hay for w in words) for hay in catalog._haystacks]
    best = max(hits, default=0)
    if best == 0:
        return []
    ids = [catalog._raw_models[i]["id"] for i, n in enumerate(hits) if n == best]
    models = [catalog.get(i) for i in ids]
    models.sort(key=lambda m: (textmatch.rank_key(text, m.id, m.model_id, m.name or "", m.family or "", ""), m.id))
    return [m.id for m in models[:limit]]


def _shown(value: object) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
