"""The gate itself (issue 13): the type checker, warnings-as-errors, the coverage floor and the commit hooks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from makefile_recipes import recipe

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("runtime/knollm", "generator/knollm_compiler", "generator/knollm_site")
# An ignore names its error code and then says why: `# type: ignore[code]  # why`.
REASONED_IGNORE = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,[a-z-]+)*\]\s+#\s*\S")


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_mypy_is_strict_over_the_runtime_and_the_compiler() -> None:
    mypy = _pyproject()["tool"]["mypy"]
    assert mypy["strict"] is True
    assert set(mypy["files"]) == set(CHECKED)
    assert "ignore-without-code" in mypy["enable_error_code"]


def test_make_test_runs_ruff_then_mypy_then_the_suite_under_coverage() -> None:
    test_steps = recipe("test")
    steps = ("ruff check", "mypy", "coverage run -m pytest", "coverage report")
    lines = [next(i for i, line in enumerate(test_steps) if step in line) for step in steps]  # StopIteration: missing
    assert lines == sorted(lines), test_steps
    assert any("mypy" in line for line in recipe("typecheck"))


def test_warnings_are_errors_and_the_coverage_floor_is_set() -> None:
    tool = _pyproject()["tool"]
    assert tool["pytest"]["ini_options"]["filterwarnings"][0] == "error"
    assert tool["coverage"]["report"]["fail_under"] >= 80
    # the runtime and the compiler core; the site stage is checked by its page tests
    assert tool["coverage"]["run"]["source"] == ["runtime/knollm", "generator/knollm_compiler"]


def test_every_type_ignore_names_its_code_and_its_reason() -> None:
    bare = [f"{path.relative_to(ROOT)}:{n}" for folder in CHECKED for path in sorted((ROOT / folder).rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if "type: ignore" in line and not REASONED_IGNORE.search(line)]
    assert bare == []


def test_pre_commit_runs_ruff_and_mypy_locally() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing fetched at commit time
    assert hooks["ruff"]["entry"].startswith(".venv/bin/ruff")
    assert hooks["mypy"]["entry"].startswith(".venv/bin/mypy")


def test_the_runtime_ships_its_types() -> None:
    assert (ROOT / "runtime/knollm/py.typed").is_file()
