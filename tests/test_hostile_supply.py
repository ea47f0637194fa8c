"""Issue 12, defect 12 (supply chain): the lock file pins everything make build / make test install, with hashes;
the Makefile installs nothing else; the core runtime declares only what it imports.

The reproduction was: no lock file, dependencies mostly unpinned, an unpinned `pip install --upgrade pip`, and
`httpx` declared but never imported. The GitHub side (workflows, Dependabot) is checked in test_workflows.py.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "dev.txt"
sys.path.insert(0, str(ROOT / "tools"))

from lockfile import PROJECT, pins, strip_self  # noqa: E402

from makefile_recipes import recipe  # noqa: E402


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locked() -> dict[str, tuple[str, list[str]]]:
    return pins(LOCK.read_text(encoding="utf-8"))


def _dev_requirements() -> list[Requirement]:
    """Everything the dev extra asks for, the project's own extras it names expanded, plus the core dependencies
    and the build backend (the editable install uses the locked one)."""
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    found = [Requirement(line) for line in project["dependencies"]]
    found += [Requirement(line) for line in _pyproject()["build-system"]["requires"]]
    todo, seen = ["dev"], set()
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for req in map(Requirement, extras[extra]):
            if canonicalize_name(req.name) == PROJECT:
                todo += [e for e in req.extras if e not in seen]
            else:
                found.append(req)
    return found


def test_defect_12_every_dev_dependency_is_pinned_in_the_lock_with_hashes() -> None:
    locked = _locked()
    problems = []
    for req in _dev_requirements():
        name = canonicalize_name(req.name)
        if name not in locked:
            problems.append(f"{req} is not in the lock")
            continue
        version, hashes = locked[name]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req}: the lock pins {version}")
        if not hashes:
            problems.append(f"{name}=={version} has no hash")
    assert problems == [], "run `make lock`: " + "; ".join(problems)
    assert {"hypothesis", "pyyaml", "pip-tools", "pip-audit", "build", "hatchling", "httpx"} <= set(locked)


def _applies(req: Requirement, extras: frozenset[str]) -> bool:
    return req.marker is None or any(req.marker.evaluate({"extra": extra}) for extra in extras | {""})


def test_defect_12_the_lock_is_closed_no_pin_missing() -> None:
    """Every package the locked packages need (their installed metadata, markers evaluated here) is pinned too,
    and the virtualenv holds exactly the locked versions: `pip install --no-deps` resolves nothing itself."""
    locked = _locked()
    todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in _dev_requirements() if _applies(r, frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    missing, drifted = [], []
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        if name not in locked:
            missing.append(name)
            continue
        dist = importlib.metadata.distribution(name)
        if dist.version != locked[name][0]:
            drifted.append(f"{name} {dist.version} installed, {locked[name][0]} locked")
        for req in map(Requirement, dist.requires or []):
            if _applies(req, extras):
                todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    assert missing == [], f"needed but not pinned (run `make lock`): {sorted(set(missing))}"
    assert drifted == [], f"the virtualenv is not the lock (run make): {drifted}"


def test_defect_12_every_lock_entry_is_an_exact_pin_with_hashes() -> None:
    text = LOCK.read_text(encoding="utf-8")
    locked = pins(text)
    assert all(hashes for _, hashes in locked.values())
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for _, hashes in locked.values() for h in hashes)
    entries = [line for line in text.splitlines() if line.strip() and not line.startswith((" ", "#"))]
    assert all(re.match(r"[a-z0-9][a-z0-9._-]*==\S+ \\$", line) for line in entries), entries
    # pip itself is pinned (pip-compile --allow-unsafe); no machine's index, mirror or wheel folder is recorded.
    assert "pip" in locked and "setuptools" in locked
    for leak in ("--index-url", "--extra-index-url", "--find-links", "file://", " @ ", "-e "):
        assert leak not in text, leak
    assert "with Python 3.11" in text and "make lock" in text


def test_defect_12_make_installs_only_the_lock_and_never_upgrades_pip_unpinned() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = [line for line in recipe("$(STAMP)", makefile) if "pip install" in line]
    assert install == [
        "$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)",
        "$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .",
    ]
    assert "LOCK := requirements/dev.txt" in makefile
    assert re.search(r"^\$\(STAMP\): pyproject\.toml \$\(LOCK\)$", makefile, re.M)
    # No other install anywhere: not in another target, not in CI's entry point; no --upgrade at all.
    assert makefile.count("pip install") == 2 and "--upgrade pip" not in makefile
    assert "pip install" not in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lock = " ".join(recipe("lock", makefile))
    assert "pip-compile" in lock and "--generate-hashes" in lock and "--allow-unsafe" in lock
    assert "$(LOCK_ENV)" in lock and "--no-emit-find-links" in lock and "tools/lockfile.py strip-self" in lock
    assert re.search(r"^lock: .*## ", makefile, re.M) and re.search(r"^audit: .*## ", makefile, re.M)
    audit = " ".join(recipe("audit", makefile))
    assert "pip-audit" in audit and "--require-hashes" in audit and "--strict" in audit and "$(LOCK)" in audit


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    absolute = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and not node.level]
    names |= {node.module for node in absolute if node.module}
    return {name.split(".")[0] for name in names}


CLIENT_PACKAGES = ("client", "config", "testing", "cache", "multi", "analytics")
"""Runtime subpackages of the `client` extra: imported only when a `knollm.Client` is made (or a test server, or
`knollm usage|benchmark|cache|compare` runs)."""


def test_defect_12_httpx_is_declared_only_by_the_client_extra() -> None:
    project = _pyproject()["project"]
    core = {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}
    client = {canonicalize_name(Requirement(line).name) for line in project["optional-dependencies"]["client"]}
    assert "httpx" not in core and "httpx" in client
    runtime = ROOT / "runtime" / "knollm"
    in_client = [p for p in runtime.rglob("*.py") if p.relative_to(runtime).parts[0] in CLIENT_PACKAGES]
    outside = [p for p in runtime.rglob("*.py") if p not in in_client]

    def third_party(paths: list[Path]) -> set[str]:
        names = set().union(*(_imports(p) for p in paths)) if paths else set()
        return {n for n in names if n not in sys.stdlib_module_names and n != "knollm"}

    # The core runtime declares exactly what it imports from outside the standard library.
    assert third_party(outside) - {"tiktoken"} == core  # tiktoken: the optional `tokens` extra, imported lazily
    # The client's packages import only core and client dependencies (pyyaml is imported as `yaml`; pydantic_core
    # is pydantic's own, pinned by it).
    provided_by = {"yaml": "pyyaml", "pydantic_core": "pydantic"}
    imported = {provided_by.get(n, n) for n in third_party(in_client)}
    assert imported <= core | client, imported - core - client
    assert [p.name for p in (ROOT / "generator").rglob("*.py") if "httpx" in _imports(p)] == []


SAMPLE = """\
#
#    make lock
#
anyio==4.16.0 \\
    --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    # via httpx
# WARNING: pip install will require the following package to be hashed.
# Consider using a hashable URL like https://github.com/jazzband/pip-tools/archive/SOMECOMMIT.zip
claif-knollm @ file:///home/someone/knollm
    # via claif-knollm (pyproject.toml)
click==8.5.1 \\
    --hash=sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \\
    --hash=sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
    # via
    #   claif-knollm (pyproject.toml)
"""


def test_defect_12_make_lock_drops_the_machine_specific_self_entry() -> None:
    stripped = strip_self(SAMPLE)
    assert "file://" not in stripped and "WARNING" not in stripped
    assert "#   claif-knollm (pyproject.toml)" in stripped  # `# via` notes of other packages stay
    assert pins(stripped) == {"anyio": ("4.16.0", ["a" * 64]), "click": ("8.5.1", ["b" * 64, "c" * 64])}
    assert strip_self(stripped) == stripped
