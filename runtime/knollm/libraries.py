"""The Python LLM library guide: library records from the bundle, the feature and compatibility matrices, and
ranked recommendations with their reasons.

```python
import knollm
from knollm.libraries import LibraryGuide

guide = LibraryGuide.from_catalog(knollm.Catalog.load())
guide.get("httpx").package.version
for pick in guide.recommend("multi-provider", needs=("async", "tools"), limit=3):
    print(pick.rank, pick.library, pick.score, pick.reasons)
```

Facts (`package`, `features`, `coverage`, `compatibility`) and our judgement (`judgement`: ratings, pros, cons,
best uses) are kept apart; every recommendation says which of them it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import decode
from .errors import BundleError, InvalidArgument, LibraryNotFound
from .library_data import (
    Library,
    LibraryCoverage,
    LibraryJudgement,
    LibraryPackage,
    LibraryRatings,
    Recommendation,
    decode_library,
)
from .library_scoring import WEIGHTS, criteria_values, lightness_rating, reach_rating, reasons, score
from .suggest import closest
from .vocab import LIBRARY_CATEGORIES as CATEGORIES
from .vocab import LIBRARY_CRITERIA as CRITERIA
from .vocab import LIBRARY_FEATURES as FEATURES
from .vocab import LIBRARY_REACH as REACH
from .vocab import USE_CASES

if TYPE_CHECKING:
    from .catalog import Catalog

# The guide's public names, importable from here as before the records and the scoring had modules of their own.
__all__ = [
    "CATEGORIES", "CRITERIA", "FEATURES", "REACH", "USE_CASES", "WEIGHTS", "Library", "LibraryCoverage",
    "LibraryGuide", "LibraryJudgement", "LibraryNotFound", "LibraryPackage", "LibraryRatings", "Recommendation",
    "check_features", "check_use_case", "lightness_rating", "reach_rating",
]


class LibraryGuide:
    """Every library of a bundle, with lookups, the two matrices and recommendations."""

    def __init__(self, records: Iterable[Mapping[str, Any]], api_kinds: Mapping[str, str | None] | None = None,
                 origin: str | None = None) -> None:
        """`records` are the bundle's `libraries` objects; `api_kinds` maps provider id -> API dialect."""
        libraries: dict[str, Library] = {}
        for index, raw in enumerate(records):
            try:
                library = decode_library(dict(raw))
            except decode.DECODE_ERRORS as exc:
                name = raw.get("id") if isinstance(raw, Mapping) else None
                detail = f": libraries[{index}].{exc}" if isinstance(exc, decode.DecodeError) \
                    else f" ({type(exc).__name__}: {exc})"
                raise BundleError(f"library record {name!r} is malformed{detail}", origin) from None
            libraries[library.id] = library
        self._libraries = dict(sorted(libraries.items()))
        self._api_kinds = dict(api_kinds or {})

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> LibraryGuide:
        """The libraries of a loaded catalog (an empty guide for bundles built before libraries existed)."""
        records = catalog.section("libraries")
        if not isinstance(records, list):
            raise BundleError("'libraries' is not a list", str(catalog.path) if catalog.path else None)
        kinds = {p.id: p.api_kind for p in catalog.providers()}
        return cls(records, kinds, str(catalog.path) if catalog.path else None)

    def __len__(self) -> int:
        return len(self._libraries)

    def __iter__(self) -> Iterator[Library]:
        return iter(self._libraries.values())

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and ref in self._libraries

    # -- lookups ---------------------------------------------------------------------------------------------

    def select(self, *, category: str | None = None, features: Sequence[str] = (),
             provider: str | None = None) -> list[Library]:
        """Libraries sorted by id; optionally of one `category`, offering all `features`, reaching `provider`."""
        if category is not None and category not in CATEGORIES:
            raise InvalidArgument(_unknown("category", category, CATEGORIES))
        wanted = check_features(features)
        return [
            lib for lib in self._libraries.values()
            if (category is None or lib.category == category) and all(lib.supports(f) for f in wanted)
            and (provider is None or provider in lib.compatibility)
        ]

    def get(self, ref: str) -> Library:
        """A library by id, or by PyPI name (case-insensitive). Raises `LibraryNotFound` with suggestions."""
        ref = ref.strip()
        if ref in self._libraries:
            return self._libraries[ref]
        lowered = ref.lower().replace("_", "-")
        for library in self._libraries.values():
            if lowered in (library.id, library.package.pypi.lower(), library.import_name.lower().replace("_", "-")):
                return library
        names = {lib.package.pypi: lib.id for lib in self._libraries.values()}
        found = closest(ref, self._libraries)
        found += [names[n] for n in closest(ref, names) if names[n] not in found]
        raise LibraryNotFound(ref, found[:5])

    # -- matrices --------------------------------------------------------------------------------------------

    def feature_matrix(self) -> dict[str, dict[str, bool]]:
        """Library id -> feature -> offered, for the comparison table (features x libraries)."""
        return {lib.id: {f: lib.supports(f) for f in FEATURES} for lib in self._libraries.values()}

    def compatibility_matrix(self) -> dict[str, dict[str, str]]:
        """Library id -> provider id -> `native` / `openai-compatible` / `http` (derived at build time)."""
        return {lib.id: dict(sorted(lib.compatibility.items())) for lib in self._libraries.values()}

    def dialects(self, library: Library) -> tuple[str, ...]:
        """The API dialects (`api_kind` of the providers) the library reaches, sorted."""
        return tuple(sorted({k for p in library.compatibility if (k := self._api_kinds.get(p))}))

    # -- recommendations -------------------------------------------------------------------------------------

    def recommend(self, use_case: str, needs: Sequence[str] = (), *, provider: str | None = None,
                  limit: int | None = None) -> list[Recommendation]:
        """Libraries ranked for `use_case`, each with the reasons for its place.

        Hard filters: every feature in `needs`, reaching `provider` when given, and reaching at least one
        provider at all (a tokenizer is never recommended). Then libraries whose `best_for` (our judgement)
        names the use case come first; within each group the score decides: the mean of our ratings weighted for
        the use case (`WEIGHTS`), with `reach` and `lightness` derived from facts. Ties go by id.
        """
        use_case = check_use_case(use_case)
        wanted = check_features(needs)
        if limit is not None and limit < 0:
            raise InvalidArgument(f"limit must be zero or more, not {limit}")
        scored = []
        for lib in self._libraries.values():
            if not lib.compatibility or not all(lib.supports(f) for f in wanted):
                continue
            if provider is not None and provider not in lib.compatibility:
                continue
            scored.append((lib, score(self.criteria(lib), use_case), use_case in lib.judgement.best_for))
        scored.sort(key=lambda item: (not item[2], -item[1][0], item[0].id))
        shown = scored if not limit else scored[:limit]
        return [
            Recommendation(rank, lib.id, lib.name, result[0], fit,
                           reasons(lib, use_case, wanted, provider, fit, result, len(self.dialects(lib))))
            for rank, (lib, result, fit) in enumerate(shown, 1)
        ]

    def criteria(self, library: Library) -> dict[str, int | None]:
        """Every criterion the score can use: our five ratings plus `reach` and `lightness` (None if unknown)."""
        return criteria_values(library, len(self.dialects(library)) if self._api_kinds else None)


def check_use_case(use_case: str) -> str:
    """A use case from `USE_CASES` (surrounding space and case ignored); raise for unknown ones."""
    wanted = use_case.strip().lower()
    if wanted not in USE_CASES:
        raise InvalidArgument(_unknown("use case", use_case, USE_CASES))
    return wanted


def check_features(features: Iterable[str]) -> tuple[str, ...]:
    """Normalise feature names (`structured-output` -> `structured_output`); raise for unknown ones."""
    found = []
    for name in features:
        feature = name.strip().lower().replace("-", "_")
        if feature not in FEATURES:
            raise InvalidArgument(_unknown("feature", name, FEATURES))
        if feature not in found:
            found.append(feature)
    return tuple(found)


def _unknown(what: str, value: str, allowed: Sequence[str]) -> str:
    near = closest(value, allowed, limit=3)
    hint = f"; did you mean: {', '.join(near)}?" if near else ""
    return f"unknown {what} {value!r}{hint} (one of: {', '.join(allowed)})"
