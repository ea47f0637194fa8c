"""The fake provider's deterministic answers, shared by its three API dialects.

Rules (tests assert exact text and usage, so they are simple and fixed):

- the answer text is `"ok: " + <text of the last user turn>` (a tool result counts as a user turn);
- a token is a whitespace-separated word: prompt tokens are the words of the system prompt and of every
  message's text; completion tokens are the words of the answer (a tool call: its name plus the words of its
  JSON arguments); `max_tokens` cuts the answer to that many words (finish reason "length");
- with tools offered (and tool choice not "none") and a last turn that is not a tool result, the answer is a
  call of the first tool (or the forced one) with the smallest arguments its JSON Schema accepts;
- JSON mode answers `{"answer": "ok: ..."}`, a JSON Schema answers the smallest object it accepts;
- streamed text arrives one word per chunk, so the chunks join to exactly the plain answer.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

WORD = re.compile(r"\S+\s*")
"""A word and the whitespace after it: the pieces join back to the text exactly."""

JsonObject = dict[str, Any]


def words(text: str) -> int:
    """The fake's token count of `text`: whitespace-separated words."""
    return len(text.split())


def pieces(text: str) -> list[str]:
    """`text` split into streamable pieces, one word each; `"".join(pieces(t)) == t` for text without leading
    whitespace."""
    found = WORD.findall(text)
    lead = text[: len(text) - len(text.lstrip())]
    return [lead + found[0], *found[1:]] if lead and found else found or ([text] if text else [])


@dataclass(slots=True, frozen=True)
class ToolCall:
    """A tool call the fake answers with; `arguments` is the JSON text of `args`."""

    id: str
    name: str
    args: JsonObject

    @property
    def arguments(self) -> str:
        return json.dumps(self.args)


@dataclass(slots=True)
class Answer:
    """What to answer, independent of the API's wire shape."""

    id: str
    model: str
    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish: str = "stop"  # "stop", "length" or "tool_calls"; each dialect maps it to its own word
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_read: int = 0
    cache_write: int = 0
    empty: bool = False  # the "empty" fault: no choices / no content / no candidates
    include_usage: bool = True  # OpenAI streams send usage only when stream_options.include_usage is set

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class Turn:
    """A request reduced to what the answer depends on (each dialect extracts it from its own shape)."""

    model: str
    texts: list[str]  # every text of the prompt, for the prompt token count
    last_text: str  # the last user turn's text (or tool result)
    last_is_tool_result: bool = False
    tools: list[tuple[str, JsonObject]] = field(default_factory=list)  # (name, JSON Schema of the arguments)
    tool_choice: str = "auto"  # "auto", "none", "required" or a tool name
    json_mode: bool = False
    json_schema: JsonObject | None = None
    max_tokens: int | None = None


def answer_for(turn: Turn, answer_id: str, *, empty: bool = False) -> Answer:
    """The deterministic answer to `turn` (usage without cache tokens; the dialect adds those)."""
    answer = Answer(id=answer_id, model=turn.model, prompt_tokens=sum(words(t) for t in turn.texts), empty=empty)
    if empty:
        return answer
    tool = _tool_to_call(turn)
    if tool is not None:
        name, schema = tool
        call = ToolCall(id=f"call_{answer_id}_0", name=name, args=minimal_instance(schema))
        answer.tool_calls = [call]
        answer.finish = "tool_calls"
        answer.completion_tokens = 1 + words(call.arguments)
        return answer
    text = _answer_text(turn)
    parts = pieces(text)
    if turn.max_tokens is not None and len(parts) > turn.max_tokens:
        text = "".join(parts[: max(turn.max_tokens, 0)]).rstrip()
        answer.finish = "length"
    answer.text = text
    answer.completion_tokens = words(text)
    return answer


def _tool_to_call(turn: Turn) -> tuple[str, JsonObject] | None:
    if not turn.tools or turn.tool_choice == "none":
        return None
    if turn.tool_choice not in ("auto", "required"):
        return next(((n, s) for n, s in turn.tools if n == turn.tool_choice), turn.tools[0])
    if turn.last_is_tool_result and turn.tool_choice == "auto":
        return None  # the model has its tool result: it answers in text
    return turn.tools[0]


def _answer_text(turn: Turn) -> str:
    echo = "ok: " + turn.last_text
    if turn.json_schema is not None:
        return json.dumps(minimal_instance(turn.json_schema))
    if turn.json_mode:
        return json.dumps({"answer": echo})
    return echo


def minimal_instance(schema: object, root: object = None, depth: int = 0) -> Any:
    """The smallest value `schema` accepts (every listed property of an object included, so answers show the
    whole shape). Understands type (also Gemini's upper-case OpenAPI types), enum, const, anyOf/oneOf/allOf,
    local $ref, minimum, minLength and minItems; anything else answers null."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 20:
        return None
    if "$ref" in schema:
        return minimal_instance(_resolve(str(schema["$ref"]), root), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf", "any_of"):
        if schema.get(key):
            return minimal_instance(schema[key][0], root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "null")
    kind = str(kind).lower() if kind is not None else ("object" if "properties" in schema else "null")
    return _minimal_of_type(kind, schema, root, depth)


def _minimal_of_type(kind: str, schema: JsonObject, root: object, depth: int) -> Any:
    if kind == "object":
        props = schema.get("properties") or {}
        return {name: minimal_instance(sub, root, depth + 1) for name, sub in props.items()}
    if kind == "array":
        return [minimal_instance(schema.get("items"), root, depth + 1)] * int(schema.get("minItems", 0))
    if kind == "string":
        return "ok".ljust(int(schema.get("minLength", 0)), "k")
    if kind in ("integer", "number"):
        value = float(schema.get("minimum", schema.get("exclusiveMinimum", 0)) or 0)
        if "exclusiveMinimum" in schema and "minimum" not in schema:
            value += 1
        if "maximum" in schema and value > float(schema["maximum"]):
            value = float(schema["maximum"])  # a range below zero: its top is the value nearest zero
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    return None


def _resolve(ref: str, root: object) -> object:
    node = root
    for part in ref.lstrip("#/").split("/") if ref.startswith("#") else []:
        node = node.get(part) if isinstance(node, dict) else None
    return node


class PrefixCache:
    """Prompt caching, emulated: a prompt whose leading messages were the whole prompt of an earlier request
    (OpenAI, Gemini: automatic caching), or whose `cache_control`-marked prefix was sent before (Anthropic),
    reads those words from the cache. Per server, so a fresh server starts cold."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def longest_seen(self, messages: list[object]) -> int:
        """How many leading `messages` (fewer than all) form a prompt seen before; then remember all."""
        keys = [json.dumps(messages[:n], sort_keys=True) for n in range(len(messages) + 1)]
        with self._lock:
            hit = next((n for n in range(len(messages) - 1, 0, -1) if keys[n] in self._seen), 0)
            self._seen.add(keys[-1])
        return hit

    def write_or_read(self, prefix: object) -> bool:
        """True when `prefix` was cached before (a read), else remember it (a write)."""
        key = json.dumps(prefix, sort_keys=True)
        with self._lock:
            if key in self._seen:
                return True
            self._seen.add(key)
        return False


@dataclass(slots=True)
class Frames:
    """A streamed answer as SSE frames in four parts, so stream faults can cut it at the right place:
    `lead` comes before the first token, `content` carries the tokens, `tail` the finish reason and usage,
    `terminal` the end marker (`[DONE]`, `message_stop`, Gemini's final chunk)."""

    lead: list[bytes] = field(default_factory=list)
    content: list[bytes] = field(default_factory=list)
    tail: list[bytes] = field(default_factory=list)
    terminal: list[bytes] = field(default_factory=list)


def sse(data: object, event: str | None = None) -> bytes:
    """One server-sent event: `event:` line when named, a `data:` line (JSON unless already text)."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()
