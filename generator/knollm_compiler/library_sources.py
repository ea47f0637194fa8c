"""Python LLM library guide: `catalog/libraries/<id>.toml`, one strict file per library.

Each file has four layers:

* top-level identity (name, category, import name, links), authored;
* `[package]`: facts from the package's real PyPI metadata, written only by `scripts/refresh_libraries.py`;
* `[features]` and `[coverage]`: authored facts, each backed by a source URL;
* `[judgement]`: OUR opinion (ratings on stated criteria, pros, cons, best uses, an example), marked as ours.

The library x provider compatibility matrix is derived here from `[coverage]` and the provider files; it is
never typed by hand.
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .authored import validate_authored
from .bundle_vocab import LIBRARY_CATEGORIES, LIBRARY_CRITERIA, LIBRARY_FEATURES, LibraryCategory, LibraryReach, UseCase
from .bundle_vocab import USE_CASES as USE_CASES
from .ingest.reading import UnreadableSource, read_toml
from .library_records import Library, LibraryCoverage, LibraryJudgement, LibraryPackage, LibraryRatings
from .problems import BuildError, Problem, Severity
from .providers import ProviderSpec

LIBRARY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL = re.compile(r"^https?://[^\s]+$")
DATE = r"^\d{4}-\d{2}-\d{2}$"
# The guide's closed vocabularies are the runtime's (`knollm.vocab`): the compiler writes what the runtime reads.
CATEGORIES = LIBRARY_CATEGORIES
FEATURES = LIBRARY_FEATURES
CRITERIA = LIBRARY_CRITERIA
COVERAGE_FACTS = frozenset({"native", "openai_compatible", "raw_http"})
RAW_HTTP_EXCLUDED_AUTH = frozenset({"aws-sigv4"})
"""Provider auth schemes a bare HTTP client cannot do by itself (request signing)."""

Category = LibraryCategory
Reach = LibraryReach


Requirement = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?([<>=!~]=?[A-Za-z0-9.*+!-]+)?$")
]
"""One pip requirement: a name, optional extras, optional version bound; nothing a shell would interpret."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class PackageFacts(Strict):
    """Facts from the package's own PyPI metadata. Written by `scripts/refresh_libraries.py`; never by hand."""

    pypi: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """Project name on PyPI (what `pip install` takes)."""
    version: str = Field(min_length=1, max_length=40)
    """Latest version that pip resolved at refresh time."""
    release_date: str | None = Field(default=None, pattern=DATE)
    """UTC day of the first upload of a file of that version, from the index's upload times; absent if unknown."""
    release_month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    """Fallback when `release_date` is unknown: month of the latest release in the packaged PyPI list."""
    license: str | None = Field(default=None, max_length=80)
    """License as the metadata states it (SPDX expression where the package declares one)."""
    license_source: Literal["license-expression", "license", "license-text", "classifier", "license-file"] | None = None
    """Where `license` was read: the License-Expression field, a one-line License field, a license name recognised
    in a License field holding the whole text, the license classifier, or the License-File shipped in the wheel."""
    requires_python: str | None = Field(default=None, max_length=60)
    """The `Requires-Python` specifier."""
    python_versions: list[str] = []
    """Python versions named in the trove classifiers (may lag behind `requires_python`)."""
    repository: str | None = Field(default=None, pattern=URL.pattern)
    """Source repository, from `Project-URL`."""
    direct_dependencies: int = Field(ge=0)
    """`Requires-Dist` entries that are not behind an extra."""
    transitive_dependencies: int | None = Field(default=None, ge=0)
    """Other distributions pip installs with it (resolved for `resolved_for`)."""
    installed_size_kb: int | None = Field(default=None, ge=0)
    """KiB under site-packages after installing it with its dependencies into an empty venv, without bytecode."""
    checked: str = Field(pattern=DATE)
    """Day the metadata was read."""
    resolved_for: str | None = Field(default=None, max_length=60)
    """Interpreter and platform the dependency closure was resolved for."""
    install_problem: str | None = Field(default=None, max_length=300)
    """What pip said when it could not resolve the dependencies at refresh time (absent when it could)."""

    @model_validator(mode="after")
    def _date_or_month(self) -> PackageFacts:
        if self.release_date and self.release_month:
            raise ValueError("give release_date or the release_month fallback, not both")
        if (self.license is None) != (self.license_source is None):
            raise ValueError("license and license_source go together")
        return self


class Features(Strict):
    """What the library itself offers (first-class API, not something you build on top). Facts, with sources."""

    sync: bool
    """Blocking calls."""
    async_: bool = Field(alias="async")
    """`asyncio` calls (`await`)."""
    streaming: bool
    """Incremental output (tokens or events) as the model produces it."""
    tools: bool
    """Tool / function calling: declaring tools and receiving the model's calls in a typed form."""
    structured_output: bool
    """Output parsed into a declared schema (JSON Schema, pydantic model, grammar or similar)."""
    vision: bool
    """Image input in a request."""
    notes: str | None = Field(default=None, max_length=500)
    """Plain-text qualifications of the flags above."""
    sources: dict[str, str]
    """Feature name -> URL documenting it. Every feature set to true must be backed."""

    @model_validator(mode="after")
    def _true_features_are_backed(self) -> Features:
        unknown = sorted(set(self.sources) - set(FEATURES))
        if unknown:
            raise ValueError(f"sources names unknown features {unknown}; allowed: {list(FEATURES)}")
        missing = [f for f in FEATURES if self.flag(f) and f not in self.sources]
        if missing:
            raise ValueError(f"sources must back every feature that is true; missing {missing}")
        bad = sorted(k for k, url in self.sources.items() if not URL.match(url))
        if bad:
            raise ValueError(f"sources {bad} are not http(s) URLs")
        return self

    def flag(self, feature: str) -> bool:
        return bool(getattr(self, "async_" if feature == "async" else feature))


class Coverage(Strict):
    """Which of our providers (`catalog/providers/<id>.toml`) the library reaches. Facts, with sources."""

    native: list[str] = []
    """Provider ids with first-party support: in the package, in an add-on package the same project publishes
    (e.g. `langchain-anthropic`), or through a client library it depends on (e.g. DSPy through LiteLLM)."""
    openai_compatible: bool
    """It can point its OpenAI-dialect client at any base URL, so it reaches every provider whose `api_kind`
    is `openai`."""
    raw_http: bool = False
    """A general HTTP client: it reaches any provider's HTTP API with requests written by hand (not those that
    need request signing, such as AWS SigV4)."""
    notes: str | None = Field(default=None, max_length=500)
    """Plain-text qualifications (extras to install, plugins)."""
    sources: dict[str, str] = {}
    """`native` / `openai_compatible` / `raw_http` -> URL backing it. Each of them that is set must be backed."""

    @model_validator(mode="after")
    def _backed(self) -> Coverage:
        unknown = sorted(set(self.sources) - COVERAGE_FACTS)
        if unknown:
            raise ValueError(f"sources names unknown facts {unknown}; allowed: {sorted(COVERAGE_FACTS)}")
        set_facts = {"native": bool(self.native), "openai_compatible": self.openai_compatible,
                     "raw_http": self.raw_http}
        missing = sorted(k for k, on in set_facts.items() if on and k not in self.sources)
        if missing:
            raise ValueError(f"sources must back {missing}")
        bad = sorted(k for k, url in self.sources.items() if not URL.match(url))
        if bad:
            raise ValueError(f"sources {bad} are not http(s) URLs")
        duplicates = sorted({p for p in self.native if self.native.count(p) > 1})
        if duplicates:
            raise ValueError(f"native lists {duplicates} more than once")
        return self


class Judgement(Strict):
    """OUR judgement, not a fact: ratings, pros, cons, best uses and a minimal working example."""

    ratings: LibraryRatings
    """Ours: ratings on the five criteria."""
    pros: list[str] = Field(min_length=1, max_length=6)
    """Ours: strengths, one short sentence each."""
    cons: list[str] = Field(min_length=1, max_length=6)
    """Ours: weaknesses, one short sentence each."""
    best_for: list[UseCase] = []
    """Ours: the use cases we would pick it for, from a closed vocabulary (empty for tools that make no calls)."""
    example: str = Field(min_length=20, max_length=2000)
    """A minimal working Python snippet. It must compile and import the library's `import_name`. Tests never
    run it (it calls an API)."""

    @field_validator("pros", "cons")
    @classmethod
    def _short_lines(cls, value: list[str]) -> list[str]:
        long = [item for item in value if not item.strip() or len(item) > 200 or "\n" in item]
        if long:
            raise ValueError(f"each entry must be one non-empty line of at most 200 characters: {long[:1]}")
        return value

    @field_validator("best_for")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("best_for lists a use case more than once")
        return value


class LibrarySpec(Strict):
    """One Python LLM library, as authored in `catalog/libraries/<id>.toml`. The file name is the id."""

    name: str = Field(min_length=1, max_length=60)
    """Display name."""
    category: Category
    """Raw HTTP client, a provider's official SDK, unified client or gateway SDK, application framework,
    structured-output / generation-control library, or a tool."""
    summary: str = Field(min_length=10, max_length=200)
    """One plain-text line saying what it is (fact)."""
    import_name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
    """The module you import (e.g. `google.genai` for the `google-genai` package)."""
    homepage: str = Field(pattern=URL.pattern)
    """Documentation home page."""
    repository: str = Field(pattern=URL.pattern)
    """Source repository. Must agree with `package.repository` when the metadata names one."""
    install: list[Requirement] = []
    """pip requirements that make the example run, when the bare PyPI name is not enough (e.g. an extra such as
    `outlines[openai]`, or an integration package). Empty means `pip install <package.pypi>`."""
    package: PackageFacts
    """Facts from PyPI metadata (written by the refresh script)."""
    features: Features
    """Feature flags (facts, with sources)."""
    coverage: Coverage
    """Provider coverage (facts, with sources)."""
    judgement: Judgement
    """Our judgement."""

    @model_validator(mode="after")
    def _example_imports_the_library(self) -> LibrarySpec:
        problem = example_problem(self.judgement.example, self.import_name)
        if problem:
            raise ValueError(f"judgement.example: {problem}")
        return self

    @model_validator(mode="after")
    def _repository_matches_metadata(self) -> LibrarySpec:
        found = self.package.repository
        if found and _same_repo(found) != _same_repo(self.repository):
            raise ValueError(f"repository {self.repository!r} differs from the PyPI metadata's {found!r}")
        return self


def _same_repo(url: str) -> str:
    return url.lower().rstrip("/").removesuffix(".git").replace("http://", "https://")


def example_imports(source: str) -> set[str]:
    """Every module an example imports (dotted names as written, plus `package.name` for `from package import name`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)  # `from google import genai` also imports the module `google.genai`
            found.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def example_problem(source: str, import_name: str) -> str | None:
    """Why an example is unusable (does not compile, or never imports `import_name`), else None."""
    try:
        compile(source, "<example>", "exec")
    except SyntaxError as exc:
        return f"does not compile: {exc.msg} (line {exc.lineno})"
    imported = example_imports(source)
    if not any(m == import_name or m.startswith(import_name + ".") for m in imported):
        return f"never imports {import_name!r} (imports {sorted(imported)})"
    return None


def load_library_specs(directory: Path, providers: set[str]) -> tuple[dict[str, LibrarySpec], list[Problem]]:
    """Load every `<id>.toml` below `directory`; collect all problems instead of stopping at the first.

    Provider ids in `coverage.native` must be ids of `providers`.
    """
    specs: dict[str, LibrarySpec] = {}
    problems: list[Problem] = []
    pypi_seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
        lid = path.stem
        where = f"catalog/libraries/{path.name}"

        def reject(field: str, reason: str, where: str = where, lid: str = lid) -> None:
            problems.append(Problem(where, lid, field, reason, Severity.REJECTED))

        if not LIBRARY_ID.match(lid):
            reject("$", "file name must be a library id: [a-z0-9-]")
            continue
        try:
            raw = read_toml(path)
        except UnreadableSource as exc:
            reject("$", str(exc))
            continue
        native = (raw.get("coverage") or {}).get("native") if isinstance(raw.get("coverage"), dict) else None
        for index, pid in enumerate(native if isinstance(native, list) else ()):
            if isinstance(pid, str) and pid not in providers:
                close = difflib.get_close_matches(pid, sorted(providers), n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                reject(f"coverage.native[{index}]", f"unknown provider id {pid!r}{hint}")
        spec, found = validate_authored(path, raw, LibrarySpec, where, lid)
        if spec is None:
            problems.extend(found)
            continue
        owner = pypi_seen.setdefault(spec.package.pypi.lower(), lid)
        if owner != lid:
            reject("package.pypi", f"PyPI project {spec.package.pypi!r} is already described by {owner}")
        if any(p.file == where for p in problems):
            continue
        specs[lid] = spec
    return specs, problems


def compatibility(spec: LibrarySpec, providers: dict[str, ProviderSpec]) -> dict[str, Reach]:
    """Provider id -> how the library reaches it: `native`, else `openai-compatible` (api_kind openai and the
    library takes a base URL), else `http` (a general HTTP client). Providers it cannot reach are left out."""
    reach: dict[str, Reach] = {}
    for pid in sorted(providers):
        provider = providers[pid]
        if pid in spec.coverage.native:
            reach[pid] = "native"
        elif spec.coverage.openai_compatible and provider.api_kind == "openai":
            reach[pid] = "openai-compatible"
        elif spec.coverage.raw_http and provider.auth.header not in RAW_HTTP_EXCLUDED_AUTH:
            reach[pid] = "http"
    return reach


def compatibility_matrix(specs: dict[str, LibrarySpec], providers: dict[str, ProviderSpec]
                         ) -> dict[str, dict[str, Reach]]:
    """Library id -> provider id -> reach, for every library (sorted)."""
    return {lid: compatibility(specs[lid], providers) for lid in sorted(specs)}


def to_record(lid: str, spec: LibrarySpec, providers: dict[str, ProviderSpec]) -> Library:
    judgement = spec.judgement
    return Library(
        id=lid,
        name=spec.name,
        category=spec.category,
        summary=spec.summary,
        import_name=spec.import_name,
        homepage=spec.homepage,
        repository=spec.repository,
        install=tuple(spec.install or [spec.package.pypi]),
        package=LibraryPackage(**spec.package.model_dump()),
        features={f: spec.features.flag(f) for f in FEATURES},
        feature_notes=spec.features.notes,
        feature_sources=dict(spec.features.sources),
        coverage=LibraryCoverage(
            native=tuple(sorted(spec.coverage.native)), openai_compatible=spec.coverage.openai_compatible,
            raw_http=spec.coverage.raw_http, notes=spec.coverage.notes, sources=dict(spec.coverage.sources),
        ),
        compatibility=compatibility(spec, providers),
        judgement=LibraryJudgement(
            ratings=judgement.ratings, pros=tuple(judgement.pros),
            cons=tuple(judgement.cons), best_for=tuple(judgement.best_for), example=judgement.example,
        ),
    )


def load_libraries(directory: Path, providers: dict[str, ProviderSpec]) -> tuple[Library, ...]:
    """The bundle's library records, sorted by id. Raises BuildError listing every problem in every file."""
    specs, problems = load_library_specs(directory, set(providers))
    if problems:
        raise BuildError(problems)
    return tuple(to_record(lid, specs[lid], providers) for lid in sorted(specs))


def library_spec_schema() -> dict[str, object]:
    """JSON Schema for editor completion of library files."""
    schema = LibrarySpec.model_json_schema()
    schema["title"] = "Knollm library file (catalog/libraries/<id>.toml)"
    return schema
