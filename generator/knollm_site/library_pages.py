"""The library guide's pages: an overview, the comparison, recommendations by use case, the library x provider
compatibility matrix, and one page per library.

Everything is read through the runtime's `LibraryGuide` (never from the raw bundle), so the site shows what
`knollm libraries ...` shows: the recommendations are `LibraryGuide.recommend()`'s own ranking and reasons, the
matrix is the compatibility the compiler derived. The texts here (category and use-case descriptions) are ours
and trusted; every library string is untrusted and escaped by the templates.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

import knollm
from knollm.libraries import (
    CATEGORIES,
    CRITERIA,
    FEATURES,
    REACH,
    USE_CASES,
    WEIGHTS,
    Library,
    LibraryGuide,
    LibraryPackage,
    Recommendation,
    lightness_rating,
    reach_rating,
)
from knollm_compiler.library_records import LibraryRatings

from .fmt import slug

SECTION = "libraries/"
RESERVED = frozenset({"index", "compare", "recommendations", "compatibility", "summary"})
"""Slugs of the section pages next to the library pages."""
EDIT_BASE = "../../"
"""As `views.EDIT_BASE`: from `repo_url` + `edit_uri` to the repository root."""
TOP = 5
"""Recommendations shown with their reasons per use case; the rest of the ranking is listed after them."""

CATEGORY_DOCS: dict[str, tuple[str, str]] = {
    "http-client": ("HTTP clients", "General HTTP clients: you write the request to each provider's API yourself."),
    "official-sdk": ("Official SDKs", "A provider's own Python client for its API (many also take another base URL)."),
    "unified-client": ("Unified clients", "One call format for many providers, translated per provider, or the SDK "
                                          "of a gateway that routes to many."),
    "framework": ("Frameworks", "Application frameworks on top of model calls: agents, tools, retrieval (RAG), "
                                "pipelines."),
    "structured-output": ("Structured output", "Libraries that make a model return data in a declared shape: "
                                               "schemas, grammars, typed functions."),
    "tool": ("Tools", "Helpers around model calls, such as tokenizers; they do not call a model themselves."),
}
"""Category -> (title, what it is). Titles are also the headings of the overview (anchors are the category ids)."""
OTHER_CATEGORY = ("other", "Other", "Libraries of a category this version of the site does not know yet.")

USE_CASE_DOCS: dict[str, tuple[str, str]] = {
    "simple-calls": ("Simple calls", "A prompt in, text out, with as little code as possible."),
    "multi-provider": ("Multi-provider", "One code path for many providers, to switch between them or fall back."),
    "structured-output": ("Structured output", "Answers parsed into typed objects (pydantic models, JSON Schema)."),
    "agents": ("Agents", "A model that calls tools in a loop until the task is done."),
    "rag": ("RAG", "Retrieval-augmented generation: answers grounded in your own documents."),
    "local-models": ("Local models", "Models on your own machine or server (Ollama, vLLM, LM Studio and the like)."),
    "lowest-overhead": ("Lowest overhead", "The fewest dependencies and the least work per call."),
}
"""Use case -> (title, what it means). Section anchors on the recommendations page are the use-case ids."""

FEATURE_LABELS: dict[str, str] = {feature: feature.replace("_", " ") for feature in FEATURES}
"""Column headers of the feature columns (the filter script finds the columns by these labels)."""
REACH_LABELS: dict[str, str] = {"native": "native", "openai-compatible": "OpenAI-compatible", "http": "HTTP"}
REACH_CELLS: dict[str, str] = {**REACH_LABELS, "openai-compatible": "OpenAI\u2011compatible"}
"""Matrix cells: as `REACH_LABELS`, with a non-breaking hyphen so narrow columns do not split the word."""
DERIVED_CRITERIA: tuple[tuple[str, str], ...] = (
    ("reach", "Derived from facts: " + (reach_rating.__doc__ or "").strip()),
    ("lightness", "Derived from facts: " + (lightness_rating.__doc__ or "").strip()),
)


@dataclass(frozen=True)
class LibraryPage:
    """A library with a page: the runtime record, the docs path, and the authored file the edit link opens."""

    library: Library
    path: str
    edit_path: str


@dataclass(frozen=True)
class Category:
    """One category of the overview, with its libraries (by id)."""

    id: str
    title: str
    description: str
    pages: tuple[LibraryPage, ...]


@dataclass(frozen=True)
class UseCase:
    """One use case of the recommendations page: `ranking` is `LibraryGuide.recommend(id)`, unchanged."""

    id: str
    title: str
    description: str
    ranking: tuple[Recommendation, ...]
    weights: dict[str, int]

    @property
    def top(self) -> tuple[Recommendation, ...]:
        """The places shown with their reasons."""
        return self.ranking[:TOP]

    @property
    def rest(self) -> tuple[Recommendation, ...]:
        """The rest of the ranking, in order."""
        return self.ranking[TOP:]


@dataclass(frozen=True)
class ReachTable:
    """The compatibility matrix of one category: providers (rows) x libraries that reach any (columns)."""

    category: Category
    columns: tuple[LibraryPage, ...]
    rows: tuple[tuple[str, tuple[str | None, ...]], ...]
    """(provider id, how each column's library reaches it, None when it does not)."""
    unreached: tuple[LibraryPage, ...]
    """Libraries of the category that reach no provider (they make no API calls)."""


@dataclass
class LibrarySite:
    """The guide of one bundle and the pages made from it."""

    guide: LibraryGuide
    pages: list[LibraryPage]
    """By library id."""
    provider_order: dict[str, int] = field(default_factory=dict)
    """Provider id -> position in the site's provider order (display name); unknown providers sort after."""
    by_id: dict[str, LibraryPage] = field(default_factory=dict)
    rankings: dict[str, tuple[Recommendation, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {p.library.id: p for p in self.pages}
        self.rankings = {use_case: tuple(self.guide.recommend(use_case)) for use_case in USE_CASES}

    def path(self, library_id: str) -> str | None:
        """The page of a library, when it has one."""
        page = self.by_id.get(library_id)
        return page.path if page else None

    def categories(self) -> list[Category]:
        """Every known category (in the runtime's order, empty ones too), then libraries of unknown ones."""
        found = [Category(cid, *CATEGORY_DOCS.get(cid, (cid, "")), tuple(p for p in self.pages
                                                                      if p.library.category == cid))
                 for cid in CATEGORIES]
        other = tuple(p for p in self.pages if p.library.category not in CATEGORIES)
        if other:
            found.append(Category(*OTHER_CATEGORY, other))
        return found

    def use_cases(self) -> list[UseCase]:
        """Every use case with the runtime's ranking for it."""
        return [UseCase(uc, *USE_CASE_DOCS.get(uc, (uc, "")), self.rankings[uc], dict(WEIGHTS.get(uc, {})))
                for uc in USE_CASES]

    def places(self, library_id: str) -> list[tuple[str, Recommendation, int]]:
        """(use case, this library's recommendation, libraries ranked) for every use case that ranks it."""
        found = []
        for use_case, ranking in self.rankings.items():
            pick = next((r for r in ranking if r.library == library_id), None)
            if pick is not None:
                found.append((use_case, pick, len(ranking)))
        return found

    def providers_of(self, library: Library) -> dict[str, list[str]]:
        """How -> provider ids the library reaches that way (in the site's provider order)."""
        return {how: self._sorted(p for p, r in library.compatibility.items() if r == how) for how in REACH}

    def libraries_for(self, provider_id: str) -> dict[str, list[LibraryPage]]:
        """How -> library pages that reach `provider_id` that way (by library id)."""
        found: dict[str, list[LibraryPage]] = {how: [] for how in REACH}
        for page in self.pages:
            how = page.library.reach(provider_id)
            if how is not None:
                found.setdefault(how, []).append(page)
        return found

    def reach_tables(self) -> list[ReachTable]:
        """One matrix per category that has libraries, straight from each library's derived `compatibility`."""
        tables = []
        for category in self.categories():
            if not category.pages:
                continue
            columns = tuple(p for p in category.pages if p.library.compatibility)
            providers = self._sorted({pid for p in columns for pid in p.library.compatibility})
            rows = tuple((pid, tuple(p.library.reach(pid) for p in columns)) for pid in providers)
            unreached = tuple(p for p in category.pages if not p.library.compatibility)
            tables.append(ReachTable(category, columns, rows, unreached))
        return tables

    def unreached_providers(self, provider_ids: Iterable[str]) -> list[str]:
        """Providers of `provider_ids` that no library reaches."""
        reached = {pid for page in self.pages for pid in page.library.compatibility}
        return [pid for pid in provider_ids if pid not in reached]

    def _sorted(self, provider_ids: Iterable[str]) -> list[str]:
        last = len(self.provider_order)
        return sorted(provider_ids, key=lambda pid: (self.provider_order.get(pid, last), pid))


def build_library_site(catalog: knollm.Catalog, provider_order: Iterable[str] = ()) -> LibrarySite:
    """The library pages of `catalog` (none for a bundle without library data)."""
    guide = LibraryGuide.from_catalog(catalog)
    taken: set[str] = set()
    pages = [LibraryPage(lib, f"{SECTION}{slug(lib.id, taken, RESERVED)}.md", edit_path(lib)) for lib in guide]
    order = {pid: index for index, pid in enumerate(provider_order)}
    return LibrarySite(guide, pages, order)


def edit_path(library: Library) -> str:
    """The authored file of a library, for the page's edit link: `catalog/libraries/<id>.toml`."""
    return f"{EDIT_BASE}catalog/libraries/{urllib.parse.quote(library.id, safe='')}.toml"


def criteria_docs() -> list[tuple[str, str]]:
    """Our five rating criteria with what each measures (from the authoring model's field docs)."""
    docs: list[tuple[str, str]] = []
    for name in CRITERIA:
        info = LibraryRatings.model_fields.get(name)
        text = (info.description or "") if info else ""
        docs.append((name, text.removeprefix("Ours: ")))
    return docs


def python_text(package: LibraryPackage) -> str | None:
    """Supported Python versions: the `Requires-Python` specifier and the classifier range, e.g.
    `>=3.10; classifiers 3.10-3.14`; None when neither is known."""
    parts = []
    if package.requires_python:
        parts.append(package.requires_python)
    versions = list(package.python_versions)
    if versions:
        ordered = sorted(versions, key=_version_key)
        span = ordered[0] if len(ordered) == 1 else f"{ordered[0]}–{ordered[-1]}"
        parts.append(f"classifiers {span}")
    return "; ".join(parts) or None


def _version_key(text: str) -> tuple[int, tuple[int, ...], str]:
    try:
        return 0, tuple(int(part) for part in text.split(".")), text
    except ValueError:
        return 1, (), text


def size_text(package: LibraryPackage) -> str | None:
    """Installed size with dependencies in MB (one decimal); None when unknown."""
    kib = package.installed_size_kb
    return None if kib is None else f"{kib / 1024:,.1f} MB"


def dependencies_text(package: LibraryPackage) -> str:
    """`6 direct, 13 installed`: direct requirements and distributions installed with it (when known)."""
    text = f"{package.direct_dependencies} direct"
    if package.transitive_dependencies is not None:
        text += f", {package.transitive_dependencies} installed"
    return text


def checked_date(guide: LibraryGuide) -> str | None:
    """The most recent day the package metadata was read."""
    return max((lib.package.checked for lib in guide if lib.package.checked), default=None)


def pypi_url(package: LibraryPackage) -> str:
    """The package's page on PyPI."""
    return f"https://pypi.org/project/{urllib.parse.quote(package.pypi, safe='')}/"

