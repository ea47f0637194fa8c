"""Escaping untrusted catalog text for generated Markdown pages.

Provider notes, model names, descriptions and ids come from third-party listings. They are shown as text,
never interpreted: not as HTML (`<script>`), not as Markdown (`*`, `[x](javascript:...)`, `|` in tables), not
as an extension's syntax (`{: attr}`, `!!! admonition`, `::: identifier`, `{{ macro }}`).

The escaping uses HTML character references (`&lt;`, `&#42;`), which every Markdown processor passes
through unchanged and every browser shows as the original character. Whitespace, newlines included, collapses
to single spaces, so a value can never start a Markdown block of its own.
"""

from __future__ import annotations

import html
import re
import urllib.parse

from knollm.texthygiene import UNSAFE_TEXT

_ALWAYS = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
    "{": "&#123;",
    "}": "&#125;",
    "~": "&#126;",
    "^": "&#94;",
    "$": "&#36;",
}
_TABLE = str.maketrans(_ALWAYS)
_LEADING = frozenset("#+-=:!?%.@")
"""Characters that start a block construct when they begin a line (lists, headings, admonitions, ...)."""
_ORDERED_LIST = re.compile(r"^(\d+)([.)])(?=\s|$)")
_WHITESPACE = re.compile(r"\s+")
_CONTROL = UNSAFE_TEXT  # one definition: control, bidi and zero-width characters (bundles built elsewhere too)
_URL_SAFE = "/:?#@!$&'*+,;=%-._~"
EMPTY_CELL = "—"


def collapse(text: object) -> str:
    """`text` as one line: control characters dropped, whitespace runs (newlines too) as single spaces."""
    return _WHITESPACE.sub(" ", _CONTROL.sub("", str(text))).strip()


def escape_md(text: object) -> str:
    """Untrusted text as inert Markdown: shown exactly as written, interpreted as neither HTML nor Markdown.

    Escapes `& < > " \\ ` * _ [ ] | { } ~ ^ $` everywhere, the first character when it could start a block, and
    the `.` of a leading `1.`; collapses whitespace (newlines included) to single spaces.
    """
    return _inline(collapse(text).translate(_TABLE))


def _inline(line: str) -> str:
    """An escaped line made unable to start a block: its first character (or the `.` of a leading `1.`) as a
    character reference when it could."""
    if not line:
        return ""
    if (match := _ORDERED_LIST.match(line)) is not None:
        return f"{match.group(1)}&#{ord(match.group(2))};{line[match.end():]}"
    return f"&#{ord(line[0])};{line[1:]}" if line[0] in _LEADING else line


def escape_md_spans(text: object) -> str:
    """As `escape_md`, but text between pairs of backticks shows in code font (`<code>` holding the escaped
    text): for authored catalog prose such as "through `extra_body`". With an odd number of backticks, or none,
    the result is exactly `escape_md(text)`."""
    line = collapse(text)
    parts = line.split("`")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return escape_md(line)
    pieces = [f"<code>{part.translate(_TABLE)}</code>" if odd else part.translate(_TABLE)
              for odd, part in ((i % 2 == 1, part) for i, part in enumerate(parts))]
    if parts[0]:
        pieces[0] = _inline(pieces[0])
    return "".join(pieces)


def code_text(text: object) -> str:
    """Untrusted text for the inside of a fenced code block (which shows it literally): lines kept, `\\r\\n` and
    `\\r` as `\\n`, control characters other than tab dropped, trailing blank lines removed. Put it between
    `fence(text)` lines, which no backtick run inside can close."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_CONTROL.sub("", line).rstrip() for line in lines).strip("\n")


def md_cell(value: object) -> str:
    """A table cell: `—` for None or empty, else the escaped single-line text (pipes cannot split the row)."""
    if value is None:
        return EMPTY_CELL
    text = escape_md(value)
    return text or EMPTY_CELL


def md_code(value: object) -> str:
    """Untrusted text in code font (`<code>` with escaped content; backticks in the value cannot break out)."""
    text = escape_md(value)
    return f"<code>{text}</code>" if text else EMPTY_CELL


def safe_url(url: object) -> str | None:
    """An `http(s)` URL made safe for a Markdown link destination, or None for anything else.

    `javascript:`, `data:` and relative URLs are refused; spaces, quotes, parentheses and angle brackets are
    percent-encoded so the destination cannot end early.
    """
    if not isinstance(url, str):
        return None
    text = _CONTROL.sub("", url).strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urllib.parse.quote(text, safe=_URL_SAFE)


def md_link(label: object, url: object) -> str:
    """`[label](url)` for an http(s) URL; just the escaped label (or `—`) when the URL is missing or unsafe."""
    target = safe_url(url)
    # A missing label is no text (never the string "None").
    text = (escape_md(label) if label is not None else "") or (escape_md(url) if target else "")
    if target is None:
        return text or EMPTY_CELL
    return f"[{text}]({target})"


def trusted_md(text: object) -> str:
    """Our own Markdown (docstrings) for a table cell: one line; outside code spans `& < > |` are escaped."""
    parts = collapse(text).split("`")
    for i in range(0, len(parts), 2):
        parts[i] = html.escape(parts[i], quote=False).replace("|", "&#124;")
    return "`".join(parts)


def html_text(text: object) -> str:
    """Untrusted text for an HTML attribute or a page title: one line, `& < > " '` escaped."""
    return html.escape(collapse(text), quote=True)


def yaml_str(text: object) -> str:
    """A YAML double-quoted scalar holding `text` exactly (for page front matter); ASCII only."""
    out = ['"']
    for char in collapse(text):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")


def front_matter(**fields: object) -> str:
    """A YAML front matter block. Strings are HTML-escaped (the theme prints `title` and `description` raw);
    a list holds plain lowercase words only (e.g. `hide=["navigation"]`)."""
    lines = ["---"]
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            words = [str(v) for v in value]
            if not all(_WORD.match(w) for w in words):
                raise ValueError(f"front matter list {key!r} must hold plain words: {words!r}")
            lines.append(f"{key}: [{', '.join(words)}]")
        elif isinstance(value, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        else:
            lines.append(f"{key}: {yaml_str(html_text(value))}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def url_component(value: object) -> str:
    """`value` percent-encoded as jinja2's `urlencode` does ("/" kept), and also "_" and "~": unreserved in URLs,
    but Markdown emphasis and strike-through marks, which the page escaping would turn into entities and so break
    the link (`?id=a&#95;b`). Only ASCII letters, digits, "-", "." and "/" stay as they are."""
    return urllib.parse.quote(str(value), safe="/").replace("_", "%5F").replace("~", "%7E")
