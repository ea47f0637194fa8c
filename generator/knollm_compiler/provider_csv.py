"""`providers.csv` in a snapshots directory: facts about providers (API kind, key variable, base URL).

Read through the one safe file reader; a byte order mark (Excel's default for "CSV UTF-8") is dropped, so the
header still names the `provider` column. A row with bytes that are not UTF-8, or without a provider id, is
rejected with its line number; the other rows are kept. The file gets its own source report, so
read == emitted + rejected holds for it too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from .hygiene import keep_http_urls
from .ingest.reading import UnreadableSource, read_bytes
from .problems import ProblemLog, Severity
from .report_records import SourceReport

Hints = dict[str, dict[str, str]]


def read_provider_csv(path: Path) -> tuple[Hints, SourceReport]:
    """Provider id -> the row's non-empty columns, and the file's report."""
    log = ProblemLog(path.name)
    try:
        data = read_bytes(path)
    except UnreadableSource as exc:
        log.reject("-", "$file", str(exc))
        return {}, _report(log, "unreadable", 0, 0)
    # surrogateescape keeps undecodable bytes visible per row, so one bad row does not cost the whole file.
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    hints: Hints = {}
    first_line: dict[str, int] = {}
    read = 0
    for line, row in _rows(text):
        read += 1
        provider = str(row.get("provider", "")).strip().replace("_", "-")
        if (problem := _row_problem(row)) is not None:
            log.reject(f"line {line}", *problem)
        elif provider in first_line:
            log.reject(f"line {line}", "provider", f"duplicate provider id: same as line {first_line[provider]}")
        else:
            first_line[provider] = line
            hints[provider] = {key: cell for key, cell in row.items() if isinstance(key, str) and isinstance(cell, str)}
    # Only http(s) links are kept (a `javascript:` or `file:` URL is dropped, as a problem of its row).
    return keep_http_urls(hints, log), _report(log, "status", read, len(hints))


def _rows(text: str) -> Iterator[tuple[int, dict[str | None, object]]]:
    """(line number, row) for every row; a row the csv module cannot parse ends the file with a problem."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:  # e.g. a NUL byte; the rows before it are kept
        yield reader.line_num + 1, {None: f"not CSV: {exc}"}  # line_num counts the lines read before the bad one


def _row_problem(row: dict[str | None, object]) -> tuple[str, str] | None:
    """(column, reason) when the row cannot be used."""
    if list(row) == [None]:  # what _rows yields for a line the csv module could not parse
        return "$", str(row[None])
    for key, value in row.items():
        texts = [key, *(value if isinstance(value, list) else [value])]  # extra cells come as a list under None
        bad = next((text for text in texts if isinstance(text, str) and _undecodable(text)), None)
        if bad is not None:
            return str(key), f"invalid UTF-8 (byte 0x{_first_bad(bad):02x}); save the file as UTF-8"
    provider = row.get("provider")
    if not isinstance(provider, str) or not provider.strip():
        return "provider", "no provider id in this row"
    return None


def _undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def _first_bad(text: str) -> int:
    return next((ord(c) - 0xDC00 for c in text if "\udc80" <= c <= "\udcff"), 0)


def _report(log: ProblemLog, role: Literal["status", "unreadable"], read: int, emitted: int) -> SourceReport:
    problems = tuple(p.as_dict() for p in log.problems)
    rejected = sum(1 for p in log.problems if p.severity is Severity.REJECTED and p.path != "$file")
    return SourceReport(file=log.file, provider=None, role=role, shape="csv", read=read, emitted=emitted,
                        merged=0, rejected=rejected, problems=problems)
