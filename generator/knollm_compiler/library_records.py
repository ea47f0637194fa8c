"""Records of the Python LLM library guide (authored in `catalog/libraries/`)."""

from __future__ import annotations

from pydantic import Field

from .bundle_vocab import LibraryCategory, LibraryReach
from .strict import Strict


class LibraryPackage(Strict):
    """Facts from the library's PyPI metadata (written by `scripts/refresh_libraries.py`)."""

    pypi: str
    """Project name on PyPI."""
    version: str
    """Latest version at refresh time."""
    release_date: str | None = None
    """UTC day that version's first file was uploaded (YYYY-MM-DD); None when unknown."""
    release_month: str | None = None
    """Fallback when the day is unknown: month of the latest release (YYYY-MM)."""
    license: str | None = None
    """License as the metadata states it."""
    license_source: str | None = None
    """Where the license was read (`license-expression`, `license`, `license-text`, `classifier`, `license-file`)."""
    requires_python: str | None = None
    """The `Requires-Python` specifier."""
    python_versions: tuple[str, ...] = ()
    """Python versions named in the trove classifiers."""
    repository: str | None = None
    """Source repository URL."""
    direct_dependencies: int = Field(ge=0)
    """Requirements not behind an extra."""
    transitive_dependencies: int | None = Field(default=None, ge=0)
    """Other distributions installed with it."""
    installed_size_kb: int | None = Field(default=None, ge=0)
    """KiB installed with its dependencies into an empty virtualenv (no bytecode)."""
    checked: str
    """Day the metadata was read (YYYY-MM-DD)."""
    resolved_for: str | None = None
    """Interpreter and platform the dependencies were resolved for."""
    install_problem: str | None = None
    """What pip said when it could not resolve the dependencies at refresh time."""


class LibraryCoverage(Strict):
    """Which providers the library reaches, as authored."""

    native: tuple[str, ...] = ()
    """Provider ids with first-party support (in the package or an add-on package of the same project)."""
    openai_compatible: bool = False
    """Its OpenAI-dialect client takes any base URL (reaches every provider whose `api_kind` is `openai`)."""
    raw_http: bool = False
    """A general HTTP client (reaches HTTP APIs with hand-written requests)."""
    notes: str | None = None
    """Plain-text qualifications."""
    sources: dict[str, str] = {}
    """Coverage fact -> URL backing it."""


class LibraryRatings(Strict):
    """OUR ratings, 1 (poor) to 5 (excellent), on stated criteria. Authored in `catalog/libraries/` and
    published as they are."""

    api_design: int = Field(ge=1, le=5)
    """Ours: how little code the common case takes, and how consistent and typed the API is."""
    docs: int = Field(ge=1, le=5)
    """Ours: reference completeness, examples, and how current the docs are."""
    maintenance: int = Field(ge=1, le=5)
    """Ours: release cadence, responsiveness, and the backing organisation."""
    performance: int = Field(ge=1, le=5)
    """Ours: import time, per-call overhead and dependency weight, relative to the category."""
    flexibility: int = Field(ge=1, le=5)
    """Ours: how far you can go beyond the happy path (providers, custom transports, lower-level access)."""


class LibraryJudgement(Strict):
    """OUR judgement, not a fact."""

    ratings: LibraryRatings
    """Ours: ratings on the five criteria."""
    pros: tuple[str, ...]
    """Ours: strengths."""
    cons: tuple[str, ...]
    """Ours: weaknesses."""
    best_for: tuple[str, ...]
    """Ours: use cases we would pick it for (`simple-calls`, `multi-provider`, `structured-output`, `agents`,
    `rag`, `local-models`, `lowest-overhead`)."""
    example: str
    """A minimal working Python snippet (it calls an API when run)."""


class Library(Strict):
    """A Python LLM library, from `catalog/libraries/<id>.toml`."""

    id: str
    """Stable id; the authored file name."""
    name: str
    """Display name."""
    category: LibraryCategory
    """What kind of library it is."""
    summary: str
    """One plain-text line."""
    import_name: str
    """The module to import."""
    homepage: str
    """Documentation home page."""
    repository: str
    """Source repository."""
    install: tuple[str, ...] = ()
    """pip requirements that make the example run (the PyPI name, or it with extras and companions)."""
    package: LibraryPackage
    """Facts from PyPI metadata."""
    features: dict[str, bool]
    """`sync`, `async`, `streaming`, `tools`, `structured_output`, `vision` -> offered (facts)."""
    feature_notes: str | None = None
    """Qualifications of the feature flags."""
    feature_sources: dict[str, str] = {}
    """Feature -> URL documenting it."""
    coverage: LibraryCoverage
    """Provider coverage as authored."""
    compatibility: dict[str, LibraryReach] = {}
    """Derived: provider id -> how the library reaches it; providers it cannot reach are absent."""
    judgement: LibraryJudgement
    """Our judgement."""
