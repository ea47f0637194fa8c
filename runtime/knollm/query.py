"""`Query`: an immutable, composable description of a model search (filters, sort order, limit).

```python
q = Query(text="llama").where(capability="tools", min_context=128_000).sorted_by("price").limited(10)
catalog.search(q)
```

Filter semantics: `provider`, `kind` and `family` match any of the given values; `capabilities`,
`input_modalities` and `output_modalities` must all be present (a capability counts only when the data
declares it true). `max_input_price` / `max_output_price` keep only models whose base price is known and at
most the bound. `open_weights` uses the model's family (no family data: nothing matches `True`).

Sort keys and their natural order (`reverse=True` flips it; unknown values always sort last):
`relevance` (best text match first; the default when `text` is set), `price` (cheapest first: input plus
output per MTok), `input_price`, `output_price`, `context` (largest first), `name` (A-Z), `created` (newest
first), `id` (A-Z; the default without text).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from . import textmatch
from .comparable import comparable_price
from .errors import InvalidArgument
from .records import Model
from .vocab import CAPABILITIES, KINDS, MODALITIES

SORT_KEYS = ("relevance", "price", "input_price", "output_price", "context", "name", "created", "id")
_ALIASES = {"capability": "capabilities", "input_modality": "input_modalities", "output_modality": "output_modalities"}
_ACCUMULATE = frozenset({"capabilities", "input_modalities", "output_modalities"})
_TUPLES = frozenset({"provider", "kind", "family"}) | _ACCUMULATE


@dataclass(slots=True, frozen=True)
class Query:
    """A model search: filters, then sort, then limit. Build with keywords or compose with `where()`."""

    text: str | None = None
    provider: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    min_context: int | None = None
    max_input_price: Decimal | None = None
    max_output_price: Decimal | None = None
    open_weights: bool | None = None
    priced: bool | None = None
    flagged: bool | None = None
    """True: only models with a price outlier flag (`Model.price_flags`); False: only models without; None: all."""
    sort: str | None = None
    reverse: bool = False
    limit: int | None = None

    def __post_init__(self) -> None:
        for name in _TUPLES:
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in ("max_input_price", "max_output_price"):
            object.__setattr__(self, name, _price_bound(name, getattr(self, name)))
        _validate(self)

    def where(self, **filters: Any) -> Query:
        """A new query with these filters added. `capability`/`*_modality` accumulate; others replace.

        Singular aliases are accepted: `capability=`, `input_modality=`, `output_modality=`.
        """
        changes: dict[str, Any] = {}
        for key, value in filters.items():
            name = _ALIASES.get(key, key)
            if name not in _FIELDS:
                raise InvalidArgument(f"unknown query filter {key!r}; known: {', '.join(sorted(_FIELDS))}")
            if name in _ACCUMULATE:
                value = getattr(self, name) + _as_tuple(value)
            changes[name] = value
        return dataclasses.replace(self, **changes)

    def sorted_by(self, key: str, *, reverse: bool = False) -> Query:
        """A new query with this sort order (see the module docstring for keys)."""
        return dataclasses.replace(self, sort=key, reverse=reverse)

    def limited(self, limit: int | None) -> Query:
        """A new query returning at most `limit` models (None: all)."""
        return dataclasses.replace(self, limit=limit)


_FIELDS = frozenset(f.name for f in dataclasses.fields(Query))


def _as_tuple(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _price_bound(name: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        bound = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        bound = None
    if bound is None or not bound.is_finite() or bound < 0:
        raise InvalidArgument(f"{name} must be a non-negative number, not {value!r}")
    return bound


def _validate(query: Query) -> None:
    _check_vocab("kind", query.kind, KINDS)
    _check_vocab("capability", query.capabilities, CAPABILITIES)
    _check_vocab("input modality", query.input_modalities, MODALITIES)
    _check_vocab("output modality", query.output_modalities, MODALITIES)
    if query.sort is not None and query.sort not in SORT_KEYS:
        raise InvalidArgument(f"unknown sort key {query.sort!r}; use one of: {', '.join(SORT_KEYS)}")
    if query.limit is not None and query.limit < 0:
        raise InvalidArgument(f"limit must be zero or more, not {query.limit}")
    if query.min_context is not None and query.min_context < 0:
        raise InvalidArgument(f"min_context must be zero or more, not {query.min_context}")


def _check_vocab(what: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for value in values:
        if value not in allowed:
            raise InvalidArgument(f"unknown {what} {value!r}; use one of: {', '.join(allowed)}")


def price_key(model: Model) -> Decimal | None:
    """The `price` sort key: the comparable price (`knollm.comparable`, input and output blended 3:1, per MTok);
    None (sorts last) when unknown. Output may be missing for kinds that have no output tokens."""
    pricing = model.pricing
    if pricing is None:
        return None
    return comparable_price(pricing.input_per_mtok, pricing.output_per_mtok, model.kind)


Predicate = Callable[[Model], bool]


# One factory per loop filter, so each predicate binds its own value (typed, unlike a lambda default argument).
def _has_capability(capability: str) -> Predicate:
    return lambda m: m.capabilities.get(capability) is True


def _accepts(modality: str) -> Predicate:
    return lambda m: modality in m.input_modalities


def _produces(modality: str) -> Predicate:
    return lambda m: modality in m.output_modalities


def predicates(query: Query, open_weights: Callable[[Model], bool | None]) -> list[Predicate]:
    """The structured filters of `query` (everything but text), cheapest checks first."""
    checks: list[Predicate] = []
    if query.provider:
        providers = frozenset(query.provider)
        checks.append(lambda m: m.provider in providers)
    if query.kind:
        kinds = frozenset(query.kind)
        checks.append(lambda m: m.kind in kinds)
    if query.family:
        families = frozenset(query.family)
        checks.append(lambda m: m.family in families)
    if query.min_context is not None:
        floor = query.min_context
        checks.append(lambda m: m.context_window is not None and m.context_window >= floor)
    checks.extend(_has_capability(capability) for capability in query.capabilities)
    checks.extend(_accepts(modality) for modality in query.input_modalities)
    checks.extend(_produces(modality) for modality in query.output_modalities)
    if query.max_input_price is not None:
        cap_in = query.max_input_price
        checks.append(lambda m: m.input_price is not None and m.input_price <= cap_in)
    if query.max_output_price is not None:
        cap_out = query.max_output_price
        checks.append(lambda m: m.output_price is not None and m.output_price <= cap_out)
    if query.priced is not None:
        want = query.priced
        checks.append(lambda m: (m.input_price is not None) is want)
    if query.flagged is not None:
        want_flagged = query.flagged
        checks.append(lambda m: bool(m.price_flags) is want_flagged)
    if query.open_weights is not None:
        want_open = query.open_weights
        checks.append(lambda m: open_weights(m) is want_open)
    return checks


def relevance(model: Model, text: str, family_name: str) -> tuple[int, int]:
    """Lower is better: see `textmatch` (exact id, name or family; prefix; in the id; in the name or family;
    every word somewhere; elsewhere), then the shorter id."""
    return textmatch.rank_key(text, model.id, model.model_id, model.name or "", model.family or "", family_name)


def sort_models(models: list[Model], query: Query, relevance_of: Callable[[Model], Any]) -> list[Model]:
    """Sort in place by the query's key (natural direction, unknowns last, ties by id) and return the list."""
    key = query.sort or ("relevance" if query.text else "id")
    models.sort(key=lambda m: m.id)
    if key == "id":
        if query.reverse:
            models.reverse()
        return models
    value, descending = _SORTS[key]
    if key == "relevance":
        value = relevance_of
    known = [m for m in models if value(m) is not None]
    unknown = [m for m in models if value(m) is None]
    known.sort(key=value, reverse=descending != query.reverse)
    models[:] = known + unknown
    return models


_SORTS: dict[str, tuple[Callable[[Model], Any], bool]] = {
    "relevance": (lambda m: 0, False),
    "price": (price_key, False),
    "input_price": (lambda m: m.input_price, False),
    "output_price": (lambda m: m.output_price, False),
    "context": (lambda m: m.context_window, True),
    "name": (lambda m: m.display_name.lower(), False),
    "created": (lambda m: m.created, True),
}
