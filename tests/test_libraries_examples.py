"""Every library's example snippet compiles, imports the library under its recorded import name, and, where the
library is installed here, its import statements run. Snippets are never executed: they would call an API.

The full check (imports run, and mypy, against the latest release of each library in its own virtualenv) needs
the network: `scripts/refresh_libraries.py --check-examples` does it at data-refresh time."""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

from knollm_compiler.library_sources import example_imports, example_problem

LIBRARIES = Path(__file__).resolve().parents[1] / "catalog" / "libraries"
FILES = sorted(LIBRARIES.glob("*.toml"))
SHARED = {"pydantic", "openai"}  # other imports an example may use: pydantic models, an OpenAI client (outlines)


def _load(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_compiles_and_imports_the_library(path: Path) -> None:
    data = _load(path)
    example, import_name = data["judgement"]["example"], data["import_name"]
    assert example_problem(example, import_name) is None
    compile(example, f"<{path.stem} example>", "exec", dont_inherit=True)
    tops = {name.split(".")[0] for name in example_imports(example)}
    foreign = tops - set(sys.stdlib_module_names) - {import_name.split(".")[0]} - SHARED
    assert not foreign, f"{path.stem}: example imports {sorted(foreign)}, which is not the library"


def _needed(path: Path) -> set[str]:
    return {name.split(".")[0] for name in example_imports(_load(path)["judgement"]["example"])} - set(
        sys.stdlib_module_names)


INSTALLED = [p for p in FILES if all(_installed(m) for m in _needed(p))]
"""Libraries whose example's imports can run here (httpx at least: it is a Knollm dependency)."""


@pytest.mark.parametrize("path", INSTALLED, ids=[p.stem for p in INSTALLED])
def test_example_imports_run_where_the_library_is_installed(path: Path) -> None:
    data = _load(path)
    example, import_name = data["judgement"]["example"], data["import_name"]
    imports = [node for node in ast.parse(example).body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert imports, "an example starts with its imports"
    namespace: dict[str, object] = {}
    exec(compile(ast.Module(body=imports, type_ignores=[]), f"<{path.stem} imports>", "exec"), namespace)
    assert any(name in namespace for name in (import_name.split(".")[0], *_imported_names(imports)))


def _imported_names(imports: list[ast.stmt]) -> list[str]:
    names = []
    for node in imports:
        for alias in node.names:  # type: ignore[attr-defined]
            names.append(alias.asname or alias.name.split(".")[0])
    return names


def test_at_least_one_example_is_import_checked_here() -> None:
    """httpx is a runtime dependency of Knollm, so its example's imports always run in this suite; the others run
    where installed, and every one is checked in its own virtualenv by `refresh_libraries.py --check-examples`."""
    assert "httpx" in {p.stem for p in INSTALLED}
