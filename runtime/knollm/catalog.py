"""`Catalog`: the loaded bundle and every query over it.

Loading reads the bundle; with its index beside it (`catalog.json.idx`, written by the compiler: see
`knollm.bundle_index`) nothing more is parsed until a query needs it, else the JSON is parsed and checked. Records
are decoded on first use and every index (by id, provider, family, search text) is built once, the first time a
query needs it (`knollm.catalog_store`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from typing import Any

from . import bundle, bundle_index, columns, costs
from . import history as change_history
from .catalog_store import CatalogStore
from .errors import BundleError, FamilyNotFound, InvalidArgument, ModelNotFound, ProviderNotFound
from .query import Query, price_key, sort_models
from .records import Comparison, CostBreakdown, Family, Model, Provider
from .suggest import closest

NO_FAMILIES_HINT = "this bundle carries no family data; rebuild it with `make build` to get families"


class Catalog(CatalogStore):
    """The Knollm catalog: providers, models, families, and queries and cost estimates over them."""

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Catalog:
        """Load a bundle: `path`, else `$KNOLLM_BUNDLE`, else the one shipped in the package.

        Raises `BundleError` (saying how to rebuild) when the bundle is missing or unusable.
        """
        where = bundle.locate(path)
        index = bundle_index.open_for(where)
        if index is None:
            return cls(bundle.read(where), where, checked=True)
        catalog = cls({"schema_version": "1.1", "models": [], "providers": []}, where, checked=True)  # no records yet
        catalog._use_index(index)
        return catalog

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Catalog:
        """A catalog from a bundle document already in memory (e.g. parsed elsewhere)."""
        return cls(document)

    # -- metadata -------------------------------------------------------------------------------------------

    def section(self, name: str) -> list[dict[str, Any]]:
        """The raw records of a bundle section this class does not model itself (e.g. `"libraries"`),
        or an empty list when the bundle has none (`BundleError` when it is not a list). The records are the
        parsed JSON; do not modify them."""
        records = self._document.get(name)
        if records is None:
            return []
        if isinstance(records, bundle_index.LazyRecords):  # the models, read through the index: parsed now
            return list(records)
        if not isinstance(records, list):
            raise BundleError(f"{name!r} is not a list", str(self.path) if self.path else None)
        return records

    @property
    def schema_version(self) -> str:
        """The bundle format version (`1.x`)."""
        version: str = self._document["schema_version"]  # bundle.check() verified it is a string
        return version

    @property
    def data_date(self) -> str | None:
        """The bundle's as-of date (YYYY-MM-DD): dated prices were resolved at this day, by default the newest
        source date. None when no source is dated."""
        return self._document.get("data_date")

    @property
    def source_dates(self) -> dict[str, str]:
        """Source file -> the newest day its data describes (YYYY-MM-DD); undated sources are absent."""
        return dict(self._document.get("source_dates") or {})

    @property
    def report(self) -> dict[str, Any]:
        """The build report as parsed JSON (see the bundle format): per-source counts, conflicts, the price
        agreement table. Do not modify it."""
        report = self._document.get("report")
        return report if isinstance(report, dict) else {}

    @property
    def sources(self) -> tuple[str, ...]:
        """Source files the bundle was compiled from."""
        return tuple(self._document.get("sources") or ())

    @property
    def has_families(self) -> bool:
        """Whether the bundle carries family data."""
        return "families" in self._document

    def __len__(self) -> int:
        return len(self._raw_models)

    def __iter__(self) -> Iterator[Model]:
        return iter(self.models)

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self._row_of(model_id) is not None

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return f"<Catalog {len(self)} models, {len(self._providers)} providers{where}>"

    # -- lookups --------------------------------------------------------------------------------------------

    def get(self, ref: str) -> Model:
        """A model by global id (`provider/model-id`), case-insensitively if unambiguous; else by a provider-local
        id that exactly one provider offers; else by family id (the family's cheapest offer).

        Raises `ModelNotFound` with the closest ids in `suggestions`.
        """
        found = self._found.get(ref)
        if found is not None:
            return found
        ref = ref.strip()
        index = self._row_of(ref)
        if index is not None:
            found = self._found[ref] = self._model_at(index)  # only exact ids are kept: at most one per model
            return found
        index = self._alias_row(ref)  # an id the provider also answers to (see Model.aliases)
        if index is not None:
            return self._model_at(index)
        matches = self._lower_rows(ref.lower())
        matches = matches or [self._index[g] for g in self._short_ids.get(ref, ())]
        if len(matches) == 1:
            return self._model_at(matches[0])
        # Decode the families only when `ref` names one: an unknown id in a 100k catalog should not decode them all.
        family = self._families.get(ref) if ref in self._family_ids else None
        if family is not None and (offers := self.offers(family) or self.offers(family, include_variants=True)):
            return offers[0]
        raise ModelNotFound(ref, self._model_suggester.closest(ref))

    def providers(self, *, kind: str | None = None, failed: bool | None = None) -> list[Provider]:
        """All providers sorted by id; optionally only one `kind`, or only those whose last fetch failed (or not)."""
        found = sorted(self._providers.values(), key=lambda p: p.id)
        if kind is not None:
            found = [p for p in found if p.kind == kind]
        if failed is not None:
            found = [p for p in found if (p.status is not None and p.status.failed) is failed]
        return found

    def provider(self, ref: str) -> Provider:
        """A provider by id or alias. Raises `ProviderNotFound` with suggestions."""
        ref = ref.strip()
        if ref in self._providers:
            return self._providers[ref]
        for provider in self._providers.values():
            if ref.lower() in (provider.id.lower(), *(a.lower() for a in provider.aliases)):
                return provider
        raise ProviderNotFound(ref, closest(ref, self._providers))

    def families(self) -> list[Family]:
        """All families sorted by id (empty when the bundle has no family data)."""
        return sorted(self._families.values(), key=lambda f: f.id)

    def family(self, ref: str) -> Family:
        """A family by id (case-insensitive). Raises `FamilyNotFound` with suggestions."""
        ref = ref.strip()
        family = self._families.get(ref) or next((f for f in self._families.values() if f.id.lower() == ref.lower()),
                                                 None)
        if family is not None:
            return family
        hint = "" if self.has_families else NO_FAMILIES_HINT
        raise FamilyNotFound(ref, self._family_suggester.closest(ref), hint=hint)

    def offers(
        self, family: str | Family, *, include_variants: bool = False, include_flagged: bool = True
    ) -> list[Model]:
        """Every model offering the family across providers, cheapest first (`price` order; unpriced last).

        Variants (`:free`, batch, flex, quantised offers: `Model.variant`) are left out unless `include_variants`
        (then they follow the regular offers): they are not the regular product, so never crowned cheapest.
        `include_flagged=False` also leaves out offers with a price outlier flag (`Model.price_flags`).
        """
        fam = family if isinstance(family, Family) else self.family(family)
        ids = dict.fromkeys((*fam.offers, *self._by_family.get(fam.id, ())))
        models = [self._model_at(self._index[i]) for i in ids if i in self._index]
        if not include_variants:
            models = [m for m in models if m.variant is None]
        if not include_flagged:
            models = [m for m in models if not m.price_flags]
        ordered = sort_models(models, Query(sort="price"), lambda m: 0)
        return sorted(ordered, key=lambda m: m.variant is not None)  # variants after the regular offers

    # -- search ---------------------------------------------------------------------------------------------

    def history(self, model_id: str) -> list[change_history.Change]:
        """The recorded changes of a model (prices, context window, capabilities, added/removed), oldest first,
        from `history.jsonl` beside the bundle (see `knollm.history`); empty when there is none. A model that
        has since been removed is looked up by its exact id."""
        return change_history.of_model(self, model_id)

    def search(self, query: Query | str | None = None, /, **filters: Any) -> list[Model]:
        """Models matching a `Query` (or free text) plus keyword filters, sorted and limited.

        Keywords are `Query` fields (`provider=`, `kind=`, `capability=`, `min_context=`, `max_input_price=`,
        `open_weights=`, `sort=`, `limit=`, ...). Free text must match every word somewhere in the id, name,
        family or description, ignoring case, spaces and punctuation (`llama 3.3 70b` = `llama3.3:70b`; see
        `knollm.textmatch`, which the site's explorer shares).
        """
        q = _as_query(query, filters)
        pool = None
        if q.provider:  # narrowed by provider before any other column is read
            pool = sorted(i for p in dict.fromkeys(q.provider) for i in self._by_provider.get(p, ()))
        rows = columns.select(self._columns, q, pool)
        try:
            return list(map(self._decoded.__getitem__, rows))  # warm: every one decoded before
        except KeyError:
            with bundle.no_gc():
                return [self._model_at(i) for i in rows]

    def cheapest(
        self,
        query: Query | str | None = None,
        /,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cached_input_tokens: int = 0,
        include_variants: bool = False,
        include_flagged: bool = False,
        **filters: Any,
    ) -> Model | None:
        """The cheapest model meeting the requirements (a `Query` and/or keyword filters), or None.

        With `input_tokens`/`output_tokens` the models are ranked by `estimate_cost` of that workload (models
        it cannot price are skipped); otherwise by the `price` key (the comparable price, `knollm.comparable`). Variants
        (`Model.variant`: free, batch, flex, quantised offers) only count with `include_variants`; models with a
        price outlier flag (`Model.price_flags`: likely a stale or mis-scaled price) only with `include_flagged`.
        """
        q = _as_query(query, filters)
        q = dataclasses.replace(q, sort="price", reverse=False, limit=None)
        matches = [m for m in self.search(q) if (include_variants or m.variant is None)
                   and (include_flagged or not m.price_flags)]
        if input_tokens is None and output_tokens is None:
            return next((m for m in matches if price_key(m) is not None), None)
        comparison = costs.compare(matches, input_tokens or 0, output_tokens or 0, cached_input_tokens)
        best = comparison.cheapest
        return self.get(best.model) if best else None

    def filter_by_context_window(
        self, min_tokens: int, max_tokens: int | None = None, *, models: Iterable[Model] | None = None
    ) -> list[Model]:
        """Models (all, or those given) whose context window is at least `min_tokens` and at most `max_tokens`.

        Models with an unknown context window are left out. Order is kept.
        """
        if min_tokens < 0 or (max_tokens is not None and max_tokens < min_tokens):
            raise InvalidArgument(f"bad context window range: {min_tokens}..{max_tokens}")
        pool = self.models if models is None else models
        return [
            m for m in pool
            if m.context_window is not None and m.context_window >= min_tokens
            and (max_tokens is None or m.context_window <= max_tokens)
        ]

    # -- costs ----------------------------------------------------------------------------------------------

    def estimate_cost(
        self,
        model: str | Model,
        input_tokens: int,
        output_tokens: int,
        cached_input_tokens: int = 0,
        cache_write_tokens: int = 0,
        requests: int = 1,
        **extra: Any,
    ) -> CostBreakdown:
        """`knollm.estimate_cost` for a model given by id (or record). Unknown ids raise `ModelNotFound`."""
        record = model if isinstance(model, Model) else self.get(model)
        return costs.estimate_cost(record, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
                                   requests, **extra)

    def compare(
        self,
        models: Iterable[str | Model] | None = None,
        *,
        family: str | Family | None = None,
        input_tokens: int,
        output_tokens: int,
        cached_input_tokens: int = 0,
        cache_write_tokens: int = 0,
        requests: int = 1,
        include_variants: bool = False,
        **extra: Any,
    ) -> Comparison:
        """One workload across `models` (ids or records) and/or every offer of `family`, cheapest first (the
        family's variant offers only with `include_variants`)."""
        if models is None and family is None:
            raise InvalidArgument("compare needs models or a family")
        chosen = [m if isinstance(m, Model) else self.get(m) for m in models or ()]
        if family is not None:
            chosen += self.offers(family, include_variants=include_variants)
        unique = list({m.id: m for m in chosen}.values())
        return costs.compare(unique, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests,
                             **extra)


def _as_query(query: Query | str | None, filters: dict[str, Any]) -> Query:
    if isinstance(query, Query):
        return query.where(**filters) if filters else query
    base = Query(text=query) if query else Query()
    return base.where(**filters) if filters else base
