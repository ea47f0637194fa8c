"""`knollm.Client` over `httpx.MockTransport`: resolution (global id, family, route), failover with attempts,
exact costs, streams, and keys that never show. End-to-end runs against the fake provider are in
test_client_e2e.py."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

import knollm
from knollm.client.errors import AuthenticationFailed, InvalidResponse, NoCandidate, ProviderError

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
KEY = "sk-test-KNOLLM-LEAK-CANARY-0007"
ENV = {"ALPHA_KEY": KEY, "ROUTR_API_KEY": KEY + "r", "HOSTCO_API_KEY": KEY + "h"}
CONFIG = """
[providers.alpha]
base_url = "http://alpha.test/v1"
api = "openai"
keys = ["env:ALPHA_KEY"]
timeout_s = 5

[models."alpha/tiny-chat"]
context_window = 8192
input_per_mtok = "0.10"
output_per_mtok = "0.40"

[routes.chat]
candidates = ["alpha/tiny-chat", "routr/meta/llama-4-70b"]
"""


def answer(request: httpx.Request, text: str = "hello") -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(200, json={
        "id": "c1", "object": "chat.completion", "created": 1, "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
    })


def make_client(tmp_path: Path, handler, env: dict[str, str] | None = None) -> knollm.Client:
    config = tmp_path / "knollm.toml"
    config.write_text(CONFIG, encoding="utf-8")
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return knollm.Client(config, http_client=http, catalog=knollm.Catalog.load(FIXTURE),
                         env=ENV if env is None else env)


def test_a_configured_model_answers_with_its_exact_cost(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    with make_client(tmp_path, handler) as client:
        result = client.chat.completions.create(model="alpha/tiny-chat", messages=[{"role": "user", "content": "hi"}])
    assert result.choices[0].message.content == "hello" and result.usage.total_tokens == 1500
    assert str(seen[0].url) == "http://alpha.test/v1/chat/completions"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    info = result.knollm
    assert (info.provider, info.model_id, info.key_alias) == ("alpha", "tiny-chat", "env:ALPHA_KEY")
    # 1000 x 0.10 / 1M + 500 x 0.40 / 1M, exactly
    assert info.cost.total == Decimal("0.0003") and info.cost_note is None
    assert [a.status for a in info.attempts] == ["ok"]


def test_a_route_fails_over_and_records_every_attempt(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "alpha.test":
            return httpx.Response(503, json={"error": {"message": "overloaded"}})
        return answer(request, "from routr")

    with make_client(tmp_path, handler) as client:
        result = client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
    assert result.choices[0].message.content == "from routr"
    info = result.knollm
    assert info.model == "routr/meta/llama-4-70b" and info.family == "llama-4-70b" and info.requested == "chat"
    assert [(a.provider, a.status, a.error) for a in info.attempts] == [
        ("alpha", "failed", "ProviderUnavailable"), ("routr", "ok", None)]
    assert info.cost is not None and info.key_alias == "env:ROUTR_API_KEY"


def test_a_family_tries_offers_cheapest_first_among_providers_with_keys(tmp_path: Path) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return answer(request)

    with make_client(tmp_path, handler, env={"HOSTCO_API_KEY": KEY}) as client:
        resolution = client.resolve("llama-4-70b")
        assert [c.id for c in resolution.candidates] == ["hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo"]
        assert "no key" in resolution.reasons["routr/meta/llama-4-70b"]
        client.chat.completions.create(model="llama-4-70b", messages=[{"role": "user", "content": "hi"}])
    assert hosts == ["api.hostco.example"]


def test_no_usable_candidate_says_why_for_each(tmp_path: Path) -> None:
    with make_client(tmp_path, answer, env={}) as client, pytest.raises(NoCandidate) as caught:
        client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
    assert set(caught.value.reasons) == {"alpha/tiny-chat", "routr/meta/llama-4-70b"}
    assert "ALPHA_KEY" in caught.value.reasons["alpha/tiny-chat"]


def test_a_request_every_provider_would_refuse_stops_the_call(tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        return httpx.Response(400, json={"error": {"message": "bad request"}})

    with make_client(tmp_path, handler) as client, pytest.raises(ProviderError) as caught:
        client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
    assert calls == ["alpha.test"] and len(caught.value.attempts) == 1


def test_the_last_error_carries_all_attempts(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "alpha.test":
            return httpx.Response(401, json={"error": {"message": f"bad key {KEY}"}})
        return httpx.Response(200, text="<html><title>oops</title></html>", headers={"content-type": "text/html"})

    with make_client(tmp_path, handler) as client, pytest.raises(InvalidResponse) as caught:
        client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
    assert [a.error for a in caught.value.attempts] == ["AuthenticationFailed", "InvalidResponse"]
    assert issubclass(AuthenticationFailed, ProviderError)


def sse(*events: dict) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + b"data: [DONE]\n\n"


def chunk(content: str | None, finish: str | None = None) -> dict:
    delta = {"content": content} if content is not None else {}
    return {"id": "s1", "object": "chat.completion.chunk", "created": 1, "model": "tiny-chat",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_a_stream_yields_chunks_and_records_the_call(tmp_path: Path) -> None:
    usage = {"id": "s1", "object": "chat.completion.chunk", "created": 1, "model": "tiny-chat", "choices": [],
             "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}}
    body = sse(chunk("Hel"), chunk("lo"), chunk(None, "stop"), usage)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "alpha.test":
            return httpx.Response(429, headers={"retry-after": "3"}, json={"error": {"message": "slow down"}})
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    with make_client(tmp_path, handler) as client:
        stream = client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}],
                                                stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "Hello"
    info = stream.knollm
    assert info.model == "routr/meta/llama-4-70b" and info.ttft_s is not None and info.cost is not None
    assert [a.error for a in info.attempts] == ["RateLimited", None]


def test_keys_never_show_in_reprs_logs_or_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": f"Incorrect API key provided: {KEY}"}})

    with make_client(tmp_path, handler) as client:
        texts += [repr(client), repr(client.resolve("chat")), repr(client.config)]
        try:
            client.chat.completions.create(model="chat", messages=[{"role": "user", "content": "hi"}])
        except knollm.KnollmError as exc:
            texts += [str(exc), repr(exc), repr(exc.__dict__), repr(exc.attempts)]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text, *(repr(r.__dict__) for r in caplog.records)]
    everything = "\n".join(texts)
    assert KEY not in everything and "LEAK-CANARY" not in everything
    assert "env:ALPHA_KEY" in everything  # the alias is shown, so the check is not vacuous


def test_models_list_is_the_catalog_at_providers_with_keys(tmp_path: Path) -> None:
    with make_client(tmp_path, answer, env={"HOSTCO_API_KEY": KEY}) as client:
        assert {m.provider for m in client.models.list()} == {"hostco"}


def test_import_knollm_does_not_load_the_client() -> None:
    import subprocess
    import sys

    heavy = "('knollm.client', 'knollm.config', 'httpx', 'pydantic')"
    code = f"import sys, knollm; print(sorted(m for m in sys.modules if m.startswith({heavy})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
