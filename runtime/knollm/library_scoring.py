"""How the library guide scores and explains a recommendation: per use case, the weighted mean of our ratings and
of two ratings derived from facts (`reach`, `lightness`), and the reasons that show the arithmetic."""

from __future__ import annotations

from .library_data import Library
from .vocab import LIBRARY_CRITERIA as CRITERIA

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


Part = tuple[str, int, int]
"""One term of a score: criterion name, its 1-5 value, its weight for the use case."""


def criteria_values(library: Library, dialects: int | None) -> dict[str, int | None]:
    """Every criterion the score can use: our five ratings plus `reach` (None when the API dialects are not
    known, `dialects` None) and `lightness` (None when the dependency count is unknown)."""
    ratings = library.judgement.ratings
    values: dict[str, int | None] = {c: getattr(ratings, c) for c in CRITERIA}
    values["reach"] = None if dialects is None else reach_rating(dialects)
    transitive = library.package.transitive_dependencies
    values["lightness"] = None if transitive is None else lightness_rating(transitive)
    return values


def score(values: dict[str, int | None], use_case: str) -> tuple[float, list[Part]]:
    """The weighted mean of the known criteria for `use_case` (rounded to 2 places), with its terms."""
    parts = [(name, value, weight) for name, weight in WEIGHTS[use_case].items()
             if (value := values.get(name)) is not None]
    total = sum(w for _, _, w in parts)
    return round(sum(v * w for _, v, w in parts) / total, 2), parts


def reasons(lib: Library, use_case: str, wanted: tuple[str, ...], provider: str | None, fit: bool,
            scored: tuple[float, list[Part]], dialects: int) -> tuple[str, ...]:
    """Why `lib` has its place: our pick or not, the needs it meets, the score's arithmetic, the facts behind
    `reach` and `lightness` when they counted."""
    value, parts = scored
    found = [f"our pick for {use_case}" if fit else
             f"not among our picks for {use_case}" + (
                 f" (we pick it for {', '.join(lib.judgement.best_for)})" if lib.judgement.best_for else "")]
    if wanted:
        found.append("offers " + ", ".join(wanted))
    if provider is not None:
        found.append(f"reaches {provider} ({lib.compatibility[provider]})")
    terms = " + ".join(f"{name} {weight_value}x{weight}" for name, weight_value, weight in parts)
    found.append(f"score {value:.2f} = ({terms}) / {sum(w for _, _, w in parts)}")
    names = {name for name, _, _ in parts}
    if "reach" in names:
        native = len(lib.providers("native"))
        found.append(f"reaches {len(lib.compatibility)} of our providers ({native} natively) across "
                     f"{dialects} API dialect{'' if dialects == 1 else 's'}")
    if "lightness" in names:
        pkg = lib.package
        size = f", {pkg.installed_size_kb / 1024:.0f} MB installed" if pkg.installed_size_kb is not None else ""
        found.append(f"{pkg.transitive_dependencies} dependencies installed with it{size}")
    return tuple(found)
