"""Refresh the `[package]` table of `catalog/libraries/<id>.toml` from the packages' real PyPI metadata.

Run at data-refresh time, never by the build (the build reads only the committed TOML):

    .venv/bin/python scripts/refresh_libraries.py                 # every library file
    .venv/bin/python scripts/refresh_libraries.py httpx openai    # some of them
    .venv/bin/python scripts/refresh_libraries.py --sizes         # also measure installed sizes (slow)

Everything comes from pip, the ordinary PyPI client, run by this interpreter (`python -m pip`, pip >= 25.3):

* `pip install --dry-run --ignore-installed --no-deps --report` on the bare name: the latest version this
  interpreter can install, and that version's core metadata (the wheel's METADATA): Requires-Python, the
  Python classifiers, Project-URL, Requires-Dist, and the license, first found of: License-Expression; a
  one-line License; a license name recognised at the start of a License field holding the whole text; the
  license classifier; a license recognised in the License-File shipped in the wheel (`pip download --no-deps`).
* the same with dependencies: the resolved transitive closure (for this interpreter and platform). When pip
  cannot resolve it, its complaint is kept as `install_problem`.
* the release date: the package index reports each file's upload time, which pip exposes only as the
  `--uploaded-prior-to` filter, so the date is found by bisection over days ("installable when only files
  uploaded before D count?"). It is the UTC day of the first upload of a file of that version that this
  platform can use (a wheel for it, or the sdist).
* with `--sizes`: `NAME==VERSION` and its dependencies are installed into a throw-away virtualenv
  (`--no-compile`) and the files under its site-packages are summed.
* with `--check-examples` (no metadata is written): each library's example goes into a throw-away virtualenv
  holding the library's latest release; its import statements run there, and mypy checks the whole snippet
  (following untyped packages). The example itself never runs: it would call an API.

pip's own configuration files and a local find-links directory are left out (`PIP_CONFIG_FILE=/dev/null`), so
every answer comes from the package index, which is what reports upload times.

Only the `[package]` table is rewritten; the hand-authored tables are left byte for byte as they were.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LIBRARIES = REPO / "catalog" / "libraries"
EARLIEST = dt.date(2005, 1, 1)
CODE_HOSTS = ("github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "git.sr.ht")
REPO_LABELS = ("repository", "source", "source code", "code", "github", "homepage", "home")
CLASSIFIER_LICENSES = {
    "MIT License": "MIT",
    "Apache Software License": "Apache-2.0",
    "BSD License": "BSD",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
}


class RefreshError(Exception):
    """pip said no, or the metadata has no usable value."""


def pip_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def pip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=pip_env(),
                            timeout=900)
    if check and result.returncode != 0:
        raise RefreshError(f"pip {' '.join(args)} failed: {result.stderr.strip().splitlines()[-1:]}")
    return result


def dry_run(requirement: str, *, deps: bool, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The `install` list of pip's installation report for `requirement`."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = ["install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report)]
        pip(*args, *(() if deps else ("--no-deps",)), *extra, requirement)
        return json.loads(report.read_text(encoding="utf-8"))["install"]


def installable_before(requirement: str, day: dt.date) -> bool:
    stamp = f"{day.isoformat()}T00:00:00Z"
    args = ("install", "--dry-run", "--ignore-installed", "--quiet", "--no-deps", "--uploaded-prior-to", stamp)
    return pip(*args, requirement, check=False).returncode == 0


def release_date(name: str, version: str) -> str | None:
    """The UTC day the first usable file of `name==version` was uploaded, by bisection; None if not found."""
    requirement = f"{name}=={version}"
    low, high = EARLIEST, dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    if not installable_before(requirement, high) or installable_before(requirement, low):
        return None
    while (high - low).days > 1:  # invariant: not installable before `low`, installable before `high`
        middle = low + (high - low) / 2
        if installable_before(requirement, middle):
            high = middle
        else:
            low = middle
    return low.isoformat()


LICENSE_TEXTS = (
    (re.compile(r"^MIT License\b|Permission is hereby granted, free of charge", re.I), "MIT"),
    (re.compile(r"Apache License,? Version 2\.0", re.I), "Apache-2.0"),
    (re.compile(r"^BSD 3-Clause License\b", re.I), "BSD-3-Clause"),
)


def license_from_text(text: str) -> str | None:
    """An SPDX id recognised in the opening of a license text, or None."""
    opening = " ".join(text.split())[:300]
    return next((spdx for pattern, spdx in LICENSE_TEXTS if pattern.search(opening)), None)


def license_of(meta: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    if expression := meta.get("license_expression"):
        return expression.strip(), "license-expression"
    text = (meta.get("license") or "").strip()
    if text and "\n" not in text and len(text) <= 60:
        return CLASSIFIER_LICENSES.get(text, text), "license"
    if text and (recognised := license_from_text(text)):
        return recognised, "license-text"
    for classifier in meta.get("classifier") or ():
        if classifier.startswith("License :: OSI Approved :: "):
            label = classifier.rsplit(" :: ", 1)[1]
            return CLASSIFIER_LICENSES.get(label, label), "classifier"
    if meta.get("license_file") and (recognised := license_in_wheel(name, meta["version"], meta["license_file"])):
        return recognised, "license-file"
    return None, None


def license_in_wheel(name: str, version: str, files: list[str]) -> str | None:
    """Download the wheel (`pip download --no-deps`) and recognise the license file it ships."""
    with tempfile.TemporaryDirectory() as tmp:
        pip("download", "--no-deps", "--only-binary=:all:", "--quiet", "--dest", tmp, f"{name}=={version}")
        names = {Path(f).name for f in files}
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    parts = member.split("/")
                    if len(parts) >= 2 and parts[0].endswith(".dist-info") and parts[-1] in names:
                        found = license_from_text(archive.read(member).decode("utf-8", "replace"))
                        if found:
                            return found
    return None


def python_versions(meta: dict[str, Any]) -> list[str]:
    found = set()
    for classifier in meta.get("classifier") or ():
        if match := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", classifier):
            found.add(match.group(1))
    return sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))


def repository(meta: dict[str, Any]) -> str | None:
    urls: list[tuple[str, str]] = []
    for entry in meta.get("project_url") or ():
        label, _, url = entry.partition(",")
        urls.append((label.strip().lower(), url.strip()))
    if home := meta.get("home_page"):
        urls.append(("home", home.strip()))
    hosted = [(label, url) for label, url in urls if any(h in url for h in CODE_HOSTS)]
    for wanted in REPO_LABELS:
        for label, url in hosted:
            if label == wanted:
                return normalise_repo(url)
    return normalise_repo(hosted[0][1]) if hosted else None


def normalise_repo(url: str) -> str:
    url = url.rstrip("/").removesuffix(".git")
    match = re.match(r"(https?://(?:github\.com|gitlab\.com|codeberg\.org)/[^/]+/[^/#?]+)", url)
    return (match.group(1) if match else url).replace("http://", "https://")


def direct_dependencies(meta: dict[str, Any]) -> int:
    return sum(1 for req in meta.get("requires_dist") or () if "extra ==" not in req.replace("extra==", "extra =="))


def installed_size_kb(requirement: str) -> tuple[int, int]:
    """Install into a throw-away virtualenv without pip; return (KiB under site-packages, distributions)."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
        python = venv / "bin" / "python"
        pip("--python", str(python), "install", "--quiet", "--no-compile", requirement)
        site = next(venv.glob("lib/python*/site-packages"))
        total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and not p.is_symlink())
        dists = len(list(site.glob("*.dist-info")))
        return round(total / 1024), dists


def check_example(path: Path) -> str:
    """Import and type-check one library's example against the latest release, in a throw-away virtualenv."""
    import ast

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    name, example = data["package"]["pypi"], data["judgement"]["example"]
    requirements = data.get("install") or [name]
    imports = "\n".join(ast.unparse(node) for node in ast.parse(example).body
                        if isinstance(node, ast.Import | ast.ImportFrom))
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
        python = str(venv / "bin" / "python")
        pip("--python", python, "install", "--quiet", *requirements, "mypy")
        snippet = Path(tmp) / f"example_{path.stem.replace('-', '_')}.py"  # never shadows the package
        snippet.write_text(example, encoding="utf-8")
        ran = subprocess.run([python, "-c", imports], capture_output=True, text=True, cwd=tmp, timeout=300)
        typed = subprocess.run([python, "-m", "mypy", "--follow-untyped-imports", "--no-incremental",
                                "--cache-dir", os.devnull, snippet.name], capture_output=True, text=True, cwd=tmp,
                               timeout=600)
        version = subprocess.run([python, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                                 capture_output=True, text=True, timeout=60).stdout.strip()
    last = (ran.stderr.strip().splitlines() or ["?"])[-1]
    imported = "imports ok" if ran.returncode == 0 else f"imports FAIL: {last}"
    checked = "mypy ok" if typed.returncode == 0 else "mypy FAIL: " + " | ".join(
        line for line in typed.stdout.splitlines() if ": error:" in line)
    ok = ran.returncode == 0 and typed.returncode == 0
    status = "ok" if ok else "PROBLEM"
    return f"{path.stem}: {status}: {' '.join(requirements)} -> {name} {version}: {imported}; {checked}"


def facts(name: str, *, sizes: bool, today: str) -> dict[str, Any]:
    """The `[package]` table for PyPI project `name`."""
    (record,) = dry_run(name, deps=False)
    meta = record["metadata"]
    version = meta["version"]
    try:
        closure: list[dict[str, Any]] | None = dry_run(f"{name}=={version}", deps=True)
        install_problem = None
    except RefreshError as exc:  # e.g. a pinned dependency that is not on the index (yet)
        closure, install_problem = None, str(exc).rsplit("failed: ", 1)[-1].strip("[]'\"")[:200]
    license_name, license_source = license_of(meta, name)
    table: dict[str, Any] = {
        "pypi": name,
        "version": version,
        "release_date": release_date(name, version),
        "license": license_name,
        "license_source": license_source,
        "requires_python": (meta.get("requires_python") or "").replace(" ", "") or None,
        "python_versions": python_versions(meta),
        "repository": repository(meta),
        "direct_dependencies": direct_dependencies(meta),
        "transitive_dependencies": len(closure) - 1 if closure is not None else None,
        "installed_size_kb": None,
        "checked": today,
        "resolved_for": f"CPython {sys.version_info.major}.{sys.version_info.minor}, {sys.platform}",
        "install_problem": install_problem,
    }
    if sizes and closure is not None:
        table["installed_size_kb"], _ = installed_size_kb(f"{name}=={version}")
    return table


# -- rewriting only the [package] table --------------------------------------------------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def package_block(table: dict[str, Any]) -> str:
    lines = ["[package]", "# Written by scripts/refresh_libraries.py from PyPI metadata; do not edit by hand."]
    lines += [f"{key} = {toml_value(value)}" for key, value in table.items() if value is not None]
    return "\n".join(lines) + "\n"


def replace_package(text: str, block: str) -> str:
    """`text` with its `[package]` table (header to the next table header) replaced by `block`."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == "[package]"), None)
    if start is None:
        raise RefreshError("no [package] table")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep the blank line(s) before the next table
    return "".join(lines[:start]) + block + "".join(lines[end:])


def refresh(path: Path, *, sizes: bool, today: str) -> str:
    text = path.read_text(encoding="utf-8")
    current = tomllib.loads(text).get("package") or {}
    name = current.get("pypi")
    if not name:
        raise RefreshError("[package] has no `pypi` name")
    table = facts(name, sizes=sizes, today=today)
    if not sizes and current.get("installed_size_kb") and current.get("version") == table["version"]:
        table["installed_size_kb"] = current["installed_size_kb"]  # still true for the same version
    updated = replace_package(text, package_block(table))
    tomllib.loads(updated)  # never write a file that no longer parses
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return f"{path.stem}: {name} {table['version']} released {table['release_date'] or 'unknown'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="library ids (file names); default: all")
    parser.add_argument("--sizes", action="store_true", help="install each into a scratch venv to measure it")
    parser.add_argument("--dir", type=Path, default=LIBRARIES, help="library files (default: catalog/libraries)")
    parser.add_argument("--check-examples", action="store_true",
                        help="import and type-check each example against the latest release instead (writes nothing)")
    args = parser.parse_args(argv)
    paths = [args.dir / f"{i}.toml" for i in args.ids] if args.ids else sorted(args.dir.glob("*.toml"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    failures = 0
    for path in paths:
        try:
            if args.check_examples:
                line = check_example(path)
                failures += "PROBLEM" in line
                print(line, flush=True)
                continue
            print(refresh(path, sizes=args.sizes, today=today), flush=True)
        except (RefreshError, OSError, subprocess.SubprocessError, tomllib.TOMLDecodeError, ValueError) as exc:
            failures += 1
            print(f"{path.stem}: NOT refreshed: {exc}", file=sys.stderr, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
