"""Provider status from `failed_models.json` (`snapshot_folder.STATUS_FILE`): the last fetch attempt per provider."""

from __future__ import annotations

from pathlib import Path

from knollm.serialize import json_type

from .bundle_records import ProviderStatus
from .ingest import values
from .ingest.parse_notes import note_parse
from .ingest.reading import UnreadableSource, read_parsed
from .problems import ProblemLog

MAX_ERROR = 500


def load_statuses(path: Path) -> tuple[dict[str, ProviderStatus], ProblemLog]:
    log = ProblemLog(path.name)
    try:
        parsed = read_parsed(path)
    except UnreadableSource as exc:
        log.reject("-", "$file", str(exc))
        return {}, log
    document = parsed.document
    if not isinstance(document, dict):
        log.reject("-", "$file", "expected an object keyed by provider id")
        return {}, log
    note_parse(parsed, list(document.items()), log)  # a provider listed twice: the last entry counts
    statuses: dict[str, ProviderStatus] = {}
    for provider, entry in sorted(document.items()):
        if not isinstance(entry, dict):
            log.reject(provider, "$", f"expected an object, got {json_type(entry)}")
            continue
        failed, reason = values.strict_bool(entry.get("failed"))
        if reason:  # the entry is left out whole: a status whose outcome is unknown dates nothing
            log.reject(provider, "failed", reason)
            continue
        error, _ = values.plain_text(entry.get("error"), MAX_ERROR, keep_newlines=False)
        statuses[provider.replace("_", "-")] = ProviderStatus(
            failed=bool(failed),
            last_attempt=_text(entry.get("last_attempt")),
            last_success=_text(entry.get("last_success")),
            last_error=error,  # plain_text has redacted it
        )
    return statuses, log


def _text(value: object) -> str | None:
    # Timestamps are free text too: the same cleaning and redaction as the error message.
    return values.plain_text(value, MAX_ERROR, keep_newlines=False)[0] if isinstance(value, str) else None
