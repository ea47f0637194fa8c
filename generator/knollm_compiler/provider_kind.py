"""The kind of a provider that has no authored file, inferred from evidence in its models (never from its name).

One inference only: a provider serving the closed-weight families of at least `RESELLER_LABS` labs is an
aggregator. Closed weights are not published, so no host can run several labs' of them: a provider offering
them resells those labs' APIs. A family counts as closed when a first-party provider serves it with
`open_weights = false` and no offer anywhere says its weights are open; first-party providers that serve the
same closed family (one lab's two APIs) count as one lab. Every other unauthored provider stays `unknown` (an
inference host and a lab serving its own open models look alike from their listings). The inference is stated
in the provider's notes, so readers can tell it from an authored kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from .bundle_records import Model

RESELLER_LABS = 3
"""Closed-weight families of this many labs make a reseller (two could be one cloud's licensing deal)."""


def _closed_families(models: list[Model], kinds: dict[str, str]) -> dict[str, set[str]]:
    """Family -> the first-party providers serving it as closed weights, for families no offer calls open."""
    labs: dict[str, set[str]] = defaultdict(set)
    open_somewhere = {m.family for m in models if m.family and m.open_weights is True}
    for m in models:
        if m.family and m.family not in open_somewhere and m.open_weights is False \
                and kinds.get(m.provider) == "first-party":
            labs[m.family].add(m.provider)
    return labs


def _lab_of(labs_of_family: dict[str, set[str]]) -> dict[str, str]:
    """First-party provider -> one name for its lab: providers serving a common closed family are one lab."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for labs in labs_of_family.values():
        first, *others = sorted(labs)
        root(first)
        for other in others:
            parent[root(other)] = root(first)
    return {name: root(name) for name in parent}


def closed_labs_served(models: Iterable[Model], kinds: dict[str, str]) -> dict[str, set[str]]:
    """Provider id -> the labs (named by one of their first-party providers) whose closed families it serves."""
    models = list(models)
    labs_of_family = _closed_families(models, kinds)
    lab_of = _lab_of(labs_of_family)
    served: dict[str, set[str]] = defaultdict(set)
    for m in models:
        if m.family in labs_of_family:
            served[m.provider] |= {lab_of[lab] for lab in labs_of_family[m.family]} - {lab_of.get(m.provider)}
    return served


def inferred_kind(labs: set[str]) -> tuple[Literal["aggregator", "unknown"], str | None]:
    """(kind, note) for an unauthored provider serving the closed families of `labs`; the note says why."""
    if len(labs) < RESELLER_LABS:
        return "unknown", None
    named = ", ".join(sorted(labs))
    return "aggregator", (f"Kind inferred (no authored file): it serves closed-weight models of {len(labs)} "
                          f"labs ({named}), which only a reseller can.")
