"""Problems found while compiling: every one names the file, the record, the dotted path and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from knollm.redact import redact
from knollm.texthygiene import terminal_safe


class Severity(StrEnum):
    """How bad a problem is.

    `rejected`: the whole record (or file) was left out of the bundle.
    `dropped`: one value was left out, the rest of the record was kept.
    `warning`: the value was kept but changed (e.g. truncated, control characters removed).
    """

    REJECTED = "rejected"
    DROPPED = "dropped"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, precise enough to find and fix by hand."""

    file: str
    record: str
    path: str
    reason: str
    severity: Severity
    line: int | None = None
    """The line of an authored (TOML) file the path is on, where the file shows it."""

    def __post_init__(self) -> None:
        # Problems quote source text and reach the report, the site and the terminal: one choke point makes
        # every one of them free of credentials and of characters a terminal would act on.
        for name in ("file", "record", "path", "reason"):
            object.__setattr__(self, name, terminal_safe(redact(str(getattr(self, name)))))

    def as_dict(self) -> dict[str, str]:
        found = {
            "file": self.file,
            "record": self.record,
            "path": self.path,
            "reason": self.reason,
            "severity": str(self.severity),
        }
        return found if self.line is None else {**found, "line": str(self.line)}

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: record {self.record!r}: {self.path}: {self.reason} [{self.severity}]"


@dataclass(slots=True)
class ProblemLog:
    """Collects problems for one file so the build can report all of them at once."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, record: str, path: str, reason: str, severity: Severity) -> None:
        self.problems.append(Problem(self.file, record, path, reason, severity))

    def reject(self, record: str, path: str, reason: str) -> None:
        self.add(record, path, reason, Severity.REJECTED)

    def drop(self, record: str, path: str, reason: str) -> None:
        self.add(record, path, reason, Severity.DROPPED)

    def warn(self, record: str, path: str, reason: str) -> None:
        self.add(record, path, reason, Severity.WARNING)


class BuildError(Exception):
    """The build cannot go on (e.g. authored catalog files are invalid), or `--strict` found problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s):\n{lines}")
