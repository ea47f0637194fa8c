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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import decode
from .errors import BundleError, InvalidArgument, LibraryNotFound
from .suggest import closest

if TYPE_CHECKING:
    from .catalog import Catalog

FEATURES = ("sync", "async", "streaming", "tools", "structured_output", "vision")
"""Feature flags every library record carries."""
CRITERIA = ("api_design", "docs", "maintenance", "performance", "flexibility")
"""Our rating criteria, each 1 (poor) to 5 (excellent)."""
CATEGORIES = ("http-client", "official-sdk", "unified-client", "framework", "structured-output", "tool")
USE_CASES = (
    "simple-calls", "multi-provider", "structured-output", "agents", "rag", "local-models", "lowest-overhead",
)
"""The closed vocabulary of `judgement.best_for` and of `recommend(use_case=...)`."""
REACH = ("native", "openai-compatible", "http")

WEIGHTS: dict[str, dict[str, int]] = {
    "simple-calls": {"api_design": 3, "docs": 2, "maintenance": 2, "performance": 1, "flexibility": 1},
    "multi-provider": {"reach": 3, "flexibility": 3, "api_design": 2, "maintenance": 2, "docs": 1, "performance": 1},
    "structured-output": {"api_design": 3, "docs": 2, "maintenance": 2, "flexibility": 2, "performance": 1},
    "agents": {"flexibility": 3, "api_design": 2, "docs": 2, "maintenance": 2, "performance": 1},
    "rag": {"flexibility": 3, "docs": 2, "maintenance": 2, "api_design": 2, "performance": 1},
    "local-models": {"flexibility": 2, "performance": 2, "api_design": 2, "maintenance": 2, "docs": 1},
    "lowest-overhead": {"performance": 3, "lightness": 3, "api_design": 1, "maintenance": 1},
}
"""Per use case, the weight of each criterion in the score. Besides our five ratings there are two derived from
facts: `reach` (API dialects the library reaches, 1-5) and `lightness` (installed dependencies, 1-5)."""


def reach_rating(dialects: int) -> int:
    """1-5 from the number of API dialects (`api_kind`s) a library reaches: 1, 2, 3-4, 5-6, 7+."""
    return 1 if dialects <= 1 else 2 if dialects == 2 else 3 if dialects <= 4 else 4 if dialects <= 6 else 5


def lightness_rating(transitive: int) -> int:
    """1-5 from the number of distributions installed with a library: <=5, <=15, <=30, <=60, more."""
    return 5 if transitive <= 5 else 4 if transitive <= 15 else 3 if transitive <= 30 else 2 if transitive <= 60 else 1


# -- records -----------------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class LibraryPackage:
    """Facts from the package's PyPI metadata, read at refresh time."""

    pypi: str
    version: str
    checked: str
    direct_dependencies: int
    release_date: str | None = None
    release_month: str | None = None
    license: str | None = None
    license_source: str | None = None
    requires_python: str | None = None
    python_versions: tuple[str, ...] = ()
    repository: str | None = None
    transitive_dependencies: int | None = None
    installed_size_kb: int | None = None
    resolved_for: str | None = None
    install_problem: str | None = None

    @property
    def released(self) -> str | None:
        """The release day, else the month fallback, else None."""
        return self.release_date or self.release_month


@dataclass(slots=True, frozen=True)
class LibraryCoverage:
    """Which providers the library reaches, as authored."""

    native: tuple[str, ...] = ()
    openai_compatible: bool = False
    raw_http: bool = False
    notes: str | None = None
    sources: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(slots=True, frozen=True)
class LibraryRatings:
    """OUR ratings, 1 (poor) to 5 (excellent)."""

    api_design: int
    docs: int
    maintenance: int
    performance: int
    flexibility: int

    @property
    def mean(self) -> float:
        """The unweighted mean of the five ratings."""
        ratings: list[int] = [getattr(self, c) for c in CRITERIA]
        return sum(ratings) / len(CRITERIA)


@dataclass(slots=True, frozen=True)
class LibraryJudgement:
    """OUR judgement, not a fact."""

    ratings: LibraryRatings
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    best_for: tuple[str, ...] = ()
    example: str = ""


@dataclass(slots=True, frozen=True)
class Library:
    """A Python LLM library. `compatibility` maps provider id -> `native`, `openai-compatible` or `http`."""

    id: str
    name: str
    category: str
    summary: str
    import_name: str
    homepage: str
    repository: str
    package: LibraryPackage
    judgement: LibraryJudgement
    coverage: LibraryCoverage
    install: tuple[str, ...] = ()
    features: dict[str, bool] = field(default_factory=dict, hash=False)
    feature_notes: str | None = None
    feature_sources: dict[str, str] = field(default_factory=dict, hash=False)
    compatibility: dict[str, str] = field(default_factory=dict, hash=False)

    def supports(self, feature: str) -> bool:
        """Whether the library offers `feature` (one of `FEATURES`)."""
        return bool(self.features.get(feature))

    @property
    def feature_list(self) -> tuple[str, ...]:
        """The features it offers, in `FEATURES` order."""
        return tuple(f for f in FEATURES if self.features.get(f))

    def reach(self, provider: str) -> str | None:
        """How it reaches a provider id (`native`, `openai-compatible`, `http`), or None."""
        return self.compatibility.get(provider)

    def providers(self, how: str | None = None) -> tuple[str, ...]:
        """Provider ids it reaches (only those reached `how`, when given), sorted."""
        return tuple(sorted(p for p, r in self.compatibility.items() if how is None or r == how))


@dataclass(slots=True, frozen=True)
class Recommendation:
    """One ranked library: `fit` is whether the use case is among our picks for it (`judgement.best_for`)."""

    rank: int
    library: str
    name: str
    score: float
    fit: bool
    reasons: tuple[str, ...]


# -- decoding ----------------------------------------------------------------------------------------------------


def _library(raw: dict[str, Any]) -> Library:
    """One library record; every value is type-checked (`decode`), so a malformed one is a `BundleError` naming
    its dotted path, never a `TypeError` later in a table."""
    pkg = _object(raw.get("package"), "package")
    cov = decode.record(raw.get("coverage"), "coverage") or {}
    jud = _object(raw.get("judgement"), "judgement")
    ratings = _object(jud.get("ratings"), "judgement.ratings")
    library_id = decode.required(raw, "id")
    features = decode.mapping(raw.get("features"), "features", bool)
    return Library(
        id=library_id,
        name=decode.text(raw.get("name"), "name") or library_id,
        category=decode.required(raw, "category"),
        summary=decode.text(raw.get("summary"), "summary") or "",
        import_name=decode.required(raw, "import_name"),
        homepage=decode.text(raw.get("homepage"), "homepage") or "",
        repository=decode.text(raw.get("repository"), "repository") or "",
        install=decode.texts(raw.get("install"), "install") or (decode.required(pkg, "pypi", "package"),),
        package=_package(pkg),
        judgement=LibraryJudgement(
            ratings=LibraryRatings(*(_rating(ratings.get(c), c) for c in CRITERIA)),
            pros=decode.texts(jud.get("pros"), "judgement.pros"), cons=decode.texts(jud.get("cons"), "judgement.cons"),
            best_for=decode.texts(jud.get("best_for"), "judgement.best_for"),
            example=decode.text(jud.get("example"), "judgement.example") or "",
        ),
        coverage=LibraryCoverage(
            native=decode.texts(cov.get("native"), "coverage.native"),
            openai_compatible=bool(decode.flag(cov.get("openai_compatible"), "coverage.openai_compatible")),
            raw_http=bool(decode.flag(cov.get("raw_http"), "coverage.raw_http")),
            notes=decode.text(cov.get("notes"), "coverage.notes"),
            sources=dict(decode.mapping(cov.get("sources"), "coverage.sources")),
        ),
        features={f: bool(features.get(f)) for f in FEATURES},
        feature_notes=decode.text(raw.get("feature_notes"), "feature_notes"),
        feature_sources=dict(decode.mapping(raw.get("feature_sources"), "feature_sources")),
        compatibility=dict(decode.mapping(raw.get("compatibility"), "compatibility")),
    )


def _package(pkg: dict[str, Any]) -> LibraryPackage:
    def text(key: str) -> str | None:
        return decode.text(pkg.get(key), f"package.{key}")

    version = pkg.get("version")
    return LibraryPackage(
        pypi=decode.required(pkg, "pypi", "package"),
        version=str(version) if isinstance(version, int | float) and not isinstance(version, bool)
        else decode.required(pkg, "version", "package"),
        checked=decode.required(pkg, "checked", "package"),
        direct_dependencies=_count(pkg.get("direct_dependencies"), "package.direct_dependencies"),
        release_date=text("release_date"), release_month=text("release_month"), license=text("license"),
        license_source=text("license_source"), requires_python=text("requires_python"),
        python_versions=decode.texts(pkg.get("python_versions"), "package.python_versions"),
        repository=text("repository"),
        transitive_dependencies=decode.count(pkg.get("transitive_dependencies"), "package.transitive_dependencies"),
        installed_size_kb=decode.count(pkg.get("installed_size_kb"), "package.installed_size_kb"),
        resolved_for=text("resolved_for"), install_problem=text("install_problem"),
    )


def _object(value: Any, path: str) -> dict[str, Any]:
    found = decode.record(value, path)
    if found is None:
        raise decode.DecodeError(path, "required object is missing")
    return found


def _count(value: Any, path: str) -> int:
    found = decode.count(value, path)
    if found is None:
        raise decode.DecodeError(path, "required number is missing")
    return found


def _rating(value: Any, criterion: str) -> int:
    return _count(value, f"judgement.ratings.{criterion}")


# -- the guide ---------------------------------------------------------------------------------------------------


class LibraryGuide:
    """Every library of a bundle, with lookups, the two matrices and recommendations."""

    def __init__(self, records: Iterable[Mapping[str, Any]], api_kinds: Mapping[str, str | None] | None = None,
                 origin: str | None = None) -> None:
        """`records` are the bundle's `libraries` objects; `api_kinds` maps provider id -> API dialect."""
        libraries: dict[str, Library] = {}
        for index, raw in enumerate(records):
            try:
                library = _library(dict(raw))
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
            score, parts = self._score(lib, use_case)
            scored.append((lib, score, use_case in lib.judgement.best_for, parts))
        scored.sort(key=lambda item: (not item[2], -item[1], item[0].id))
        shown = scored if not limit else scored[:limit]
        return [
            Recommendation(rank, lib.id, lib.name, score, fit, self._reasons(lib, use_case, wanted, provider, fit,
                                                                              score, parts))
            for rank, (lib, score, fit, parts) in enumerate(shown, 1)
        ]

    def criteria(self, library: Library) -> dict[str, int | None]:
        """Every criterion the score can use: our five ratings plus `reach` and `lightness` (None if unknown)."""
        ratings = library.judgement.ratings
        values: dict[str, int | None] = {c: getattr(ratings, c) for c in CRITERIA}
        values["reach"] = reach_rating(len(self.dialects(library))) if self._api_kinds else None
        transitive = library.package.transitive_dependencies
        values["lightness"] = None if transitive is None else lightness_rating(transitive)
        return values

    def _score(self, library: Library, use_case: str) -> tuple[float, list[tuple[str, int, int]]]:
        values = self.criteria(library)
        parts = [(name, value, weight) for name, weight in WEIGHTS[use_case].items()
                 if (value := values.get(name)) is not None]
        total = sum(w for _, _, w in parts)
        return round(sum(v * w for _, v, w in parts) / total, 2), parts

    def _reasons(self, lib: Library, use_case: str, wanted: tuple[str, ...], provider: str | None, fit: bool,
                 score: float, parts: list[tuple[str, int, int]]) -> tuple[str, ...]:
        reasons = [f"our pick for {use_case}" if fit else
                   f"not among our picks for {use_case}" + (
                       f" (we pick it for {', '.join(lib.judgement.best_for)})" if lib.judgement.best_for else "")]
        if wanted:
            reasons.append("offers " + ", ".join(wanted))
        if provider is not None:
            reasons.append(f"reaches {provider} ({lib.compatibility[provider]})")
        terms = " + ".join(f"{name} {value}x{weight}" for name, value, weight in parts)
        reasons.append(f"score {score:.2f} = ({terms}) / {sum(w for _, _, w in parts)}")
        names = {name for name, _, _ in parts}
        if "reach" in names:
            native = len(lib.providers("native"))
            dialects = len(self.dialects(lib))
            reasons.append(f"reaches {len(lib.compatibility)} of our providers ({native} natively) across "
                           f"{dialects} API dialect{'' if dialects == 1 else 's'}")
        if "lightness" in names:
            pkg = lib.package
            size = f", {pkg.installed_size_kb / 1024:.0f} MB installed" if pkg.installed_size_kb is not None else ""
            reasons.append(f"{pkg.transitive_dependencies} dependencies installed with it{size}")
        return tuple(reasons)


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
