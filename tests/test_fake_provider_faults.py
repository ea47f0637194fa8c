"""Every fault of the fake provider, in each API, as a plain httpx client sees it; the script's queues and their
order; shutdown with hanging handlers; the command line; and no key in any output."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from fake_calls import APIS, KEY, chat_request, read_stream, send, sse_events, stream_text
from knollm.testing import CANARY_KEYS, FakeProvider, FakeProviderProcess, parse_fault

ROUTE = {"openai": "openai/chat", "anthropic": "anthropic/messages", "gemini": "gemini/generate"}


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 502, 503, 529])
def test_status_faults_answer_in_the_api_error_shape(fake_provider: FakeProvider, api: str, status: int) -> None:
    fake_provider.script([f"{status}:7"])
    response = send(chat_request(fake_provider, api))
    assert response.status_code == status
    assert response.headers["retry-after"] == "7"
    body = response.json()
    assert "error" in body and "scripted status" in json.dumps(body)
    if api == "anthropic":
        assert body["type"] == "error"


def test_status_fault_without_seconds_has_no_retry_after(fake_provider: FakeProvider) -> None:
    fake_provider.script(["503"])
    response = send(chat_request(fake_provider, "openai"))
    assert response.status_code == 503 and "retry-after" not in response.headers


@pytest.mark.parametrize("api", APIS)
def test_reset_and_close_send_no_response(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["reset", "close", "normal"])
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        send(chat_request(fake_provider, api))
    with pytest.raises(httpx.RemoteProtocolError):
        send(chat_request(fake_provider, api))
    assert send(chat_request(fake_provider, api)).status_code == 200  # the server lives on


@pytest.mark.parametrize("api", APIS)
def test_malformed_json_and_html_with_200(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["malformed", "html"])
    malformed = send(chat_request(fake_provider, api))
    assert malformed.status_code == 200 and malformed.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.text)
    html = send(chat_request(fake_provider, api))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.startswith("<!doctype html>")


@pytest.mark.parametrize("api", APIS)
def test_malformed_event_in_a_stream(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["malformed"])
    response = send(chat_request(fake_provider, api, "hello there", stream=True))
    assert response.headers["content-type"].startswith("text/event-stream")
    broken = [d for _, d in sse_events(response.text) if d != "[DONE]" and not _is_json(d)]
    assert len(broken) == 1


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def test_empty_answers(fake_provider: FakeProvider) -> None:
    fake_provider.script(["empty"] * 6)
    assert send(chat_request(fake_provider, "openai")).json()["choices"] == []
    assert send(chat_request(fake_provider, "anthropic")).json()["content"] == []
    gemini = send(chat_request(fake_provider, "gemini")).json()
    assert "candidates" not in gemini and gemini["usageMetadata"]["promptTokenCount"] == 2
    for api in APIS:
        events = sse_events(send(chat_request(fake_provider, api, stream=True)).text)
        assert stream_text(api, events)[0] == ""


@pytest.mark.parametrize("api", APIS)
def test_stream_fault_streams_a_plain_request(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["stream"])
    response = send(chat_request(fake_provider, api, "hello there"))
    assert response.headers["content-type"].startswith("text/event-stream")
    assert stream_text(api, sse_events(response.text)) == ("ok: hello there", True)


@pytest.mark.parametrize("api", APIS)
def test_stream_cut_before_the_first_token(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["cut_start"])
    chunks, error = read_stream(chat_request(fake_provider, api, "hello there", stream=True))
    assert isinstance(error, httpx.RemoteProtocolError)
    assert stream_text(api, sse_events(_body(chunks)))[0] == ""


@pytest.mark.parametrize("api", APIS)
def test_stream_cut_midway(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["cut_mid"])
    chunks, error = read_stream(chat_request(fake_provider, api, "one two three four five", stream=True))
    assert isinstance(error, httpx.RemoteProtocolError)
    text, terminal = stream_text(api, sse_events(_body(chunks)))
    assert text == "ok: one two " and not terminal


@pytest.mark.parametrize("api", APIS)
def test_stream_without_its_terminal_event_ends_cleanly(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["no_done"])
    chunks, error = read_stream(chat_request(fake_provider, api, "hello there", stream=True))
    assert error is None
    text, terminal = stream_text(api, sse_events(_body(chunks)))
    assert text == "ok: hello there" and not terminal
    if api == "anthropic":
        assert b"message_delta" in b"".join(chunks)


@pytest.mark.parametrize("api", APIS)
def test_stream_error_event_after_half_the_answer(fake_provider: FakeProvider, api: str) -> None:
    fake_provider.script(["stream_error"])
    chunks, error = read_stream(chat_request(fake_provider, api, "one two three four five", stream=True))
    assert error is None
    events = sse_events(_body(chunks))
    name, data = events[-1]
    assert "error" in json.loads(data) and (name == "error") == (api == "anthropic")
    assert stream_text(api, events[:-1]) == ("ok: one two ", False)


def test_hang_outlasts_the_client_timeout_then_answers(fake_provider: FakeProvider) -> None:
    fake_provider.script(["hang:0.5", "hang:0.2"])
    with pytest.raises(httpx.ReadTimeout):
        send(chat_request(fake_provider, "openai"), timeout=0.1)
    assert send(chat_request(fake_provider, "openai"), timeout=5).status_code == 200


def test_stall_times_out_after_the_first_chunk(fake_provider: FakeProvider) -> None:
    fake_provider.script(["stall:30"])  # the fixture's stop wakes the stalled handler at once
    chunks, error = read_stream(chat_request(fake_provider, "openai", "hello there", stream=True), timeout=1.0)
    assert isinstance(error, httpx.ReadTimeout)
    assert stream_text("openai", sse_events(_body(chunks)))[0] == "ok: "


def test_slow_delays_every_chunk(fake_provider: FakeProvider) -> None:
    fake_provider.script(["slow:0.05"])
    started = time.perf_counter()
    events = sse_events(send(chat_request(fake_provider, "gemini", "a b c", stream=True)).text)
    assert time.perf_counter() - started >= 0.05 * len(events)
    assert stream_text("gemini", events) == ("ok: a b c", True)


@pytest.mark.parametrize("api", APIS)
def test_model_id_names_the_fault(fake_provider: FakeProvider, api: str) -> None:
    assert send(chat_request(fake_provider, api, model="fault/429:3")).headers["retry-after"] == "3"
    assert send(chat_request(fake_provider, api, model="fault/500")).status_code == 500
    assert send(chat_request(fake_provider, api, model="fault/not-a-fault")).status_code == 200


def test_queues_model_then_route_then_global(fake_provider: FakeProvider) -> None:
    fake_provider.script(["500"])
    fake_provider.script(["502"], route="anthropic/messages")
    fake_provider.script(["503"], model="special")
    assert fake_provider.pending == 3
    assert send(chat_request(fake_provider, "anthropic", model="special")).status_code == 503
    assert send(chat_request(fake_provider, "anthropic")).status_code == 502
    assert send(chat_request(fake_provider, "anthropic")).status_code == 500
    assert send(chat_request(fake_provider, "anthropic")).status_code == 200
    assert [r.fault for r in fake_provider.requests] == ["503", "502", "500", "normal"]
    assert fake_provider.pending == 0


def test_model_queue_matches_gemini_path_models(fake_provider: FakeProvider) -> None:
    fake_provider.script(["429"], model="gemini-x")
    assert send(chat_request(fake_provider, "gemini", model="gemini-x")).status_code == 429
    assert fake_provider.requests[-1].model == "gemini-x" and fake_provider.requests[-1].route == "gemini/generate"


def test_auth_failures_do_not_use_up_the_script(fake_provider: FakeProvider) -> None:
    fake_provider.script(["503"])
    assert send(chat_request(fake_provider, "openai", headers={})).status_code == 401
    assert send(chat_request(fake_provider, "openai")).status_code == 503


def test_models_route_faults(fake_provider: FakeProvider) -> None:
    fake_provider.script(["empty", "malformed", "429"], route="openai/models")
    url = f"{fake_provider.base_url}/v1/models"
    headers = {"authorization": f"Bearer {KEY}"}
    assert send(httpx.Request("GET", url, headers=headers)).json()["data"] == []
    with pytest.raises(json.JSONDecodeError):
        json.loads(send(httpx.Request("GET", url, headers=headers)).text)
    assert send(httpx.Request("GET", url, headers=headers)).status_code == 429


@pytest.mark.parametrize("bad", ["teapot", "418", "hang:soon", ""])
def test_unknown_faults_fail_when_scripted(fake_provider: FakeProvider, bad: str) -> None:
    with pytest.raises(ValueError, match="fault"):
        fake_provider.script([bad])
    with pytest.raises(ValueError, match="route"):
        fake_provider.script(["normal"], route="openai/nope")
    assert parse_fault("429:2.5").seconds == 2.5


def test_stop_within_a_second_with_hanging_handlers() -> None:
    server = FakeProvider().start()
    server.script(["hang:30", "stall:30"])
    errors: list[Exception] = []

    def call(stream: bool) -> None:
        try:
            send(chat_request(server, "openai", stream=stream, headers={"authorization": "Bearer x"}), timeout=60)
        except httpx.HTTPError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(s,), daemon=True) for s in (False, True)]
    for t in threads:
        t.start()
    while len(server.requests) < 2:
        time.sleep(0.01)
    stopped_request = chat_request(server, "openai")
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 1.0
    for t in threads:
        t.join(timeout=2)
    assert len(errors) == 2  # both clients see the connection end, neither waits 30 s
    with pytest.raises(httpx.ConnectError):  # the port is closed
        send(stopped_request, timeout=1)


def test_command_line_serves_a_script(tmp_path: Path) -> None:
    script = tmp_path / "faults.json"
    script.write_text(json.dumps({"default": ["429:4"], "models": {"m2": ["500"]}}))
    with FakeProviderProcess(keys=[KEY], script=script) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        request = chat_request(server, "openai")
        assert send(request).headers["retry-after"] == "4"
        assert send(chat_request(server, "openai", model="m2")).status_code == 500
        assert send(chat_request(server, "openai")).json()["choices"][0]["message"]["content"] == (
            "ok: hello there")


def test_command_line_help_and_bad_script(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "knollm.testing.fake_provider"]
    shown = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=30, check=True).stdout
    assert "--port" in shown and "--script" in shown and "cut_mid" in shown
    bad = tmp_path / "bad.json"
    bad.write_text('["teapot"]')
    failed = subprocess.run([*command, "--script", str(bad)], capture_output=True, text=True, timeout=30)
    assert failed.returncode == 1 and "unknown fault 'teapot'" in failed.stderr and "Traceback" not in failed.stderr


def test_no_key_in_any_output(fake_provider: FakeProvider, caplog: pytest.LogCaptureFixture,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """Every API and fault with canary keys in headers and in Gemini's ?key=: no key in the fake's logs, records,
    bodies. (httpx itself logs request URLs at INFO, ?key= included: clients must send keys in headers.)"""
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    faults = ["normal", "401", "429:1", "malformed", "html", "empty", "stream", "no_done"]
    for api in APIS:
        for fault in faults:
            fake_provider.script([fault])
            request = chat_request(fake_provider, api, stream=fault == "no_done")
            if api == "gemini":
                request.url = request.url.copy_add_param("key", CANARY_KEYS[1])
            response = send(request)
            seen.append(response.text + str(response.headers))
        send(chat_request(fake_provider, api, headers={"authorization": f"Bearer {CANARY_KEYS[1]}x"}))
    captured = capsys.readouterr()
    fake_logs = [r.getMessage() for r in caplog.records if r.name.startswith("knollm")]
    assert fake_logs
    outputs = [*seen, *fake_logs, captured.out, captured.err, repr(fake_provider.requests)]
    assert any("…0001" in o for o in outputs)
    for key in CANARY_KEYS:
        assert all(key not in o for o in outputs), key


def _body(chunks: list[bytes]) -> str:
    return b"".join(chunks).decode()
