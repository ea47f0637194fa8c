"""'Did you mean': the closest known ids for an unknown one.

difflib's ratio decides what is close. Scoring every known id is what made an unknown id cost seconds in a
catalog of 100k models, so a large pool first narrows to its near neighbours in three sort orders (by the id,
by the id read backwards, by its last path segment): a typo leaves either the text before it or the text after
it intact, so the ids sharing the longest prefix, suffix or last segment with the query sit beside it in one of
the orders. Small pools (providers, libraries, a small catalog's families) are scored whole, exactly as before.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, Protocol

from .bundle import no_gc

LIMIT = 5
CUTOFF = 0.6
EXHAUSTIVE = 2_000
"""Pools up to this size are scored whole (a few milliseconds)."""
NEIGHBOURS = 60
"""Candidates taken on each side of the query in each sort order of a larger pool."""


class Suggester:
    """'Did you mean' over one set of ids. Build it once and keep it: the neighbour index of a large pool is
    built on the first fuzzy query and reused by every later one."""

    def __init__(self, ids: Iterable[str], short_ids: Mapping[str, list[str]] | None = None,
                 orders: Callable[[str], Orders | None] | None = None, source: SpellingSource | None = None) -> None:
        """`short_ids` maps a provider-local id (e.g. `gpt-4o`) to the global ids carrying it, so `gpt-4o`
        suggests `openai/gpt-4o`, `azure-openai/gpt-4o`, ... `orders(pool)` may give the neighbour orders of the
        `"ids"` and `"shorts"` pools precomputed (`pool_names`, `neighbour_orders`; the bundle index stores them).
        `source` may give what would otherwise be built from every id (the bundle index stores it too): `ids` is
        then not read."""
        self._source = source
        self._given = ids
        self._orders = orders
        self._ids: list[str] = []
        self._short_ids = short_ids
        self._by_lower: dict[str, str] | None = None
        self._shorts: dict[str, str] | None = None
        self._pools: dict[str, _Pool] = {}

    def closest(self, query: str, limit: int = LIMIT) -> list[str]:
        """Up to `limit` ids close to `query`, best first: exact short-id hits, then case-insensitive matches, then
        fuzzy matches over global ids and short ids (difflib ratio >= 0.6)."""
        wanted = query.strip()
        lowered = wanted.lower()
        found: list[str] = []

        def add(candidates: Iterable[str]) -> None:
            for candidate in candidates:
                if candidate not in found and candidate != wanted:
                    found.append(candidate)

        short_ids = self._short_ids
        if short_ids:
            add(sorted(short_ids.get(wanted, ())))
            short = wanted.split("/", 1)[1] if "/" in wanted else ""
            add(sorted(short_ids.get(short, ())))
        source = self._source
        if source is not None:
            add(source.id_spellings(lowered))  # the same id in other cases, in the order given
            add(source.id_spellings(m)[-1] for m in self._pool("ids", lambda: source.names("ids")).matches(
                lowered, limit))
        else:
            by_lower = self._lowered()
            if lowered in by_lower:  # the same id in other cases, in the order given
                add([by_lower[lowered]] if len(by_lower) == len(self._ids) else
                    [i for i in self._ids if i.lower() == lowered])
            add(by_lower[m] for m in self._pool("ids", lambda: list(by_lower)).matches(lowered, limit))
        if short_ids and source is not None and len(found) < limit:
            pool = self._pool("shorts", lambda: source.names("shorts"))
            for tail in sorted({lowered, lowered.split("/", 1)[-1]}):
                for match in pool.matches(tail, limit):
                    spelling = source.short_spelling(match)
                    add(sorted(short_ids[spelling]) if spelling is not None else ())
        elif short_ids and len(found) < limit:
            if self._shorts is None:
                with no_gc():
                    spellings = list(short_ids)
                    self._shorts = dict(zip(map(str.lower, spellings), spellings, strict=True))
            shorts = self._shorts
            pool = self._pool("shorts", lambda: list(shorts))
            for tail in sorted({lowered, lowered.split("/", 1)[-1]}):
                for match in pool.matches(tail, limit):
                    add(sorted(short_ids[shorts[match]]))
        return found[:limit]

    def _lowered(self) -> dict[str, str]:
        if self._by_lower is None:
            with no_gc():  # the collector would rescan the whole parsed bundle while 100k entries are added
                self._ids = list(self._given)
                # the last spelling stands for a lower-cased id (a dict built in C: 100k ids)
                self._by_lower = dict(zip(map(str.lower, self._ids), self._ids, strict=True))
        return self._by_lower

    def _pool(self, name: str, names: Callable[[], Sequence[str]]) -> _Pool:
        if name not in self._pools:
            self._pools[name] = _Pool(names(), self._orders(name) if self._orders else None)
        return self._pools[name]


class _Pool:
    """Lower-cased names, with sort orders to find a query's near neighbours (built on first use)."""

    def __init__(self, names: Sequence[str], orders: Orders | None = None) -> None:
        self.names = names
        self._orders: tuple[list[str], list[str], list[tuple[str, str]]] | None = None
        self._given = orders if orders and all(len(order) == len(names) for order in orders) else None

    def matches(self, word: str, limit: int) -> list[str]:
        import difflib  # only on the error path

        return difflib.get_close_matches(word, self.candidates(word), n=limit, cutoff=CUTOFF)

    def candidates(self, word: str) -> list[str]:
        if len(self.names) <= EXHAUSTIVE:
            return list(self.names)
        if self._given is not None:
            return self._candidates_from(self._given, word)
        if self._orders is None:
            with no_gc():
                # map() with C functions: no Python call per name (100k names)
                last_parts = map(_TAIL, map(str.rpartition, self.names, repeat("/")))
                self._orders = (sorted(self.names), sorted(map(_REVERSED, self.names)),
                                sorted(zip(last_parts, self.names, strict=True)))
        forward, backward, tails = self._orders
        found = set(_around(forward, word))
        found.update(n[::-1] for n in _around(backward, word[::-1]))
        found.update(n for _, n in _around(tails, (word.rsplit("/", 1)[-1], "")))
        return sorted(found)


    def _candidates_from(self, orders: Orders, word: str) -> list[str]:
        """`candidates` through precomputed orders (positions into `names`): a binary search each, nothing sorted."""
        names = self.names
        forward, backward, tails = orders
        found: set[str] = set()
        for order, key, target in ((forward, names.__getitem__, word),
                                   (backward, lambda r: names[r][::-1], word[::-1]),
                                   (tails, lambda r: (names[r].rsplit("/", 1)[-1], names[r]),
                                    (word.rsplit("/", 1)[-1], ""))):
            at = bisect_left(order, target, key=key)
            found.update(map(names.__getitem__, order[max(0, at - NEIGHBOURS): at + NEIGHBOURS]))
        return sorted(found)


class SpellingSource(Protocol):
    """What a `Suggester` would otherwise build from every id, given ready (`knollm.spellings.IndexedSpellings`)."""

    def names(self, pool: str) -> Sequence[str]:
        """The names of pool `"ids"` or `"shorts"`, as `pool_names` gives them."""

    def id_spellings(self, lowered: str) -> list[str]:
        """Every id that lower-cases to `lowered`, in the order given."""

    def short_spelling(self, lowered: str) -> str | None:
        """The local id that the dict of lower-cased local ids keeps for `lowered` (None if none)."""


Orders = tuple[Sequence[int], Sequence[int], Sequence[int]]
"""A pool's names sorted three ways (by name, by name read backwards, by last path segment), as positions."""


def pool_names(ids: Iterable[str], short_ids: Iterable[str]) -> dict[str, list[str]]:
    """The names of the `"ids"` and `"shorts"` pools a `Suggester` over these ids builds, in its order."""
    return {"ids": list(dict.fromkeys(i.lower() for i in ids)),
            "shorts": list(dict.fromkeys(s.lower() for s in short_ids))}


def neighbour_orders(names: list[str]) -> Orders:
    """The orders `_Pool.candidates` sorts on first use, as positions into `names` (to store them)."""
    positions = range(len(names))
    return (sorted(positions, key=names.__getitem__), sorted(positions, key=lambda r: names[r][::-1]),
            sorted(positions, key=lambda r: (names[r].rsplit("/", 1)[-1], names[r])))


_REVERSED = itemgetter(slice(None, None, -1))
_TAIL = itemgetter(2)  # of str.rpartition("/"): the last path segment, or the whole name without a "/"


def _around(ordered: list[Any], key: Any) -> list[Any]:
    at = bisect_left(ordered, key)
    return ordered[max(0, at - NEIGHBOURS): at + NEIGHBOURS]


def closest(query: str, ids: Iterable[str], short_ids: Mapping[str, list[str]] | None = None,
            limit: int = LIMIT) -> list[str]:
    """Up to `limit` ids close to `query`, best first (see `Suggester.closest`; keep a `Suggester` to ask many)."""
    return Suggester(ids, short_ids).closest(query, limit)
