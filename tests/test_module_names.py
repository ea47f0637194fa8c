"""No module name appears twice across the runtime, the compiler and the site stage.

A reader who meets `records.py` or `libraries.py` in a traceback or a review must know which layer it is from
its name alone, so the top-level modules of `knollm`, `knollm_compiler` and `knollm_site` have distinct names
(the runtime keeps the public names; the compiler's and the site's copies say what they do, e.g.
`bundle_writer.py`, `library_pages.py`). Modules inside a subpackage (`knollm.client.errors`) are read with their
package's name and are not counted against the top level.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = (REPO / "runtime" / "knollm", REPO / "generator" / "knollm_compiler", REPO / "generator" / "knollm_site")


def top_level_modules(package: Path) -> set[str]:
    """The module names directly in `package` (`foo.py` files and subpackages), without `__init__`/`__main__`."""
    names = {path.stem for path in package.glob("*.py") if not path.stem.startswith("__")}
    names |= {path.name for path in package.iterdir() if (path / "__init__.py").is_file()}
    return names


def shared_names(packages: tuple[Path, ...]) -> dict[str, list[str]]:
    """Each module name found in more than one package, with the packages that hold it."""
    holders: dict[str, list[str]] = defaultdict(list)
    for package in packages:
        for name in top_level_modules(package):
            holders[name].append(package.name)
    return {name: sorted(where) for name, where in sorted(holders.items()) if len(where) > 1}


def test_no_module_name_is_shared_between_the_layers() -> None:
    shared = shared_names(PACKAGES)
    listed = ", ".join(f"{name} in {' and '.join(where)}" for name, where in shared.items())
    assert not shared, f"module names used in more than one package (rename the compiler's or site's copy): {listed}"


def test_the_check_sees_a_shared_name(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for package in (first, second):
        (package / "sub").mkdir(parents=True)
        (package / "sub" / "__init__.py").write_text("", encoding="utf-8")
        (package / "__init__.py").write_text("", encoding="utf-8")
    (first / "records.py").write_text("", encoding="utf-8")
    (second / "records.py").write_text("", encoding="utf-8")
    (second / "own.py").write_text("", encoding="utf-8")
    assert shared_names((first, second)) == {"records": ["one", "two"], "sub": ["one", "two"]}
