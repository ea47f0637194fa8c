"""`knollm benchmark`, `knollm usage report` and `knollm usage dashboard` as a user runs them, against the fake
provider: tables on a terminal and in pipes, stable JSON, results in the usage store, exit statuses, hostile
names kept inert, keys never printed."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knollm.analytics import observed_speeds, seed_health
from knollm.analytics.report import usage_report
from knollm.analytics.store import UsageStore
from knollm.cli import main
from knollm.render import Output
from knollm.router.health import HealthStore
from knollm.usage_render import render_report
from usage_helpers import BUNDLE, ENV, HOSTILE, assert_no_key, record, write_config


@pytest.fixture
def setup(fake_provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KNOLLM_BUNDLE", str(BUNDLE))
    monkeypatch.setenv("KNOLLM_CONFIG", str(write_config(tmp_path, fake_provider.base_url,
                                                         analytics='path = "usage.sqlite"\n'
                                                                   'budget_per_day_usd = "0.000001"')))
    (tmp_path / "prompt.txt").write_text("Tell me a story", encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert_no_key(out, err)
    return status, out, err


def test_benchmark_table_json_and_store(setup: Path, fake_provider, capsys: pytest.CaptureFixture[str]) -> None:
    fake_provider.script(["503"], model="tiny-chat")  # one failed run for alpha (the fake serves both providers)
    prompt = str(setup / "prompt.txt")
    status, out, _ = run(capsys, "benchmark", "--models", "alpha/tiny-chat,beta/tiny-chat", "--prompt-file", prompt,
                         "--runs", "3", "--concurrency", "2")
    assert status == 0
    assert out.startswith("Benchmark\nmodel") and "alpha/tiny-chat" in out and "beta/tiny-chat" in out
    assert "5/6" not in out and ("2/3" in out) and "ProviderUnavailable x1" in out
    results = setup / "results.json"
    status, out, _ = run(capsys, "benchmark", "--models", "alpha/tiny-chat", "--prompt-file", prompt, "--runs", "2",
                         "--json", "--out", str(results))
    data = json.loads(out)
    assert data == json.loads(results.read_text(encoding="utf-8"))
    (alpha,) = data["models"]
    assert (alpha["model"], alpha["runs"], alpha["successes"], alpha["success_rate"]) == ("alpha/tiny-chat", 2, 2, 1.0)
    assert alpha["ttft_p50_s"] > 0 and alpha["latency_p50_s"] >= alpha["ttft_p50_s"] and alpha["tokens_per_s"] > 0
    assert isinstance(alpha["cost_usd"], str) and alpha["cost_per_run_usd"]  # exact decimals as strings
    assert list(data) == ["runs_per_model", "concurrency", "recorded", "models", "runs"]
    store = UsageStore(setup / "usage.sqlite")
    rows = store.records()
    assert len(rows) == 8 and {r.source for r in rows} == {"benchmark"}
    speeds = observed_speeds(store)
    assert sorted(speeds) == [("alpha", "alpha/tiny-chat"), ("beta", "beta/tiny-chat")]
    assert sum(s.samples for s in speeds.values()) == 8
    assert sum(s.samples * s.success_rate for s in speeds.values()) == pytest.approx(7, abs=0.01)  # one 503
    assert all(s.latency_p50_s and s.ttft_p50_s and s.tokens_per_s for s in speeds.values())
    health = HealthStore()
    assert seed_health(health, store) == 8
    assert {h.provider: h.calls for h in health.snapshot()} == {"alpha": 5, "beta": 3}
    assert min(h.success_rate for h in health.snapshot()) < 1.0
    assert all(h.latency_s for h in health.snapshot())
    assert_no_key(*(p.read_bytes() for p in setup.glob("usage.sqlite*")))


def test_benchmark_of_an_unknown_model_fails_clearly(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "benchmark", "--models", "alpha/tiny-chat,nobody/nothing", "--prompt-file",
                         str(setup / "prompt.txt"), "--no-record")
    assert status == 1 and "nobody/nothing" in err
    status, _, err = run(capsys, "benchmark", "--models", "alpha/tiny-chat", "--prompt-file", str(setup / "nope"))
    assert status == 1 and "nope" in err
    assert not (setup / "usage.sqlite").exists()


def test_benchmark_where_every_run_fails_exits_1(setup: Path, fake_provider,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    fake_provider.script(["500", "500"])
    status, out, _ = run(capsys, "benchmark", "--models", "alpha/tiny-chat", "--prompt-file",
                         str(setup / "prompt.txt"), "--runs", "2", "--no-record")
    assert status == 1 and "0/2" in out and not (setup / "usage.sqlite").exists()


def _hostile_store(path: Path) -> UsageStore:
    store = UsageStore(path)
    now = time.time()
    store.insert([record(now - 60, model=HOSTILE, provider=HOSTILE, route=HOSTILE, cost_usd="0.5"),
                  record(now - 50, status="failed", error_class="Timeout", cost_usd=None),
                  record(now - 40, ttft_s=0.1)])
    return store


def test_usage_report_plain_json_and_rich(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _hostile_store(setup / "usage.sqlite")
    status, out, _ = run(capsys, "usage", "report", "--since", "1d", "--by", "model")
    assert status == 0 and "By model" in out and "Reliability" in out and "\x1b" not in out and "\x07" not in out
    assert "\\x1b[31m" in out  # the escape sequence is shown, not acted on
    assert "ALERT: day budget over" in out and "Anomalies: none" in out
    status, out, _ = run(capsys, "usage", "report", "--json", "--by", "day")
    data = json.loads(out)
    assert list(data) == ["store", "since", "until", "by", "totals", "groups", "trend", "reliability", "budget",
                          "anomalies", "suggestions"]
    assert data["totals"]["cost_usd"] == "0.501" and data["budget"]["budgets"][0]["status"] == "over"
    buffer = io.StringIO()
    render_report(usage_report(UsageStore(setup / "usage.sqlite"), since_s=86_400, by="provider", catalog=None,
                               settings=None), Output(buffer, rich=True))
    assert "Reliability" in buffer.getvalue() and "Trend" not in buffer.getvalue()


def test_usage_report_of_an_empty_store_and_a_bad_span(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "usage", "report", "--store", str(setup / "other.sqlite"))
    assert status == 0 and "No calls recorded" in out and "Suggestions: none" in out
    status, _, err = run(capsys, "usage", "report", "--since", "forever")
    assert status == 1 and "time span" in err


def test_usage_dashboard_writes_escaped_html(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _hostile_store(setup / "usage.sqlite")
    page = setup / "usage.html"
    status, out, _ = run(capsys, "usage", "dashboard", "--out", str(page))
    assert status == 0 and "3 calls" in out
    html = page.read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html and "\x1b" not in html
    assert "<script" not in html and "://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    status, out, _ = run(capsys, "usage", "dashboard", "--out", str(page), "--json", "--since", "1h")
    assert json.loads(out) == {"out": str(page), "records": 3}


def test_commands_appear_in_help() -> None:
    done = subprocess.run([sys.executable, "-m", "knollm", "--help"], capture_output=True, text=True, check=False)
    assert "usage" in done.stdout and "benchmark" in done.stdout


def test_the_progress_bar_runs_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from knollm.usage_commands import _progress

    with _progress(2, enabled=True) as tick:  # stderr is captured: not a terminal, no bar
        tick(None)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with _progress(2, enabled=True) as tick:
        tick(None)
        tick(None)
    assert "benchmark" in capsys.readouterr().err
