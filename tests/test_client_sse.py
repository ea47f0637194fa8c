"""The SSE parser: WHATWG event-stream rules, sync and async, over httpx's line iterators."""

from __future__ import annotations

import asyncio

import httpx

from knollm.client.sse import SSEEvent, aiter_events, iter_events


def events(text: str) -> list[SSEEvent]:
    return list(iter_events(text.splitlines()))


def test_data_lines_join_and_blank_line_dispatches() -> None:
    assert events("data: one\ndata: two\n\ndata: three\n\n") == [SSEEvent("one\ntwo"), SSEEvent("three")]


def test_event_names_ids_comments_and_unknown_fields() -> None:
    text = ": keep-alive\nevent: message_start\nid: 7\nretry: 100\nfoo: bar\ndata: {}\n\ndata: x\n\n"
    assert events(text) == [SSEEvent("{}", "message_start", "7"), SSEEvent("x", "message", "7")]


def test_one_space_after_colon_is_dropped_and_no_space_is_fine() -> None:
    assert events("data:a\n\ndata:  b\n\n") == [SSEEvent("a"), SSEEvent(" b")]


def test_an_event_without_data_is_not_dispatched_and_its_name_does_not_leak() -> None:
    assert events("event: ping\n\ndata: x\n\n") == [SSEEvent("x")]


def test_an_unterminated_last_event_is_dropped() -> None:
    # A connection cut mid-event must not yield half a JSON document.
    assert events('data: {"a": 1}\n\ndata: {"b":') == [SSEEvent('{"a": 1}')]


def test_crlf_lines_from_httpx() -> None:
    response = httpx.Response(200, content=b"data: a\r\n\r\ndata: b\r\rdata: c\n\n")
    assert [e.data for e in iter_events(response.iter_lines())] == ["a", "b", "c"]


def test_async_events_from_httpx_aiter_lines() -> None:
    async def run() -> list[SSEEvent]:
        transport = httpx.MockTransport(lambda _: httpx.Response(200, content=b"event: e\ndata: 1\n\ndata: 2\n\n"))
        async with httpx.AsyncClient(transport=transport) as client, client.stream(
            "GET", "http://test.invalid/"
        ) as response:
            return [event async for event in aiter_events(response.aiter_lines())]

    assert asyncio.run(run()) == [SSEEvent("1", "e"), SSEEvent("2")]
