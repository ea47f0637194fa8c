"""One redaction rule for every text that came from outside: provider error messages, listing text, problems.

The compiler, the runtime and the HTTP client share it, so a key shape added here is caught everywhere.
Pure and dependency-free (only `re`), cheap enough to run over every free-text field of a build.

Credentials are found by shape, never by provider: named parameters (`api_key=…`, `"password": "…"`),
HTTP authorization headers, `user:pass@` in URLs, vendor key prefixes (`sk-`, `ghp_`, `AKIA…`), JWTs,
PEM private keys, and bare long random-looking strings (hex or letters mixed with digits, 32+ characters).
Ordinary text, model ids, dates, UUIDs and URLs without credentials are left alone.
"""

from __future__ import annotations

import re

MARK = "[redacted]"

_PEM = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S)

# `Authorization: Bearer <x>` keeps the scheme word so the message still says what was sent.
_AUTH_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(bearer|basic|token|digest|apikey|sso-key|key)\s+)?([^\s\"',;]+)"
)
_SCHEME = re.compile(r"(?i)\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=-]{8,})")

# Names whose value is a credential whatever it looks like, and names that are also ordinary words
# (`key`, `token`): for those a value is redacted only when it looks random or stands after `=`.
_STRONG = (
    r"(?:x-)?api[_-]?key|apikey|x-goog-api-key|access[_-]?token|auth[_-]?token|refresh[_-]?token|id[_-]?token"
    r"|session[_-]?token|client[_-]?secret|secret[_-]?access[_-]?key|aws[_-]?secret[_-]?access[_-]?key"
    r"|secret[_-]?key|private[_-]?key|access[_-]?key(?:[_-]?id)?|password|passwd|passphrase|secret"
    r"|x-amz-(?:signature|credential|security-token)"
)
_WEAK = r"api key|key|token|auth|sig|signature|credentials?|pwd"
_NAMED = re.compile(
    rf"(?i)(?<![\w-])(?P<name>{_STRONG}|{_WEAK})(?P<sep>[\"']?[ \t]*[:=][ \t]*)"
    r"(?:(?P<q>[\"'])(?P<qval>[^\"'\r\n]*)(?P=q)|(?P<val>[^\s\"'&,;<>(){}\[\]]+))"
)
_STRONG_NAME = re.compile(rf"(?i){_STRONG}")

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,30}://)[^\s/@:]{1,256}(?::[^\s/@]{0,256})?@")

# Vendor prefixes; the tail must look random (see _random_tail) so ids such as `xai-grok-2` survive.
_PREFIXED = re.compile(
    r"(?<![\w-])(?:sk-ant-|sk-proj-|sk-or-v1-|sk-svcacct-|sk-|sk_live_|sk_test_|rk_live_|rk_test_|pk_live_"
    r"|csk-|gsk_|xai-|pplx-|nvapi-|hf_|r8_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|fw_|npm_|pypi-"
    r"|xox[abposr]-|ya29\.)[A-Za-z0-9_.-]{16,}"
)
_AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|AIPA)[A-Z0-9]{16}\b")
_GOOGLE = re.compile(r"\bAIza[0-9A-Za-z_-]{30,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_LONG_HEX = re.compile(r"(?<![\w-])[0-9a-fA-F]{32,}(?![\w-])")
_LONG_TOKEN = re.compile(r"(?<![\w/.+-])[A-Za-z0-9]{32,}(?![\w/+-])")
_RUN = re.compile(r"[A-Za-z0-9]{12,}")
_RUN_32 = re.compile(r"[A-Za-z0-9]{32}")  # in every match of _LONG_HEX and _LONG_TOKEN
_NAME_PARTS = ("key", "token", "auth", "sig", "secret", "pass", "pwd", "cred")
"""One of these is in every name `_NAMED` matches (in ASCII text: `(?i)` also folds some other letters)."""


def redact(text: str) -> str:
    """`text` with every credential-shaped part replaced by `[redacted]`."""
    if len(text) < 8:
        return text
    # Cheap substring guards first: most text holds no candidate, and the build runs this on every name.
    lower = text.lower()
    if "private key" in lower:
        text = _PEM.sub(MARK, text)
    if "authorization" in lower:
        text = _AUTH_HEADER.sub(_auth_header, text)
    if "bearer" in lower or "basic" in lower or "token" in lower:
        text = _SCHEME.sub(lambda m: m[0] if not _looks_random(m[3], 8) else m[1] + m[2] + MARK, text)
    if (":" in text or "=" in text) and _may_name(text):
        text = _NAMED.sub(_named, text)
    if "://" in text and "@" in text:
        text = _USERINFO.sub(lambda m: m.group(1) + MARK + "@", text)
    if len(text) < 16:
        return text
    text = _PREFIXED.sub(lambda m: MARK if _RUN.search(m.group(0)) else m.group(0), text)
    for guard, pattern in (("A", _AWS_KEY_ID), ("AIza", _GOOGLE), ("eyJ", _JWT)):
        if guard in text:
            text = pattern.sub(MARK, text)
    if not _RUN_32.search(text):
        return text
    text = _LONG_HEX.sub(lambda m: MARK if _looks_random(m.group(0), 32) else m.group(0), text)
    return _LONG_TOKEN.sub(lambda m: MARK if _looks_random(m.group(0), 32) else m.group(0), text)


def _may_name(text: str) -> bool:
    """False only when `_NAMED` cannot match: ASCII text without any of `_NAME_PARTS`, case aside."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(part in lowered for part in _NAME_PARTS)


def _auth_header(match: re.Match[str]) -> str:
    scheme = f"{match.group(2)} " if match.group(2) else ""
    return f"{match.group(1)}{scheme}{MARK}"


def _named(match: re.Match[str]) -> str:
    value = match.group("qval") if match.group("q") else match.group("val")
    if not value or value == MARK or value.startswith(MARK):
        return match.group(0)
    strong = _STRONG_NAME.fullmatch(match.group("name")) is not None
    if not (strong or "=" in match.group("sep") or match.group("q") or _looks_random(value, 8)):
        return match.group(0)  # `key: model not found` is prose, not a credential
    quote = match.group("q") or ""
    return f"{match.group('name')}{match.group('sep')}{quote}{MARK}{quote}"


def _looks_random(value: str, minimum: int) -> bool:
    """Long enough, with letters and digits mixed: what generated keys look like and words do not."""
    return (len(value) >= minimum and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
            and not value.replace(".", "").replace("-", "").isdigit())
