"""`knollm-build fetch` against the fake provider: pagination, faults, size limit, status file, no key leaks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from fetch_helpers import CATALOG, KEY_ENV, assert_no_canary, fetch, folder_text
from knollm.client.paged_listing import Fetcher, merge_pages
from knollm.config.model import Config
from knollm.safefile import MIB
from knollm.testing import CANARY_KEYS, FakeProvider
from knollm.testing.fake_listing import ListingOptions
from knollm_compiler.build_cli import main as build_main
from knollm_compiler.fetch.command import fetch_one, print_summary
from knollm_compiler.fetch.plan import ListingPlan, make_plans, plan_for
from knollm_compiler.fetch.status import Outcome, age_days, read_previous
from knollm_compiler.providers import ProviderSpec, load_provider_specs


def test_paginated_listings_of_three_dialects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap"
    with FakeProvider(keys=set(CANARY_KEYS), models=["m-a", "m-b", "m-c"]) as server:
        server.listing = ListingOptions(page_size=2, prices={"m-a": ("0.000001", "0.000002")})
        assert fetch(tmp_path, server, out) == 0
        pages = [r for r in server.requests if r.route.endswith("/models")]
    anthropic = json.loads((out / "models_anthropic.json").read_text())
    gemini = json.loads((out / "models_gemini.json").read_text())
    openai = json.loads((out / "models_openai.json").read_text())
    assert [e["id"] for e in anthropic["data"]] == ["m-a", "m-b", "m-c"]
    assert "has_more" not in anthropic and "last_id" not in anthropic
    assert [e["name"] for e in gemini["models"]] == ["models/m-a", "models/m-b", "models/m-c"]
    assert "nextPageToken" not in gemini
    assert openai["data"][0]["pricing"] == {"prompt": "0.000001", "completion": "0.000002"}
    assert sum(r.route == "anthropic/models" for r in pages) == 2
    assert sum(r.route == "gemini/models" for r in pages) == 2
    assert any("after_id=m-b" in r.path for r in pages) and any("pageToken=2" in r.path for r in pages)
    status = json.loads((out / "failed_models.json").read_text())
    assert status["anthropic"]["status"] == "fetched" and status["anthropic"]["pages"] == 2
    assert status["gemini"]["models"] == 3 and status["openai"]["failed"] is False
    captured = capsys.readouterr()
    assert "3 fetched" in captured.out
    assert_no_canary(captured.out, captured.err, folder_text(out))


def test_401_keeps_the_previous_snapshot_and_says_how_old(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap"
    out.mkdir()
    (out / "models_openai.json").write_text('{"data": [{"id": "old"}]}')
    three_days_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3, hours=1)).isoformat()
    (out / "failed_models.json").write_text(json.dumps({"openai": {"failed": False, "fetched_at": three_days_ago,
                                                                   "last_success": three_days_ago}}))
    wrong = {k: "sk-test-not-accepted-by-the-fake-000" for k in KEY_ENV}
    with FakeProvider(keys=set(CANARY_KEYS)) as server:
        assert fetch(tmp_path, server, out, env=wrong) == 1
    status = json.loads((out / "failed_models.json").read_text())["openai"]
    assert (status["status"], status["error_class"], status["http_status"]) == ("failed", "AuthenticationFailed", 401)
    assert status["attempts"] == 1 and status["snapshot_age_days"] == 3
    assert status["last_success"] == three_days_ago
    assert json.loads((out / "models_openai.json").read_text()) == {"data": [{"id": "old"}]}
    captured = capsys.readouterr()
    assert "not-accepted" not in captured.out + captured.err + folder_text(out)


def _plan(server: FakeProvider, path: str = "/v1/models") -> ListingPlan:
    from knollm.client.target import Secret

    return ListingPlan("alpha", server.base_url + path, "bearer", Secret(CANARY_KEYS[0], "env:ALPHA"))


def test_429_waits_at_least_retry_after_then_succeeds(fake_provider: FakeProvider, tmp_path: Path) -> None:
    fake_provider.script(["429:2", "normal"], route="openai/models")
    waits: list[float] = []
    with httpx.Client() as http:
        outcome = fetch_one(Fetcher(http, timeout_s=5, sleep=waits.append), _plan(fake_provider), tmp_path)
    assert outcome.status == "fetched" and outcome.attempts == 2
    assert waits and waits[0] >= 2.0
    assert (tmp_path / "models_alpha.json").exists()


@pytest.mark.parametrize(("faults", "error_class", "attempts"), [
    (["hang:5", "hang:5"], "Timeout", 2),
    (["html"], "InvalidResponse", 1),
    (["malformed"], "InvalidResponse", 1),
    (["503", "503"], "ProviderUnavailable", 2),
])
def test_faults_fail_with_their_class(fake_provider: FakeProvider, tmp_path: Path, faults: list[str],
                                      error_class: str, attempts: int) -> None:
    fake_provider.script(faults, route="openai/models")
    with httpx.Client() as http:
        fetcher = Fetcher(http, timeout_s=0.3, attempts=2, sleep=lambda seconds: None)
        outcome = fetch_one(fetcher, _plan(fake_provider), tmp_path)
    assert (outcome.status, outcome.error_class, outcome.attempts) == ("failed", error_class, attempts)
    assert not (tmp_path / "models_alpha.json").exists()
    assert_no_canary(outcome.reason)


def test_a_50_mb_listing_is_refused_without_reading_it_all(fake_provider: FakeProvider, tmp_path: Path) -> None:
    fake_provider.listing = ListingOptions(huge_bytes=50 * MIB)
    with httpx.Client() as http:
        outcome = fetch_one(Fetcher(http, timeout_s=10, max_bytes=4 * MIB), _plan(fake_provider), tmp_path)
    assert (outcome.status, outcome.error_class) == ("failed", "ListingTooLarge")
    assert "larger than 4 MiB" in outcome.reason


def test_a_declared_length_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": str(100 * MIB)}, content=b"{}")

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        plan = ListingPlan("alpha", "https://example.invalid/models")
        outcome = fetch_one(Fetcher(http, max_bytes=MIB), plan, tmp_path)
    assert outcome.error_class == "ListingTooLarge"


def test_plans_skip_what_cannot_be_fetched() -> None:
    specs, problems = load_provider_specs(CATALOG / "providers")
    assert not problems
    plans = {p.provider: p for p in make_plans(specs, None, {})}
    assert plans["openai"].skip == "no key (set env:OPENAI_API_KEY)"
    assert any(p.skip and "placeholders" in p.skip for p in plans.values())
    assert plan_for("nope", None, None, {}).skip
    gemini = make_plans(specs, None, {"GOOGLE_API_KEY": CANARY_KEYS[1]}, ["gemini"])[0]
    assert gemini.url == "https://generativelanguage.googleapis.com/v1beta/models" and gemini.auth_header == \
        "x-goog-api-key"
    assert CANARY_KEYS[1] not in repr(gemini)


def test_config_keys_and_custom_headers_and_public_listings() -> None:
    spec = ProviderSpec.model_validate({
        "name": "Beta", "homepage": "https://b.example", "docs_url": "https://b.example", "kind": "inference-host",
        "api_kind": "openai", "base_url": "https://b.example/v1", "models_path": "/models", "free_tier": False,
        "auth": {"header": "custom", "header_name": "xi-api-key"}, "sources": {"base_url": "https://b.example",
                                                                               "auth": "https://b.example"},
        "listing": {"public": True}})
    assert plan_for("beta", spec, None, {}).skip is None
    config = Config.model_validate({"providers": {"beta": {"keys": ["env:BETA_KEY"]}}})
    plan = plan_for("beta", spec, config.providers["beta"], {"BETA_KEY": CANARY_KEYS[0]})
    assert plan.auth_header == "custom:xi-api-key" and plan.key_env == "env:BETA_KEY"
    signed = ProviderSpec.model_validate({**spec.model_dump(), "auth": {"header": "aws-sigv4"}, "listing": {}})
    assert "signing" in (plan_for("beta", signed, None, {}).skip or "")
    with pytest.raises(ValueError, match="credentials"):
        ProviderSpec.model_validate({**spec.model_dump(), "listing": {"headers": {"X-Api-Key": "x"}}})
    with pytest.raises(ValueError, match="go together"):
        ProviderSpec.model_validate({**spec.model_dump(), "listing": {"page_size": 5}})


def test_merge_keeps_bare_arrays_and_keyed_objects() -> None:
    plan = ListingPlan("x").request()
    assert merge_pages(plan, [[{"id": "a"}]]) == ([{"id": "a"}], 1)
    assert merge_pages(plan, [{"a": {"x": 1}, "b": {"x": 2}}])[1] == 2


def test_status_helpers_tolerate_bad_input(tmp_path: Path) -> None:
    (tmp_path / "failed_models.json").write_text("[1, 2")
    assert read_previous(tmp_path) == {}
    assert age_days("not a date", dt.datetime.now(dt.UTC)) is None
    assert age_days("2026-01-01T00:00:00", dt.datetime(2026, 1, 11, tzinfo=dt.UTC)) == 10


def test_summary_lists_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    print_summary([Outcome("a", "fetched", models=3, attempts=1, pages=1),
                   Outcome("b", "failed", "boom", "RateLimited", 429, 3),
                   Outcome("c", "skipped", "no key (set env:C)"), Outcome("d", "skipped", "no models endpoint")],
                  sys.stdout)
    out = capsys.readouterr().out
    assert "1 fetched, 1 skipped for no key, 1 skipped otherwise, 1 failed" in out
    assert "RateLimited HTTP 429 after 3 attempt(s): boom" in out


def test_cli_entry_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build_main(["fetch", "--out", str(tmp_path / "o"), "--catalog", str(tmp_path)]) == 2
    assert build_main(["fetch", "--out", str(tmp_path / "o"), "--provider", "no-such-provider"]) == 2
    assert "unknown provider" in capsys.readouterr().err
    for bad in (["--timeout", "0"], ["--concurrency", "x"], ["--max-listing-mb", "-1"]):
        with pytest.raises(SystemExit):
            build_main(["fetch", "--out", str(tmp_path / "o"), *bad])
    (tmp_path / "cfg.toml").write_text("[providers.openai]\nbase_url = 5\n")
    assert build_main(["fetch", "--out", str(tmp_path / "o"), "--config", str(tmp_path / "cfg.toml")]) == 2
    broken = tmp_path / "broken"
    (broken / "providers").mkdir(parents=True)
    (broken / "providers" / "x.toml").write_text("name = 1\n")
    assert build_main(["fetch", "--out", str(tmp_path / "o"), "--catalog", str(broken)]) == 1


def test_publish_from_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeProvider(keys=set(CANARY_KEYS)) as server:
        assert fetch(tmp_path, server, tmp_path / "snap", "--publish-to", str(tmp_path / "pub")) == 0
    assert "0 listing(s) of redistributable providers" in capsys.readouterr().out


def test_an_unwritable_folder_fails_the_provider(fake_provider: FakeProvider, tmp_path: Path) -> None:
    with httpx.Client() as http:
        outcome = fetch_one(Fetcher(http, timeout_s=5), _plan(fake_provider), tmp_path / "missing" / "dir")
    assert (outcome.status, outcome.error_class) == ("failed", "FileNotFoundError")


def test_skipped_providers_keep_their_entry_and_get_none_otherwise(tmp_path: Path) -> None:
    from knollm_compiler.fetch.status import write_status

    (tmp_path / "failed_models.json").write_text(json.dumps({"old": {"failed": False,
                                                                     "last_success": "2026-01-01T00:00:00Z"}}))
    now = dt.datetime(2026, 1, 31, tzinfo=dt.UTC)
    written = write_status(tmp_path, [Outcome("old", "skipped", "no key (set env:OLD)"),
                                      Outcome("new", "skipped", "no key (set env:NEW)")], now)
    assert set(written) == {"old"}
    assert written["old"]["status"] == "skipped" and written["old"]["snapshot_age_days"] == 30
    assert written["old"]["last_success"] == "2026-01-01T00:00:00Z" and written["old"]["failed"] is False
