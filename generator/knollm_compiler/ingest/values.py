"""Coercing raw values into bundle values. Each function returns (value, None) or (None, reason)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from knollm.redact import redact
from knollm.texthygiene import clean_text, id_problem

MAX_TOKENS_PLAUSIBLE = 100_000_000
MAX_NAME = 200
MAX_DESCRIPTION = 4000
MAX_ID = 256
REDACT_MARGIN = 512
EPOCH_MS_THRESHOLD = 100_000_000_000  # later than year 5138 in seconds: must be milliseconds
YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MODALITY_NAMES = {
    "text": "text", "image": "image", "images": "image", "audio": "audio", "video": "video", "file": "file",
    "files": "file", "pdf": "file", "embedding": "embedding", "embeddings": "embedding", "speech": "audio",
}

Result = tuple[Any, str | None]


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def positive_int(value: Any) -> Result:
    """Token counts: positive integers (integral floats and digit strings accepted). None/0 mean unknown."""
    if value is None or value == 0 or value == "":
        return None, None
    if isinstance(value, bool):
        return None, f"expected a positive integer, got {describe(value)}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        text = value.strip().lstrip("0") or "0"
        if len(text) > len(str(MAX_TOKENS_PLAUSIBLE)):  # implausible whatever it says (Python refuses 4300+ digits)
            return None, f"implausible token count {describe(value)} (more than {MAX_TOKENS_PLAUSIBLE:,})"
        value = int(text)
    if value == 0:
        return None, None
    if not isinstance(value, int) or value < 0:
        return None, f"expected a positive integer, got {describe(value)}"
    if value > MAX_TOKENS_PLAUSIBLE:
        return None, f"implausible token count {describe(value)} (more than {MAX_TOKENS_PLAUSIBLE:,})"
    return value, None


def strict_bool(value: Any) -> Result:
    """true/false, "true"/"false" (any case) or 0/1; None means unknown. Anything else (`"no"`, `"yes"`, `2`)
    is a reason: Python's truthiness would read `"no"` as true."""
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, int) and value in (0, 1):
        return bool(value), None
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true", None
    return None, f"expected true or false, got {describe(value)}"


def plain_text(value: Any, limit: int, keep_newlines: bool) -> tuple[str | None, list[str]]:
    """Clean text from outside: strip control, bidi and zero-width characters, redact credentials, cap the
    length. Returns notes of what changed."""
    if value is None:
        return None, []
    if not isinstance(value, str):
        return None, [f"expected text, got {describe(value)}"]
    notes: list[str] = []
    text = value.replace("\r\n", "\n")
    cleaned, removed = clean_text(text)
    if removed:
        notes.append(f"removed {removed} control character(s)")
    cleaned = (" ".join(cleaned.split()) if not keep_newlines else cleaned).strip()
    length = len(cleaned)
    # Only what can be kept is redacted (bounded work on huge text); the margin covers a key cut at the limit.
    redacted = redact(cleaned[: limit + REDACT_MARGIN])
    if redacted != cleaned[: limit + REDACT_MARGIN]:
        notes.append("redacted what looks like a credential")
    cleaned = redacted.strip()
    if length > limit or len(cleaned) > limit:
        notes.append(f"truncated from {length:,} to {limit:,} characters")
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned or None, notes


def model_id(value: Any) -> Result:
    if not isinstance(value, str):
        return None, f"record id must be a string, got {describe(value)}"
    stripped = value.strip()
    if not stripped:
        return None, "record id is empty"
    if unsafe := id_problem(stripped):
        return None, f"record id contains {unsafe}: {describe(stripped)}"
    if len(stripped) > MAX_ID:
        return None, f"record id is {len(stripped)} characters long (limit {MAX_ID})"
    return stripped, None


def date(value: Any) -> Result:
    """Unix seconds or milliseconds, or an ISO 8601 / RFC 1123 string -> YYYY-MM-DD (or YYYY-MM when the
    source gives only a month). 0 means unknown."""
    if value is None or value == 0 or value == "":
        return None, None
    if isinstance(value, bool):
        return None, f"expected a date, got {describe(value)}"
    if isinstance(value, int | float):
        try:  # an integer too large for a float overflows in the division already
            seconds = value / 1000 if value > EPOCH_MS_THRESHOLD else value
            return datetime.fromtimestamp(seconds, tz=UTC).date().isoformat(), None
        except (OverflowError, OSError, ValueError):
            return None, f"timestamp out of range: {describe(value)}"
    if isinstance(value, str):
        text = value.strip()
        if YEAR_MONTH.match(text):
            return text, None  # ISO 8601 reduced precision: the source knows only the month
        for parse in (_iso, _rfc1123):
            parsed = parse(text)
            if parsed:
                return parsed, None
    return None, f"expected a date, got {describe(value)}"


def _iso(text: str) -> str | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _rfc1123(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%a, %d %b %Y %H:%M:%S %Z").date().isoformat()
    except ValueError:
        return None


def modalities(value: Any) -> tuple[list[str], list[str]]:
    """A list of modality names -> (known modalities, unknown names)."""
    items = value if isinstance(value, list) else [value]
    known: list[str] = []
    unknown: list[str] = []
    for item in items:
        name = MODALITY_NAMES.get(str(item).strip().lower())
        if name and name not in known:
            known.append(name)
        elif not name:
            unknown.append(str(item))
    return known, unknown


def arrow_modalities(value: Any) -> tuple[list[str], list[str]] | None:
    """`text+image->text` -> (inputs, outputs)."""
    if not isinstance(value, str) or "->" not in value:
        return None
    left, right = value.split("->", 1)
    return modalities(left.split("+"))[0], modalities(right.split("+"))[0]
