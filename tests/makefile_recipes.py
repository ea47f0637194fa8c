"""Reading the Makefile in tests: the recipe lines of one target."""

from __future__ import annotations

from pathlib import Path

MAKEFILE = Path(__file__).resolve().parents[1] / "Makefile"


def recipe(target: str, makefile: str | None = None) -> list[str]:
    """The recipe lines (tab-indented, stripped) right after `target:`."""
    lines = (makefile if makefile is not None else MAKEFILE.read_text(encoding="utf-8")).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    found = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        found.append(line.strip())
    return found
