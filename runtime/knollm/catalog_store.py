"""The storage half of `Catalog`: the bundle document, record decoding and the lazily built indexes.

Two backings, one behaviour. Without an index the parsed JSON document is held and every index (by id,
provider, family, search text) is built from it the first time a query needs it. With a valid bundle index
(`knollm.bundle_index`) nothing is parsed up front: records and sections are parsed from their bytes on first
access, and the indexes and search columns come from the index's precomputed columns.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import Any, TypeVar

from . import bundle, columns, decode
from .bundle_index import Index, haystack_of
from .errors import BundleError
from .records import Family, Model, Provider
from .spellings import IndexedSpellings
from .suggest import Suggester

T = TypeVar("T")


class Grouped(Mapping[str, list[T]]):
    """`keys[i]` -> every `values[i]` with that key, in order: a dict of lists built in C for the keys that occur
    once (nearly all of 100k ids), with lists made only for keys that repeat. An unknown id looks these up, and
    100k Python-built lists cost more than the 100 ms an answer may take."""

    def __init__(self, keys: Sequence[str], values: Sequence[T]) -> None:
        self._values = values
        self._last = dict(zip(keys, range(len(keys)), strict=True))  # keys in first-seen order, each its last row
        self._shared: dict[str, list[int]] = {}
        if len(self._last) < len(keys):
            positions = range(len(keys))
            for row in compress(positions, map(operator.ne, map(self._last.__getitem__, keys), positions)):
                self._shared.setdefault(keys[row], []).append(row)  # the rows before a repeated key's last one
            for key, rows in self._shared.items():
                rows.append(self._last[key])

    def __getitem__(self, key: str) -> list[T]:
        rows = self._shared.get(key)
        if rows is None:
            return [self._values[self._last[key]]]
        return [self._values[row] for row in rows]

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)

    def __contains__(self, key: object) -> bool:
        return key in self._last


class CatalogStore:
    """Holds the bundle and decodes its records on demand (see `knollm.Catalog` for the public API)."""

    def __init__(self, document: dict[str, Any], path: Path | None = None, *, checked: bool = False) -> None:
        """Wrap a parsed bundle document (checked here unless `checked`); prefer `Catalog.load()`."""
        if not checked:
            bundle.check(document, str(path) if path else None)
        self._document: Mapping[str, Any] = document
        self._raw_models: Sequence[dict[str, Any]] = document["models"]
        if document["schema_version"] == "1.0":
            bundle.upgrade_1_0(document["models"])
        self._decoded: dict[int, Model] = {}
        self._found: dict[str, Model] = {}  # exact id -> model, filled by lookups: a warm `get` is one dict hit
        self._indexed: Index | None = None
        self.path = path
        """The file the catalog was read from (None when built from a dict)."""

    def _use_index(self, index: Index) -> None:
        """Read through a bundle index instead of the parsed document (see the module docstring)."""
        self._indexed = index
        self._document = index.document
        self._raw_models = index.document["models"]

    # -- lazily built indexes -------------------------------------------------------------------------------

    @cached_property
    def _columns(self) -> columns.Columns:
        """The search columns: the index's, or computed from the records (decoding every one, on first search)."""
        if self._indexed is not None:
            return self._indexed.columns
        return columns.Columns(len(self._raw_models), self._column_from_records)

    def _column_from_records(self, name: str) -> list[Any]:
        if name in ("id", "provider", "model_id"):
            return [raw[name] for raw in self._raw_models]
        if name == "haystack":
            return self._haystacks
        models = self.models
        if name == "aliases":
            return [list(m.aliases) for m in models]
        if name == "family_name":
            return [self._family_name(m) for m in models]
        if name == "open_weights":
            return [self.open_weights(m) for m in models]
        extract = columns.MODEL_COLUMNS[name]
        with bundle.no_gc():
            return [extract(m) for m in models]

    def _column(self, name: str) -> list[Any]:
        """A column cheap to read without decoding (`id`, `provider`, `model_id`, `aliases`)."""
        if self._indexed is not None:
            return self._columns[name]
        if name == "aliases":
            return [raw.get("aliases") or () for raw in self._raw_models]
        return [raw[name] for raw in self._raw_models]

    @cached_property
    def _index(self) -> dict[str, int]:
        with bundle.no_gc():
            return {model_id: i for i, model_id in enumerate(self._column("id"))}

    def _row_of(self, model_id: str) -> int | None:
        """The position of an exact id; through the index's id lines until the id dict exists."""
        if "_index" not in self.__dict__ and self._indexed is not None:
            return self._indexed.row_of(model_id)
        return self._index.get(model_id)

    def _alias_row(self, ref: str) -> int | None:
        """The position of the model answering to `ref` as `<provider>/<alias>`. Through an index, an alias no
        model has is ruled out by a byte search of the aliases column: an unknown id parses no column."""
        if self._indexed is not None and "_alias_index" not in self.__dict__:
            tails = [ref[at + 1:] for at, char in enumerate(ref) if char == "/"]  # the alias after any provider id
            if not any(self._indexed.mentions("aliases", tail) for tail in tails):
                return None
        return self._alias_index.get(ref)

    def _lower_rows(self, lowered: str) -> list[int]:
        """The positions of the ids that lower-case to `lowered` (ruled out through an index without building
        the lower-cased ids, as `_alias_row` does)."""
        if self._spellings is not None and "_lower_index" not in self.__dict__:  # the index's sorted lines
            rows = map(self._row_of, self._spellings.id_spellings(lowered))
            return [row for row in rows if row is not None]
        if self._indexed is not None and "_lower_index" not in self.__dict__ and not self._indexed.has_lowered(
                lowered):
            return []
        return self._lower_index.get(lowered, [])

    @cached_property
    def _alias_index(self) -> dict[str, int]:
        """`<provider>/<alias>` -> position of the model that has that alias."""
        providers, all_aliases = self._column("provider"), self._column("aliases")
        with_aliases = compress(range(len(all_aliases)), all_aliases)  # few models have any: skip the rest in C
        return {f"{providers[i]}/{alias}": i for i in with_aliases for alias in all_aliases[i]}

    @cached_property
    def _spellings(self) -> IndexedSpellings | None:
        """What 'did you mean' needs from every id, read from the index (None without one, or an older one)."""
        return self._indexed.spellings() if self._indexed is not None else None

    @cached_property
    def _short_ids(self) -> Mapping[str, list[str]]:
        """Provider-local id (the global id when there is none) -> the global ids carrying it, in bundle order."""
        if self._spellings is not None:
            return self._spellings.short_ids()
        ids = self._column("id")
        shorts = list(self._column("model_id"))
        for row in compress(range(len(shorts)), map(operator.not_, shorts)):
            shorts[row] = ids[row]
        return Grouped(shorts, ids)

    @cached_property
    def _model_suggester(self) -> Suggester:
        """'Did you mean' for model ids; kept so its index is built once (on the first unknown id)."""
        return Suggester(() if self._spellings is not None else self._column("id"), self._short_ids,
                         self._indexed.suggest_orders if self._indexed else None, self._spellings)

    @cached_property
    def _family_suggester(self) -> Suggester:
        return Suggester(self._families)

    @cached_property
    def _families(self) -> dict[str, Family]:
        with bundle.no_gc():
            return {r["id"]: self._decode_record(decode.family, r, "family") for r in self._raw_families}

    @cached_property
    def _family_ids(self) -> set[Any]:
        if self._indexed is not None:
            return self._indexed.family_ids()
        return {raw.get("id") for raw in self._raw_families if isinstance(raw, dict)}

    @property
    def _raw_families(self) -> list[dict[str, Any]]:
        return self._document.get("families") or []

    @cached_property
    def _family_of(self) -> dict[str, str]:
        return {offer: raw["id"] for raw in self._raw_families for offer in raw.get("offers") or ()}

    @cached_property
    def _by_family(self) -> dict[str, list[str]]:
        """Family id -> ids of the models naming it (with an index: also those its `offers` list names, which
        `Catalog.offers` unites with these anyway)."""
        grouped: dict[str, list[str]] = {}
        if self._indexed is not None:
            for model_id, family in zip(self._columns["id"], self._columns["family"], strict=True):
                if family is not None:
                    grouped.setdefault(family, []).append(model_id)
            return grouped
        for raw in self._raw_models:
            if isinstance(family := raw.get("family"), str):
                grouped.setdefault(family, []).append(raw["id"])
        return grouped

    @cached_property
    def _lower_index(self) -> Grouped[int]:
        """Lower-cased id -> the positions of the ids that lower-case to it."""
        ids = self._column("id")
        return Grouped(list(map(str.lower, ids)), range(len(ids)))

    @cached_property
    def _providers(self) -> dict[str, Provider]:
        providers = (self._decode_record(decode.provider, r, "provider") for r in self._document["providers"])
        return {p.id: p for p in providers}

    @cached_property
    def _by_provider(self) -> dict[str, list[int]]:
        grouped: dict[str, list[int]] = {}
        for index, provider in enumerate(self._column("provider")):
            grouped.setdefault(provider, []).append(index)  # bundle.check(): every model has a str provider
        return grouped

    @cached_property
    def _haystacks(self) -> list[str]:
        """Per model (by position), the folded text (`textmatch.haystack`) that free-text search matches: id, name,
        family id, family name, description, aliases. Built from the parsed JSON, so a text search decodes only its
        matches."""
        if self._indexed is not None:
            return self._columns["haystack"]
        names = {raw["id"]: raw.get("name") or "" for raw in self._raw_families}
        family_of = self._family_of
        with bundle.no_gc():
            return [haystack_of(raw, family_of, names) for raw in self._raw_models]

    @cached_property
    def models(self) -> tuple[Model, ...]:
        """Every model, sorted by id as in the bundle (decoded once, on first use)."""
        decoded, decode_one = self._decoded, self._decode_model
        with bundle.no_gc():
            try:
                models = tuple(decoded.get(i) or decode_one(raw, i) for i, raw in enumerate(self._raw_models))
            except decode.DECODE_ERRORS:
                for index in range(len(self._raw_models)):  # name the malformed record in a BundleError
                    self._model_at(index)
                raise
        self._decoded = dict(enumerate(models))
        return models

    def _decode_model(self, raw: dict[str, Any], index: int) -> Model:
        if "family" in raw:
            return decode.model(raw, None)
        # With an index the family column holds the family the offers list gives: the families stay unparsed.
        family = self._columns["family"][index] if self._indexed is not None else self._family_of.get(raw["id"])
        return decode.model(raw, family)

    def _model_at(self, index: int) -> Model:
        model = self._decoded.get(index)
        if model is None:
            raw = self._raw_models[index]
            model = self._decode_record(lambda r: self._decode_model(r, index), raw, "model")
            self._decoded[index] = model
        return model

    def _decode_record(self, decoder: Any, raw: dict[str, Any], what: str) -> Any:
        try:
            return decoder(raw)
        except decode.DECODE_ERRORS as exc:
            origin = str(self.path) if self.path else None
            if isinstance(exc, decode.DecodeError):  # names the value: `models[12].pricing.input_per_mtok: ...`
                problem = f"{what} record {raw.get('id')!r} is malformed: {self._position(raw, what)}.{exc}"
            else:
                problem = f"{what} record {raw.get('id')!r} is malformed ({type(exc).__name__}: {exc})"
            raise BundleError(problem, origin) from None

    def _position(self, raw: dict[str, Any], what: str) -> str:
        """`models[12]`: where a record sits in the bundle (looked up only to report an error)."""
        section = {"model": "models", "provider": "providers", "family": "families"}[what]
        found = (i for i, r in enumerate(self._document.get(section) or ()) if r is raw)
        return f"{section}[{next(found, '?')}]"

    def _family_name(self, model: Model) -> str:
        family = self._families.get(model.family) if model.family else None
        return family.name.lower() if family else ""

    def open_weights(self, model: Model) -> bool | None:
        """Whether the model's weights are open: as declared for the model, else from its family; None when unknown."""
        if model.open_weights is not None:
            return model.open_weights
        family = self._families.get(model.family) if model.family else None
        return family.open_weights if family else None
