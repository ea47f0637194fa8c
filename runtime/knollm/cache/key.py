"""The cache key of a request: what the caller asked for, the messages and the parameters that change the answer,
normalised so that requests which only differ in incidental whitespace or in JSON key order share one entry.

Normalisation (on the text of messages, never on what is sent):

- text: line ends are stripped, runs of blank lines become one, and runs of spaces or tabs inside a line become
  one space; a line's indentation is kept (it means something in code and in YAML);
- JSON: a message text that is a JSON object or array is compared as data (key order and spacing do not count);
  parameters and tool definitions are written with sorted keys;
- numbers: `0` and `0.0` are one value;
- left out: parameters that do not change the answer (`stream`, `stream_options`, `user`, `metadata`, `store`,
  `timeout`), and the `cache` switch itself.

Near-duplicate matching (opt-in, `[cache] similarity`) compares word 3-shingles of the normalised conversation by
Jaccard similarity, among the newest entries with the same model and parameters (the entry's `scope`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from ..client.types import ChatRequest, JSONValue

NOT_ANSWER_CHANGING = frozenset({"stream", "stream_options", "user", "metadata", "store", "timeout", "cache"})
"""Request parameters that do not change the answer, left out of the key."""

_SPACES = re.compile(r"(?<=\S)[ \t]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE_WORDS = 3


@dataclass(slots=True, frozen=True)
class RequestKey:
    """A request's cache identity: `key` for the exact match, `scope` (model and parameters, not the messages)
    for the near-duplicate candidates, `prompt` the normalised conversation text they are compared by."""

    key: str
    scope: str
    prompt: str


def normalise_text(text: str) -> str:
    """Incidental whitespace removed (indentation kept); a JSON text rewritten canonically."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        try:
            return canonical(_normalise(json.loads(stripped)))
        except (ValueError, RecursionError):
            pass  # not JSON after all: normalise it as text
    lines = [_SPACES.sub(" ", line.rstrip()) for line in stripped.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines))


def _normalise(value: JSONValue, text_field: bool = False) -> JSONValue:
    if isinstance(value, str):
        return normalise_text(value) if text_field else value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_normalise(item, text_field) for item in value]
    return {k: _normalise(v, k in ("content", "text")) for k, v in value.items()}


def canonical(value: object) -> str:
    """JSON with sorted keys and no spaces: one text per value, whatever the key order it was written in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _parameters(request: ChatRequest) -> dict[str, JSONValue]:
    named: dict[str, Any] = {"tools": request.tools, "tool_choice": request.tool_choice,
                                   "response_format": request.response_format, "max_tokens": request.max_tokens,
                                   "temperature": request.temperature}
    named.update({k: v for k, v in request.extra.items() if k not in NOT_ANSWER_CHANGING})
    return {k: _normalise(v) for k, v in named.items() if v is not None}


def conversation_text(messages: list[JSONValue]) -> str:
    """The normalised conversation as `role: text` lines (what the similarity match compares)."""
    lines = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, list):  # content parts: their texts
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        text = content if isinstance(content, str) else canonical(content)
        lines.append(f"{message.get('role', '')}: {text}")
    return "\n".join(lines)


def request_key(request: ChatRequest, target: object) -> RequestKey:
    """The key of `request`; `target` is what it resolves through (the requested id, and a route's candidates),
    so a route whose candidates change does not serve answers of its old candidates."""
    scope = canonical({"target": target, "parameters": _parameters(request)})
    messages = _normalise(list(request.messages))
    assert isinstance(messages, list)
    body = canonical({"scope": scope, "messages": messages})
    return RequestKey(_digest(body), _digest(scope), conversation_text(messages))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def shingles(text: str) -> frozenset[str]:
    """Word 3-shingles of the case-folded text (its words themselves when it has fewer than three)."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return frozenset(words)
    return frozenset(" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """|A ∩ B| / |A ∪ B|: 1.0 for equal sets, 0.0 for disjoint ones (and for two empty sets)."""
    union = len(first | second)
    return len(first & second) / union if union else 0.0
