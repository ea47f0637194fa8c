"""Per-model columns (one list per field, by bundle position) and searches over them.

A search filters and sorts positions over these lists, and only the models it returns are decoded. The columns
come either from the bundle index written by the compiler (`knollm.bundle_index`: nothing to decode) or, without
an index, from the decoded records (`from_models`); both use the extractors below, so both answer alike.
Semantics are those of `knollm.query` (filters, sort keys and their natural order, unknowns last, ties by id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import compress, repeat
from operator import contains, ge, is_, is_not, le, lt
from typing import Any

from . import textmatch
from .query import Query, price_key
from .records import Model

MODEL_COLUMNS: dict[str, Callable[[Model], Any]] = {
    "family": lambda m: m.family,
    "kind": lambda m: m.kind,
    "name": lambda m: m.name,
    "context": lambda m: m.context_window,
    "input": lambda m: m.input_price,
    "output": lambda m: m.output_price,
    "price": price_key,
    "created": lambda m: m.created,
    "capabilities": lambda m: sorted(k for k, v in m.capabilities.items() if v is True),
    "input_modalities": lambda m: list(m.input_modalities),
    "output_modalities": lambda m: list(m.output_modalities),
    "flagged": lambda m: bool(m.price_flags),
}
"""Columns read off a decoded model. Besides these: `id`, `provider`, `model_id`, `aliases` (from the raw record),
`family_name` (the lower-cased name of the model's family), `open_weights` (`Catalog.open_weights`) and
`haystack` (the folded search text, `textmatch.haystack`)."""
LIST_COLUMNS = frozenset({"capabilities", "input_modalities", "output_modalities"})
"""Columns holding a list per model (filters test membership)."""
DECIMAL_COLUMNS = frozenset({"input", "output", "price"})
"""Stored as decimal strings in the index, Decimal in memory."""
_UNKNOWN_PRICE = Decimal("Infinity")  # above every bound: an unknown price never passes `max_*_price`
ALL_COLUMNS = ("id", "provider", "model_id", "aliases", "family_name", "open_weights", "haystack", *MODEL_COLUMNS)


class Columns:
    """Lazily loaded columns: `loader(name)` returns one column's list the first time it is asked for."""

    def __init__(self, size: int, loader: Callable[[str], list[Any]], *, id_sorted: bool | None = None) -> None:
        """`id_sorted`: whether positions are in id order, when known (else found out from the ids when needed)."""
        self.size = size
        self._loader = loader
        self._loaded: dict[str, list[Any]] = {}
        self._id_sorted = id_sorted
        self._ranks: dict[tuple[str, bool], list[int]] = {}
        self._having: dict[tuple[str, Any], tuple[list[int], frozenset[int]]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        column = self._loaded.get(name)
        if column is None:
            derived = self._derived(name)
            column = self._loaded[name] = self._loader(name) if derived is None else derived
        return column

    @property
    def id_sorted(self) -> bool:
        """Whether positions are in id order (the compiler writes models sorted by id)."""
        if self._id_sorted is None:
            ids = self["id"]
            self._id_sorted = all(map(lt, ids, ids[1:]))
        return self._id_sorted

    def has_ranks(self, key: str, reverse: bool) -> bool:
        return (key, reverse) in self._ranks

    def ranks(self, key: str, reverse: bool) -> list[int]:
        """Each position's place when every position is sorted by a key other than relevance (`sort_rows`),
        computed once per key and direction."""
        found = self._ranks.get((key, reverse))
        if found is None:
            found = [0] * self.size
            everything = sort_rows(self, list(range(self.size)), Query(sort=key, reverse=reverse))
            for place, row in enumerate(everything):
                found[row] = place
            self._ranks[key, reverse] = found
        return found

    def having(self, name: str, value: Any) -> tuple[list[int], frozenset[int]]:
        """The positions whose list column `name` (capabilities, modalities) contains `value`, in order and as a
        set: found with one pass the first time a search asks, then kept (a few dozen distinct values at most),
        so a warm search starts from them instead of testing every position again."""
        found = self._having.get((name, value))
        if found is None:
            rows = list(compress(range(self.size), map(contains, self[name], repeat(value))))
            found = self._having[name, value] = rows, frozenset(rows)
        return found

    def _derived(self, name: str) -> list[Any] | None:
        """Columns computed from others once, for C-speed filters and sorts (see `_tests`)."""
        if name == "context_key":
            return _filled(self["context"], -1)
        if name in ("input_key", "output_key"):
            return _filled(self[name.removesuffix("_key")], _UNKNOWN_PRICE)
        if name == "name_key":
            return [(name or local).lower() for name, local in zip(self["name"], self["model_id"], strict=True)]
        if name == "id_rank":
            rank = [0] * self.size
            for position, row in enumerate(sorted(range(self.size), key=self["id"].__getitem__)):
                rank[row] = position
            return rank
        return None


def select(columns: Columns, q: Query, pool: list[int] | None) -> list[int]:
    """The positions matching `q` (except its provider filter, applied by the caller through `pool`), sorted
    and limited as the query says. Each filter is one pass in C over the remaining positions (`compress` over
    `map`), the cheap ones first, the text last."""
    rows: list[int] | None = pool  # None: every position
    tests = _tests(columns, q)
    for column, test, value in tests:  # membership in a list column first: kept per value (`Columns.having`)
        if column in LIST_COLUMNS and test is contains:
            listed, members = columns.having(column, value)
            rows = list(listed) if rows is None else list(filter(members.__contains__, rows))
    for column, test, value in tests:
        if not (column in LIST_COLUMNS and test is contains):
            rows = _keep(rows, columns[column], test, value)
    for word in textmatch.query_words(q.text or ""):
        rows = _keep(rows, columns["haystack"], contains, word)
    rows = list(range(columns.size)) if rows is None else rows
    key = q.sort or ("relevance" if q.text else "id")
    if key == "relevance" or (len(rows) * 8 < columns.size and not columns.has_ranks(key, q.reverse)):
        rows = sort_rows(columns, rows, q)
    else:  # many matches: each position's place in the full order (`sort_rows` of every position, once per key)
        rows.sort(key=columns.ranks(key, q.reverse).__getitem__)
    return rows if q.limit is None else rows[: q.limit]


def _filled(values: list[Any], unknown: Any) -> list[Any]:
    """`values` with every None replaced by `unknown` (a copy; a pass in C, then a step per None only)."""
    filled = list(values)
    for row in compress(range(len(values)), map(is_, values, repeat(None))):
        filled[row] = unknown
    return filled


def _tests(columns: Columns, q: Query) -> list[tuple[str, Callable[[Any, Any], Any], Any]]:
    """(column, test, value) per structured filter of `q` (`knollm.query.predicates`, over positions): a position
    stays when `test(column[position], value)` is true. Unknown values never pass a bound: the `*_key` columns
    hold -1 for an unknown context window and Infinity for an unknown price."""
    tests: list[tuple[str, Callable[[Any, Any], Any], Any]] = []
    if q.kind:
        tests.append(("kind", _in, frozenset(q.kind)))
    if q.family:
        tests.append(("family", _in, frozenset(q.family)))
    for name, wanted in (("capabilities", q.capabilities), ("input_modalities", q.input_modalities),
                         ("output_modalities", q.output_modalities)):
        tests.extend((name, contains, value) for value in wanted)
    if q.flagged is not None:
        tests.append(("flagged", is_, q.flagged))
    if q.open_weights is not None:
        tests.append(("open_weights", is_, q.open_weights))
    if q.priced is not None:
        tests.append(("input", is_not if q.priced else is_, None))
    if q.min_context is not None:
        tests.append(("context_key", ge, q.min_context))
    if q.max_input_price is not None:
        tests.append(("input_key", le, q.max_input_price))
    if q.max_output_price is not None:
        tests.append(("output_key", le, q.max_output_price))
    return tests


def _keep(rows: list[int] | None, column: list[Any], test: Callable[[Any, Any], Any], value: Any) -> list[int]:
    """The positions (all when `rows` is None) where `test(column[position], value)` holds, in order."""
    if rows is None:
        return list(compress(range(len(column)), _apply(test, column, value)))
    return list(compress(rows, _apply(test, map(column.__getitem__, rows), value)))


def _apply(test: Callable[[Any, Any], Any], values: Iterable[Any], value: Any) -> Iterator[Any]:
    if test is _in:  # set membership with the set's own method: no Python call per position
        return map(value.__contains__, values)
    return map(test, values, repeat(value))


def _in(value: Any, allowed: frozenset[str]) -> bool:  # pragma: no cover - `_apply` uses the set's method
    return value in allowed


def sort_rows(columns: Columns, rows: list[int], q: Query) -> list[int]:
    """`knollm.query.sort_models` over positions (positions are in id order when the bundle is)."""
    key = q.sort or ("relevance" if q.text else "id")
    if not columns.id_sorted:
        rows.sort(key=columns["id_rank"].__getitem__)
    if key == "id":
        if q.reverse:
            rows.reverse()
        return rows
    value, descending = _sort_value(columns, key, q.text or "")
    values = list(map(value, rows))
    known = list(compress(rows, map(is_not, values, repeat(None))))
    unknown = list(compress(rows, map(is_, values, repeat(None))))
    known.sort(key=value, reverse=descending != q.reverse)
    return known + unknown


def _sort_value(columns: Columns, key: str, text: str) -> tuple[Callable[[int], Any], bool]:
    if key == "relevance":
        ids, local, names = columns["id"], columns["model_id"], columns["name"]
        families, family_names = columns["family"], columns["family_name"]
        ranks: dict[int, Any] = {}

        def rank(i: int) -> Any:
            if i not in ranks:
                ranks[i] = textmatch.rank_key(text, ids[i], local[i], names[i] or "", families[i] or "",
                                              family_names[i])
            return ranks[i]

        return rank, False
    column, descending = {"price": ("price", False), "input_price": ("input", False),
                          "output_price": ("output", False), "context": ("context", True),
                          "created": ("created", True), "name": ("name_key", False)}[key]
    return columns[column].__getitem__, descending


def model_row(model: Model, family_name: str, open_weights: bool | None, haystack: str) -> dict[str, Any]:
    """Every column's value for one decoded model (what the index stores per model)."""
    row = {name: extract(model) for name, extract in MODEL_COLUMNS.items()}
    row.update(id=model.id, provider=model.provider, model_id=model.model_id, aliases=list(model.aliases),
               family_name=family_name, open_weights=open_weights, haystack=haystack)
    return row
