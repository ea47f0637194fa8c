"""Text hygiene in one place: which characters are unsafe in names, ids, URLs and on a terminal.

The compiler uses it at ingestion (strip from names and descriptions, refuse in ids, flag look-alike ids,
keep only http(s) URLs); the CLI uses `terminal_safe` at its output boundary. Pure, standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Bidi marks, embeddings, overrides and isolates: they reorder what the reader sees (Trojan Source)."""
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
"""Invisible characters: two ids that print the same could differ by them."""
SEPARATORS = "\u2028\u2029"

_INVISIBLE = BIDI + ZERO_WIDTH + SEPARATORS
# Everything a terminal may act on: C0 (tab and newline are handled by the caller), DEL, C1 (includes the
# 8-bit CSI U+009B and OSC U+009D), plus the invisible characters above.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
UNSAFE_TEXT = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
UNSAFE_ID = re.compile(f"[\t\n\r{_CONTROL}{_INVISIBLE}]")
UNSAFE_TERMINAL = re.compile(f"[\r{_CONTROL}{_INVISIBLE}]")
UNSAFE_TERMINAL_LINE = re.compile(f"[\t\n\r{_CONTROL}{_INVISIBLE}]")

# Letters of other scripts that print like Latin ones; one of them in an id is how a look-alike is made.
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")


def clean_text(text: str) -> tuple[str, int]:
    """`text` without control, bidi and zero-width characters, and how many were removed."""
    cleaned = UNSAFE_TEXT.sub("", text)
    return cleaned, len(text) - len(cleaned)


def id_problem(text: str) -> str | None:
    """What makes `text` unfit for an id (`control characters`, `bidi control characters (U+202E)`), or None."""
    found = sorted(set(UNSAFE_ID.findall(text)))
    if not found:
        return None
    kinds = sorted({_kind(c) for c in found})
    invisible = [f"U+{ord(c):04X}" for c in found if c in _INVISIBLE]
    return f"{' and '.join(kinds)} characters" + (f" ({', '.join(invisible[:5])})" if invisible else "")


def _kind(char: str) -> str:
    if char in BIDI:
        return "bidi control"
    if char in ZERO_WIDTH:
        return "zero-width"
    return "control"


def confusable(text: str) -> str | None:
    """Why `text` may pass for another id (fullwidth or compatibility forms, look-alike letters), or None.

    Such ids are kept (they may be genuine) but listed in the build report."""
    normal = unicodedata.normalize("NFKC", text)
    if normal != text:
        return f"NFKC form differs: {text!r} -> {normal!r}"
    scripts = sorted({script for c in text if c.isalpha() and (script := _script(c)) is not None})
    lookalike = [s for s in scripts if s in _LOOKALIKE_SCRIPTS]
    if lookalike and "LATIN" in scripts:
        return f"mixes {' and '.join(s.title() for s in scripts)} letters"
    if lookalike:
        return f"{' and '.join(s.title() for s in lookalike)} letters that can pass for Latin ones"
    return None


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


def http_url(text: str) -> str | None:
    """Why `text` is not a usable http(s) URL (`javascript:`, `data:`, `file:`, no host, spaces), or None."""
    if UNSAFE_ID.search(text) or any(c.isspace() for c in text):
        return "URL contains spaces or control characters"
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        return f"not a URL: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"only http(s) URLs are kept, not {parts.scheme + ':' if parts.scheme else 'a relative URL'}"
    if not parts.netloc:
        return "URL has no host"
    return None


def terminal_safe(text: str, *, json: bool = False, single_line: bool = False) -> str:
    """`text` with every character a terminal could act on shown as an escape (`\\x1b`, `\\u202e`).

    Newlines and tabs stay unless `single_line`. With `json`, the escapes are JSON's (`\\u001b`), so JSON
    text stays valid JSON: json already escapes C0 controls inside strings, but not DEL, C1 or bidi."""
    pattern = UNSAFE_TERMINAL_LINE if single_line else UNSAFE_TERMINAL
    if not pattern.search(text):
        return text
    return pattern.sub(_json_escape if json else _visible_escape, text)


def _visible_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"
