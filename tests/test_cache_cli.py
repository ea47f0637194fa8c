"""`knollm cache stats|clear|prune|warm` with a configuration file naming the cache and the fake provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cache_helpers import FIXTURE
from knollm.cache_commands import duration, read_prompts
from knollm.cli import main
from knollm.errors import InvalidArgument
from knollm.testing import CANARY_KEYS, FakeProvider


def write_config(tmp_path: Path, base_url: str) -> Path:
    path = tmp_path / "knollm.toml"
    path.write_text(f"""
[providers.fake-openai]
base_url = "{base_url}/v1"
api = "openai"
keys = ["env:FAKE_KEY"]

[models."fake-openai/tiny-chat"]
input_per_mtok = "1"
output_per_mtok = "2"

[cache]
path = "{tmp_path / 'cache.sqlite'}"
ttl_s = 600
""", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    assert not any(key in captured.out + captured.err for key in CANARY_KEYS)
    return status, captured.out


def test_warm_stats_prune_clear(fake_provider: FakeProvider, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_KEY", CANARY_KEYS[0])
    config = str(write_config(tmp_path, fake_provider.base_url))
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("# greetings\nsay hi\n\nsay bye\n", encoding="utf-8")
    warm = ["cache", "warm", "--prompt-file", str(prompts), "--model", "fake-openai/tiny-chat", "--config", config,
            "--bundle", str(FIXTURE)]
    status, out = run(capsys, *warm)
    assert status == 0 and "2 prompts: 2 answers stored, 0 already cached, 0 failed" in out
    status, out = run(capsys, *warm, "--json")
    assert status == 0 and json.loads(out) == {"prompts": 2, "stored": 0, "cached": 2, "failed": 0}
    assert len(fake_provider.requests) == 2

    status, out = run(capsys, "cache", "stats", "--config", config, "--json")
    stats = json.loads(out)
    assert (stats["entries"], stats["hits"], stats["misses"], stats["stores"]) == (2, 2, 2, 2)
    assert stats["hit_ratio"] == 0.5
    status, out = run(capsys, "cache", "stats", "--config", config)
    assert "hit ratio" in out and "50.0%" in out
    status, out = run(capsys, "cache", "prune", "--older-than", "7d", "--config", config)
    assert status == 0 and "removed 0" in out
    status, out = run(capsys, "cache", "prune", "--older-than", "0s", "--config", config, "--json")
    assert json.loads(out) == {"removed": 2}
    status, out = run(capsys, "cache", "clear", "--config", config)
    assert status == 0 and "removed 0 cached answers" in out


def test_warm_reports_failures_and_bad_files(fake_provider: FakeProvider, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_KEY", CANARY_KEYS[0])
    config = str(write_config(tmp_path, fake_provider.base_url))
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text('[{"role": "user", "content": "hi"}]\n{"messages": [{"role": "user", "content": "yo"}]}\n',
                       encoding="utf-8")
    status, out = run(capsys, "cache", "warm", "--prompt-file", str(prompts), "--model", "fake-openai/fault/503",
                      "--config", config, "--bundle", str(FIXTURE))
    assert status == 1 and "failed: ProviderUnavailable" in out and "2 failed" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    status = main(["cache", "warm", "--prompt-file", str(bad), "--model", "m", "--config", config])
    assert status == 1 and "line 1" in capsys.readouterr().err
    status = main(["cache", "warm", "--prompt-file", str(tmp_path), "--model", "m", "--config", config])
    assert status == 1 and "cannot read the prompt file" in capsys.readouterr().err


def test_a_broken_cache_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cache.sqlite").write_bytes(b"not a database" * 200)
    config = str(write_config(tmp_path, "http://127.0.0.1:9"))
    assert main(["cache", "stats", "--config", config]) == 1
    assert "cannot use the response cache file" in capsys.readouterr().err


def test_durations_and_prompt_files(tmp_path: Path) -> None:
    assert duration("7d") == 604_800 and duration("90") == 90 and duration("1.5h") == 5400 and duration("2w") > 0
    with pytest.raises(Exception, match="not a duration"):
        duration("soon")
    lines = tmp_path / "p.jsonl"
    lines.write_text('{"messages": "nope"}\n', encoding="utf-8")
    with pytest.raises(InvalidArgument, match="not a list of messages"):
        read_prompts(lines)


def test_compare_command(fake_provider: FakeProvider, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_KEY", CANARY_KEYS[0])
    config = str(write_config(tmp_path, fake_provider.base_url))
    models = "fake-openai/tiny-chat,fake-openai/fault/503"
    status, out = run(capsys, "compare", "--models", models, "say \x1b[31mhi", "--config", config, "--bundle",
                      str(FIXTURE), "--consensus", "--timeout", "5")
    assert status == 0 and "failed: ProviderUnavailable" in out and "consensus: 100% agree" in out
    assert "── fake-openai/tiny-chat" in out and "\x1b" not in out and "total $0.000008" in out
    status, out = run(capsys, "compare", "--models", models, "hi", "--config", config, "--bundle", str(FIXTURE),
                      "--json")
    data = json.loads(out)
    assert data["members"][0]["cost"] == "0.000005" and data["members"][1]["status"] == "failed"
    assert data["consensus"] is None and data["total_cost"] == "0.000005"
    status, out = run(capsys, "compare", "--models", "fake-openai/fault/500,fake-openai/fault/503", "hi", "--config",
                      config, "--bundle", str(FIXTURE))
    assert status == 1 and "total unknown" not in out
    with pytest.raises(SystemExit):
        main(["compare", "--models", "only-one", "hi"])
    assert "at least two models" in capsys.readouterr().err
