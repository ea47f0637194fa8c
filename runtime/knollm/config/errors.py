"""`ConfigError` and the `Problem`s it collects: every problem of a configuration at once, each one locatable.

A problem reads `file:line: dotted.key: expected …, got … (fix: …)`. Values that could be secrets (anything under
`keys` or `headers`) are never quoted in a problem: `got` then says what kind of value it was, not what it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import KnollmError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (an error) or suspicious (a warning) in a configuration."""

    key: str
    """The dotted key as written in the source, e.g. `profiles.production.providers.alpha.timeout_s`."""
    expected: str
    got: str
    fix: str
    file: str | None = None
    """The file (or `$KNOLLM_…` environment variable) the value came from; None when built in Python."""
    line: int | None = None
    """1-based line in `file`, when the parser or a light scan can tell it."""
    severity: Severity = "error"

    @property
    def where(self) -> str:
        """`file:line`, `file`, or "" when the value was not read from a file (built in Python)."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        prefix = "".join(f"{part}: " for part in (self.where, self.key) if part)
        return f"{prefix}expected {self.expected}, got {self.got} (fix: {self.fix})"

    def to_dict(self) -> dict[str, object]:
        """Plain data for `--json`."""
        return {"severity": self.severity, "file": self.file, "line": self.line, "key": self.key,
                "expected": self.expected, "got": self.got, "fix": self.fix, "message": str(self)}


class ConfigError(KnollmError):
    """The configuration cannot be used. `problems` lists every error found (never only the first)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = [p for p in problems if p.severity == "error"]
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the Knollm configuration"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
