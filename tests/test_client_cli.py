"""`knollm chat` and `knollm providers check` run as a user runs them (a subprocess) against the fake provider:
streamed answers, JSON, exit statuses, escape sequences from the provider kept inert, keys never printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from knollm.testing import CANARY_KEYS

KEY = CANARY_KEYS[0]
BUNDLE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


@pytest.fixture
def run(fake_provider, tmp_path: Path):
    (tmp_path / "knollm.toml").write_text(f"""
[providers.alpha]
base_url = "{fake_provider.base_url}/v1"
api = "openai"
keys = ["env:ALPHA_KEY"]

[models."alpha/tiny-chat"]
input_per_mtok = "0.10"
output_per_mtok = "0.40"
""", encoding="utf-8")

    def _run(*args: str, key: str = KEY, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ALPHA_KEY": key, "KNOLLM_CONFIG": str(tmp_path / "knollm.toml"),
               "KNOLLM_BUNDLE": str(BUNDLE)}  # CI runs `make test` on a clean clone: no packaged bundle there
        return subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env,
                              input=stdin, timeout=60, check=False)

    return _run


def assert_no_key(*texts: str) -> None:
    assert not [key for key in CANARY_KEYS if any(key in text for text in texts)]


def test_chat_streams_the_answer_and_a_summary(run) -> None:
    done = run("chat", "alpha/tiny-chat", "hello there", "--system", "be brief")
    assert done.returncode == 0 and done.stdout == "ok: hello there\n"
    assert done.stderr.startswith("-- alpha/tiny-chat · ") and "$0.0000" in done.stderr
    assert_no_key(done.stdout, done.stderr)


def test_chat_reads_the_prompt_from_stdin_and_prints_json(run) -> None:
    import json

    done = run("chat", "alpha/tiny-chat", "--json", stdin="from stdin")
    data = json.loads(done.stdout)
    assert data["response"]["choices"][0]["message"]["content"] == "ok: from stdin"
    assert data["knollm"]["key_alias"] == "env:ALPHA_KEY" and data["knollm"]["cost"]["total"]
    assert_no_key(done.stdout, done.stderr)


def test_a_bad_key_is_one_line_and_exit_1(run) -> None:
    done = run("chat", "alpha/tiny-chat", "hi", key="sk-wrong-" + KEY[::-1])
    assert done.returncode == 1 and done.stdout.strip() == ""
    assert done.stderr.count("\n") == 1 and "AuthenticationFailed" not in done.stderr and "401" in done.stderr
    assert "Traceback" not in done.stderr and KEY[::-1] not in done.stderr


def test_provider_text_cannot_drive_the_terminal(run) -> None:
    done = run("chat", "alpha/tiny-chat", "\x1b]0;pwned\x07\x1b[2J tail")
    assert done.returncode == 0 and "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "tail" in done.stdout


def test_providers_check_lists_and_compares(run) -> None:
    done = run("providers", "check", "--provider", "alpha", "--deep", "--verbose")
    assert done.returncode == 0, done.stderr
    assert "alpha" in done.stdout and "ok" in done.stdout and "tiny-chat: ok" in done.stdout
    assert "catalog lacks tiny-chat, tiny-tools" in done.stdout
    assert_no_key(done.stdout, done.stderr)


def test_providers_check_reports_a_failing_provider(run, fake_provider) -> None:
    fake_provider.script(["503"], route="openai/models")
    done = run("providers", "check", "--provider", "alpha")
    assert done.returncode == 1 and "ProviderUnavailable" in done.stdout
