"""Faults the fake provider can inject, and the FIFO queues that script them per model, per route or globally.

A fault is a name with an optional argument after a colon (`"429:5"`: Retry-After 5 s; `"hang:3"`: 3 s):

| fault | what the client sees |
| --- | --- |
| `normal` | the answer (streamed when the request asks) |
| `stream` | the answer as a stream even when the request did not ask |
| `NNN[:S]` (400, 401, 403, 404, 429, 500, 502, 503, 529) | that status in the API's error shape; `S` → Retry-After |
| `hang[:S]` | nothing for S seconds (default 30), then the answer: a read timeout for any shorter client timeout |
| `stall[:S]` | a stream that sends its first chunk, then nothing for S seconds (default 30), then the rest |
| `slow[:S]` | the answer with S seconds (default 0.05) before each stream chunk / before a plain answer |
| `reset` | the connection closed with a TCP reset, no response |
| `close` | the connection closed cleanly, no response |
| `malformed` | status 200, `application/json`, a truncated JSON body; streamed: an event with truncated JSON |
| `html` | status 200, an HTML page (a captive portal, a proxy's login page) |
| `empty` | a valid answer with no choices (OpenAI), no content (Anthropic), no candidates (Gemini) |
| `cut_start` | a stream that breaks (connection closed mid-body) before the first token |
| `cut_mid` | a stream that breaks after half of the answer's words |
| `stream_error` | a stream that sends half the answer, then an error event in the API's shape (503 / Anthropic's
  `overloaded_error`), then ends |
| `no_done` | a stream that ends cleanly but without its terminal event (`[DONE]`, `message_stop`, Gemini's final
  chunk with `finishReason`) |

Which fault answers a request: the model's queue, then the route's queue, then the global queue (each FIFO,
consumed one per request that passed the auth and shape checks); with all empty, a model id `fault/<fault>`
(e.g. `fault/503`, `fault/429:2`) names the fault, so manual trials need no script; else `normal`.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

STATUS_FAULTS = frozenset({400, 401, 403, 404, 429, 500, 502, 503, 529})
NAMED_FAULTS = frozenset(
    {"normal", "stream", "hang", "stall", "slow", "reset", "close", "malformed", "html", "empty", "cut_start",
     "cut_mid", "no_done", "stream_error"}
)
STREAM_FAULTS = frozenset({"stream", "stall", "cut_start", "cut_mid", "no_done", "stream_error"})
"""Faults that answer with a stream whatever the request asked."""
DEFAULT_SECONDS = {"hang": 30.0, "stall": 30.0, "slow": 0.05}
ROUTES = ("openai/chat", "openai/models", "anthropic/messages", "anthropic/models", "gemini/generate",
          "gemini/models")
FAULT_MODEL_PREFIX = "fault/"


@dataclass(slots=True, frozen=True)
class Fault:
    """A parsed fault: `name` is a named fault or a status code as text; `arg` the text after the colon."""

    name: str
    arg: str | None = None

    @property
    def status(self) -> int | None:
        return int(self.name) if self.name.isdigit() else None

    @property
    def seconds(self) -> float:
        return float(self.arg) if self.arg else DEFAULT_SECONDS.get(self.name, 0.0)

    @property
    def streams(self) -> bool:
        return self.name in STREAM_FAULTS

    def __str__(self) -> str:
        return self.name if self.arg is None else f"{self.name}:{self.arg}"


def parse_fault(text: str) -> Fault:
    """`"429:5"` → Fault("429", "5"). Raises ValueError naming the known faults."""
    name, _, arg = text.strip().partition(":")
    known = name in NAMED_FAULTS or (name.isdigit() and int(name) in STATUS_FAULTS)
    if not known:
        raise ValueError(
            f"unknown fault {text!r}; use one of {', '.join(sorted(NAMED_FAULTS))} or a status "
            f"{', '.join(str(s) for s in sorted(STATUS_FAULTS))}, optionally with ':seconds'"
        )
    if arg:
        try:
            float(arg)
        except ValueError:
            raise ValueError(f"fault {text!r}: the part after ':' must be a number of seconds") from None
    return Fault(name, arg or None)


NORMAL = Fault("normal")


class FaultScript:
    """Thread-safe FIFO queues of faults: one per model id, one per route, one global."""

    def __init__(self) -> None:
        self._models: dict[str, deque[Fault]] = {}
        self._routes: dict[str, deque[Fault]] = {}
        self._default: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(self, faults: list[str], *, model: str | None = None, route: str | None = None) -> None:
        """Queue `faults` (parsed first, so a typo fails here, not mid-test) for `model`, `route` or all."""
        if model is not None and route is not None:
            raise ValueError("script one queue at a time: pass model= or route=, not both")
        if route is not None and route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; use one of {', '.join(ROUTES)}")
        parsed = [parse_fault(f) for f in faults]
        with self._lock:
            if model is not None:
                self._models.setdefault(model, deque()).extend(parsed)
            elif route is not None:
                self._routes.setdefault(route, deque()).extend(parsed)
            else:
                self._default.extend(parsed)

    def next(self, model: str | None, route: str) -> Fault:
        """The fault for a request to `model` on `route` (see the module docstring for the order)."""
        with self._lock:
            for queue in (self._models.get(model or ""), self._routes.get(route), self._default):
                if queue:
                    return queue.popleft()
        if model and model.startswith(FAULT_MODEL_PREFIX):
            try:
                return parse_fault(model[len(FAULT_MODEL_PREFIX):])
            except ValueError:
                return NORMAL
        return NORMAL

    def pending(self) -> int:
        """How many scripted faults are still queued (a test can assert its script was used up)."""
        with self._lock:
            queues = [*self._models.values(), *self._routes.values(), self._default]
            return sum(len(q) for q in queues)

    def clear(self) -> None:
        with self._lock:
            self._models.clear()
            self._routes.clear()
            self._default.clear()
