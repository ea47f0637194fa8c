"""Provider status from `failed_models.json`: the last fetch attempt per provider."""

from __future__ import annotations

from pathlib import Path

from .ingest import values
from .ingest.reading import UnreadableSource, read_json
from .problems import ProblemLog
from .records import ProviderStatus

MAX_ERROR = 500


def load_statuses(path: Path) -> tuple[dict[str, ProviderStatus], ProblemLog]:
    log = ProblemLog(path.name)
    try:
        document = read_json(path)
    except UnreadableSource as exc:
        log.reject("-", "$file", str(exc))
        return {}, log
    if not isinstance(document, dict):
        log.reject("-", "$file", "expected an object keyed by provider id")
        return {}, log
    statuses: dict[str, ProviderStatus] = {}
    for provider, entry in sorted(document.items()):
        if not isinstance(entry, dict):
            log.reject(provider, "$", f"expected an object, got {type(entry).__name__}")
            continue
        error, _ = values.plain_text(entry.get("error"), MAX_ERROR, keep_newlines=False)
        statuses[provider.replace("_", "-")] = ProviderStatus(
            failed=bool(entry.get("failed")),
            last_attempt=_text(entry.get("last_attempt")),
            last_success=_text(entry.get("last_success")),
            last_error=error,  # plain_text has redacted it
        )
    return statuses, log


def _text(value: object) -> str | None:
    # Timestamps are free text too: the same cleaning and redaction as the error message.
    return values.plain_text(value, MAX_ERROR, keep_newlines=False)[0] if isinstance(value, str) else None
