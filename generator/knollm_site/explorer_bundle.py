"""The explorer's modules as one module file, written at site build: a page then fetches and evaluates one
script instead of fourteen, so its first rows come sooner (bench/bench_explorer.py measures it).

The sources keep to plain `import { a, b as c } from "./x.js";` imports (as all of assets/explorer/ does).
Each module becomes a function scope returning its exports, called once in dependency order; an import becomes
a destructuring of the module it names, so top-level names never clash. Exports are read once, after the module
ran: the modules export functions, classes and constants, never a binding they reassign later
(live bindings are not kept)."""

from __future__ import annotations

import re
from pathlib import Path

BUNDLE_NAME = "explorer.bundle.js"
"""The published file name, beside the modules (assets/explorer/)."""

_IMPORT = re.compile(r'^import \{([^}]*)\} from "\./([\w-]+)\.js";[ \t]*$', re.MULTILINE)
_ANY_IMPORT = re.compile(r"^\s*import\b[^(]", re.MULTILINE)
_DECLARED = re.compile(r"^export (?:async function\*?|function\*?|class|const|let) +([\w$]+)", re.MULTILINE)
_EXPORT_LIST = re.compile(r"^export \{([^}]*)\};?[ \t]*$", re.MULTILINE)


class BundleError(ValueError):
    """A module the bundler cannot take as it is: a cycle, a missing file or an import form it does not know."""


def bundle_source(folder: Path, entry: str = "explorer.js") -> str:
    """The module `entry` of `folder` with every module it imports, directly or not, as one module's text."""
    order = _dependency_order(folder, entry)
    parts = ["// Generated at site build from assets/explorer/ (knollm_site.explorer_bundle): do not edit.\n"]
    for name in order:
        body, exported = _module_body(folder, name)
        parts.append(f"const {_scope(name)} = (() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();\n")
    return "".join(parts)


def _scope(name: str) -> str:
    return "__kx_" + re.sub(r"\W", "_", name.removesuffix(".js"))


def _imports(text: str) -> list[tuple[str, str]]:
    """(names, module file) of each `import { ... } from "./x.js";`; any other import form is an error."""
    found = [(names, f"{module}.js") for names, module in _IMPORT.findall(text)]
    if len(_ANY_IMPORT.findall(text)) != len(found):
        raise BundleError("only `import { names } from \"./module.js\";` imports can be bundled")
    return found


def _dependency_order(folder: Path, entry: str) -> list[str]:
    """Every module reachable from `entry`, each after the modules it imports (depth first)."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise BundleError(f"import cycle through {name}")
        path = folder / name
        if not path.is_file():
            raise BundleError(f"missing module {name}")
        visiting.add(name)
        for _, module in _imports(path.read_text(encoding="utf-8")):
            visit(module)
        visiting.discard(name)
        order.append(name)

    visit(entry)
    return order


def _module_body(folder: Path, name: str) -> tuple[str, list[str]]:
    """The module's text with imports as destructurings and `export` keywords dropped; and its exported names."""
    text = (folder / name).read_text(encoding="utf-8")
    exported = _DECLARED.findall(text)
    for names in _EXPORT_LIST.findall(text):
        exported += [_renamed(item, reverse=True) for item in names.split(",") if item.strip()]

    def as_destructuring(match: re.Match[str]) -> str:
        names = ", ".join(_renamed(item) for item in match.group(1).split(",") if item.strip())
        return f"const {{ {names} }} = {_scope(match.group(2) + '.js')};"

    text = _IMPORT.sub(as_destructuring, text)
    text = _EXPORT_LIST.sub("", text)
    text = re.sub(r"^export (?=async |function|class |const |let )", "", text, flags=re.MULTILINE)
    return text, exported


def _renamed(item: str, reverse: bool = False) -> str:
    """`a as b` -> `a: b` (an import's destructuring) or, reversed, `b: a` (an export list's entry)."""
    parts = item.split()
    if len(parts) == 3 and parts[1] == "as":
        return f"{parts[2]}: {parts[0]}" if reverse else f"{parts[0]}: {parts[2]}"
    return parts[0]
