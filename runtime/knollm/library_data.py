"""The library guide's records as read from a bundle: one frozen `Library` per `libraries` entry, decoded with
every value type-checked, so a malformed record is a `BundleError`-ready `DecodeError` naming its dotted path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import decode
from .vocab import LIBRARY_CRITERIA as CRITERIA
from .vocab import LIBRARY_FEATURES as FEATURES


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


def decode_library(raw: dict[str, Any]) -> Library:
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
