"""Provider-page facts as a reader should see them: one date format, listing-fetch errors as a short status.

Fetch logs record times in more than one format (ISO 8601 for attempts, HTTP dates such as
`Mon, 08 Sep 2025 10:29:31 GMT` for successes) and errors as raw exception text; the page shows every time
as `YYYY-MM-DD HH:MM UTC` and an error as `HTTP 404` (or its first words), with the raw text kept for a
details toggle. When the last success is newer than the last recorded attempt, the recorded error belongs to
that older attempt: the status says so instead of showing both as if they were current.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from knollm_compiler.bundle_records import ProviderStatus

_HTTP_CODE = re.compile(r"(?<![\d.])([45]\d\d)(?![\d.])(?=[^\n]{0,40}?(?:error|unauthori[sz]ed|forbidden|not found|"
                        r"not allowed|too many|unavailable|timeout|bad gateway|'|\"))", re.IGNORECASE)
_SHORT_WORDS = 8


@dataclass(frozen=True)
class FetchStatus:
    """What the Listing status section shows; every text is plain (the template escapes it)."""

    summary: str
    """One line: `last fetch ok (2025-09-08 10:29 UTC)`, `last fetch failed: HTTP 404 (…)`, ..."""
    raw_error: str | None
    """The error text as recorded, for a details toggle (None when there is none)."""
    last_attempt: str | None
    last_success: str | None


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 or HTTP (RFC 2822) date as an aware UTC datetime; None when absent or unreadable."""
    if not text or not text.strip():
        return None
    value: datetime | None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError):
            return None
    # Fetch logs without a zone are written by the fetcher in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def show_time(text: str | None) -> str | None:
    """`YYYY-MM-DD HH:MM UTC`; the original text when it is not a date; None when absent."""
    moment = parse_time(text)
    if moment is None:
        return text.strip() if text and text.strip() else None
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def short_error(text: str | None) -> str | None:
    """`HTTP 404` when the error names an HTTP status, else its first words (whole text when short)."""
    if not text or not text.strip():
        return None
    if match := _HTTP_CODE.search(text):
        return f"HTTP {match.group(1)}"
    words = text.split()
    return " ".join(words[:_SHORT_WORDS]) + (" …" if len(words) > _SHORT_WORDS else "")


def fetch_status(status: ProviderStatus | None) -> FetchStatus | None:
    """The listing-fetch status of one provider, normalised; None when no fetch is recorded."""
    if status is None:
        return None
    attempt, success = parse_time(status.last_attempt), parse_time(status.last_success)
    attempt_text, success_text = show_time(status.last_attempt), show_time(status.last_success)
    error = short_error(status.last_error)
    succeeded_since = success is not None and (attempt is None or success >= attempt)
    if status.failed and not succeeded_since:
        summary = f"last fetch failed: {error or 'no error recorded'}"
        summary += f" ({attempt_text})" if attempt_text else ""
    elif error and attempt is not None and success is not None and success > attempt:
        summary = f"last fetch ok ({success_text}); an earlier attempt ({attempt_text}) failed: {error}"
    elif error:
        summary = f"last fetch ok ({success_text or attempt_text or 'date not recorded'}); last error: {error}"
    else:
        summary = f"last fetch ok ({success_text or attempt_text or 'date not recorded'})"
    raw = status.last_error.strip() if status.last_error and status.last_error.strip() else None
    return FetchStatus(summary, raw, attempt_text, success_text)
