"""The lock file (requirements/dev.txt): read its pins and drop the project's own entry after `make lock`.

    python tools/lockfile.py strip-self requirements/dev.txt

pip-compile resolves the `dev` extra of pyproject.toml, which names the project itself (`claif-knollm[build,...]`),
so its output pins `claif-knollm @ file:///<absolute checkout path>`: a line that differs per machine and that pip
refuses under `--require-hashes` (a directory has no hash). The Makefile installs the project separately
(`pip install --no-deps -e .`), so the entry is removed here; everything else is pip-compile's output verbatim.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROJECT = "claif-knollm"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})\b")
_NOTE = ("# WARNING: pip install will require the following package to be hashed.", "# Consider using a hashable URL")


def canonical(name: str) -> str:
    """PEP 503 name: case and runs of `-_.` do not distinguish packages."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, tuple[str, list[str]]]:
    """Package (canonical name) -> (exact version, sha256 hashes) for every `name==version` entry of a lock."""
    found: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            current = canonical(match.group(1))
            found[current] = (match.group(2), [])
        elif not line.startswith((" ", "\t")):
            current = None  # a comment or another kind of entry ends the previous pin's continuation lines
        if current is not None:
            found[current][1].extend(_HASH.findall(line))
    return found


def strip_self(text: str, project: str = PROJECT) -> str:
    """The lock without pip-compile's entry for the project itself (its warning, its line, its `# via` lines)."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.startswith(_NOTE):
            continue
        if canonical(line.split("@")[0].strip()) == project and " @ " in line:
            skipping = True
            continue
        if skipping and line.startswith((" ", "\t")):
            continue
        skipping = False
        kept.append(line)
    return "".join(kept)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "strip-self":
        print("usage: python tools/lockfile.py strip-self LOCKFILE", file=sys.stderr)
        return 2
    path = Path(argv[1])
    path.write_text(strip_self(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
