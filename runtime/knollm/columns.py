"""Per-model columns (one list per field, by bundle position) and searches over them.

A search filters and sorts positions over these lists, and only the models it returns are decoded. The columns
come either from the bundle index written by the compiler (`knollm.bundle_index`: nothing to decode) or, without
an index, from the decoded records (`from_models`); both use the extractors below, so both answer alike.
Semantics are those of `knollm.query` (filters, sort keys and their natural order, unknowns last, ties by id).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from decimal import Decimal
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
DECIMAL_COLUMNS = frozenset({"input", "output", "price"})
"""Stored as decimal strings in the index, Decimal in memory."""
ALL_COLUMNS = ("id", "provider", "model_id", "aliases", "family_name", "open_weights", "haystack", *MODEL_COLUMNS)


class Columns:
    """Lazily loaded columns: `loader(name)` returns one column's list the first time it is asked for."""

    def __init__(self, size: int, loader: Callable[[str], list[Any]]) -> None:
        self.size = size
        self._loader = loader
        self._loaded: dict[str, list[Any]] = {}
        self._text: tuple[str, list[int]] | None = None

    def __getitem__(self, name: str) -> list[Any]:
        column = self._loaded.get(name)
        if column is None:
            column = self._loaded[name] = self._loader(name)
        return column

    def rows_with_words(self, words: list[str], pool: Iterable[int] | None) -> list[int]:
        """Positions whose haystack holds every word (`textmatch.matches`), within `pool` when given."""
        haystacks = self["haystack"]
        if pool is not None:
            return [i for i in pool if textmatch.matches(words, haystacks[i])]
        blob, starts = self._blob()
        rarest, *others = sorted(words, key=len, reverse=True)  # the longest word is likely the rarest
        found, end, at = [], len(blob), blob.find(rarest)
        while at >= 0:  # one C-speed scan of all the text; a hit jumps to the next line
            row = bisect_right(starts, at) - 1
            found.append(row)
            at = blob.find(rarest, starts[row + 1]) if starts[row + 1] < end else -1
        return [i for i in found if textmatch.matches(others, haystacks[i])] if others else found

    def _blob(self) -> tuple[str, list[int]]:
        """All haystacks joined by newlines (no folded text holds one) and where each starts (plus the end)."""
        if self._text is None:
            haystacks, starts, at = self["haystack"], [], 0
            for hay in haystacks:
                starts.append(at)
                at += len(hay) + 1
            starts.append(at)
            self._text = ("\n".join(haystacks) + "\n", starts)
        return self._text


def select(columns: Columns, q: Query, pool: list[int] | None) -> list[int]:
    """The positions matching `q` (except its provider filter, applied by the caller through `pool`), sorted
    and limited as the query says."""
    if words := textmatch.query_words(q.text or ""):
        pool = columns.rows_with_words(words, pool)
    rows = list(range(columns.size)) if pool is None else pool
    for check in _checks(columns, q):
        rows = list(filter(check, rows))
    rows = sort_rows(columns, rows, q)
    return rows if q.limit is None else rows[: q.limit]


def _checks(columns: Columns, q: Query) -> list[Callable[[int], bool]]:
    """One test per structured filter of `q` (`knollm.query.predicates`, over positions)."""
    checks: list[Callable[[int], bool]] = []
    if q.kind:
        checks.append(_is_in(columns["kind"], frozenset(q.kind)))
    if q.family:
        checks.append(_is_in(columns["family"], frozenset(q.family)))
    if q.min_context is not None:
        checks.append(_at_least(columns["context"], q.min_context))
    for name, wanted in (("capabilities", q.capabilities), ("input_modalities", q.input_modalities),
                         ("output_modalities", q.output_modalities)):
        checks.extend(_holds(columns[name], value) for value in wanted)
    if q.max_input_price is not None:
        checks.append(_at_most(columns["input"], q.max_input_price))
    if q.max_output_price is not None:
        checks.append(_at_most(columns["output"], q.max_output_price))
    if q.priced is not None:
        inputs, want = columns["input"], q.priced
        checks.append(lambda i: (inputs[i] is not None) is want)
    if q.flagged is not None:
        flagged, want_flagged = columns["flagged"], q.flagged
        checks.append(lambda i: flagged[i] is want_flagged)
    if q.open_weights is not None:
        open_weights, want_open = columns["open_weights"], q.open_weights
        checks.append(lambda i: open_weights[i] is want_open)
    return checks


def _is_in(column: list[Any], allowed: frozenset[str]) -> Callable[[int], bool]:
    return lambda i: column[i] in allowed


def _at_least(column: list[Any], floor: int) -> Callable[[int], bool]:
    return lambda i: column[i] is not None and column[i] >= floor


def _at_most(column: list[Any], cap: Decimal) -> Callable[[int], bool]:
    return lambda i: column[i] is not None and column[i] <= cap


def _holds(column: list[Any], value: str) -> Callable[[int], bool]:
    return lambda i: value in column[i]


def sort_rows(columns: Columns, rows: list[int], q: Query) -> list[int]:
    """`knollm.query.sort_models` over positions."""
    key = q.sort or ("relevance" if q.text else "id")
    ids = columns["id"]
    rows.sort(key=ids.__getitem__)
    if key == "id":
        if q.reverse:
            rows.reverse()
        return rows
    value, descending = _sort_value(columns, key, q.text or "")
    known = [i for i in rows if value(i) is not None]
    unknown = [i for i in rows if value(i) is None]
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
    if key == "name":
        names, local = columns["name"], columns["model_id"]
        return (lambda i: (names[i] or local[i]).lower()), False
    column, descending = {"price": ("price", False), "input_price": ("input", False),
                          "output_price": ("output", False), "context": ("context", True),
                          "created": ("created", True)}[key]
    return columns[column].__getitem__, descending


def model_row(model: Model, family_name: str, open_weights: bool | None, haystack: str) -> dict[str, Any]:
    """Every column's value for one decoded model (what the index stores per model)."""
    row = {name: extract(model) for name, extract in MODEL_COLUMNS.items()}
    row.update(id=model.id, provider=model.provider, model_id=model.model_id, aliases=list(model.aliases),
               family_name=family_name, open_weights=open_weights, haystack=haystack)
    return row
