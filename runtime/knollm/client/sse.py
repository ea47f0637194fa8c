"""Server-sent events: turn the lines of a streamed response into events, sync and async.

Follows the WHATWG event-stream rules the providers rely on: `data:` lines join with newlines, a blank line
dispatches the event, lines starting with `:` are comments (keep-alives), one space after the colon is dropped.
An event still open when the stream ends is dropped, as the standard says: a cut connection then shows up as a
missing terminal event (the adapter raises `StreamInterrupted`) rather than as half a JSON document.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class SSEEvent:
    """One dispatched event. `event` is `message` when the stream names none (OpenAI, Gemini)."""

    data: str
    event: str = "message"
    id: str | None = None


class _Decoder:
    """Accumulates fields line by line; `line()` returns an event when a blank line completes one."""

    __slots__ = ("_data", "_event", "_id")

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None

    def line(self, line: str) -> SSEEvent | None:
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        # `retry` and unknown fields are ignored, as the standard says.
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = SSEEvent(data="\n".join(self._data), event=self._event or "message", id=self._id)
        self._data = []
        self._event = ""
        return event


def iter_events(lines: Iterable[str]) -> Iterator[SSEEvent]:
    """Events from text lines (e.g. `httpx.Response.iter_lines()`)."""
    decoder = _Decoder()
    for line in lines:
        event = decoder.line(line)
        if event is not None:
            yield event


async def aiter_events(lines: AsyncIterable[str]) -> AsyncIterator[SSEEvent]:
    """Events from async text lines (e.g. `httpx.Response.aiter_lines()`)."""
    decoder = _Decoder()
    async for line in lines:
        event = decoder.line(line)
        if event is not None:
            yield event
