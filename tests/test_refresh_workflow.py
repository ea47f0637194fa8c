"""The daily refresh (`.github/workflows/refresh.yml`): its structure, and its make steps run here against the
fake provider (the workflow itself cannot run here)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from fetch_helpers import CATALOG, KEY_ENV, THREE, write_config
from knollm.testing import CANARY_KEYS, FakeProvider
from knollm.testing.fake_listing import ListingOptions
from knollm_compiler.fetch.plan import make_plans
from knollm_compiler.fetch.publish import publish
from knollm_compiler.providers import load_provider_specs

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "refresh.yml"


def _workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict[str, Any]]:
    return list(_workflow()["jobs"]["refresh"]["steps"])


def test_triggers_are_a_daily_schedule_and_on_demand() -> None:
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* \*", triggers["schedule"][0]["cron"])


def test_the_steps_are_make_targets_in_order() -> None:
    runs = [step["run"] for step in _steps() if "run" in step]
    assert runs[0].startswith("make fetch FETCH_OUT=") and "--publish-to catalog/snapshots" in runs[0]
    assert runs[1] == "make previous-bundle" and runs[2] == "make refresh-build"
    assert "git push" in runs[3] and "dist" not in runs[3].split("git add", 1)[1].splitlines()[0]
    assert any("deploy-pages" in step.get("uses", "") for step in _workflow()["jobs"]["deploy"]["steps"])


def test_secrets_reach_only_the_fetch_step_and_are_never_printed() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    runs = "\n".join(str(step.get("run", "")) for step in _steps())
    assert "set -x" not in runs and "ACTIONS_STEP_DEBUG" not in text
    for step in _steps():
        env = step.get("env") or {}
        secret_names = [k for k, v in env.items() if "secrets." in str(v)]
        if secret_names:
            assert step["run"].startswith("make fetch")
            assert all(env[k] == "${{ secrets." + k + " }}" for k in secret_names)
        assert "secrets." not in str(step.get("run", "")) and "secrets." not in str(step.get("with", ""))
        for line in str(step.get("run", "")).splitlines():
            assert not re.search(r"\becho\b.*\$", line) or "date" in line


def test_every_fetchable_provider_key_is_passed() -> None:
    specs, _ = load_provider_specs(CATALOG / "providers")
    wanted = {specs[p.provider].auth.env_var for p in make_plans(specs, None, {})
              if p.skip and p.skip.startswith("no key")}
    fetch = next(step for step in _steps() if str(step.get("run", "")).startswith("make fetch"))
    assert set(fetch["env"]) == wanted


def _make(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed-stamp").exists(), reason="needs the project's .venv")
def test_the_make_steps_against_the_fake_provider(tmp_path: Path) -> None:
    refresh = tmp_path / "refresh"
    published = tmp_path / "published.json"
    published.write_text(json.dumps({"data_date": "2026-01-01", "providers": [], "models": []}))
    with FakeProvider(keys=set(CANARY_KEYS), models=["m-a", "m-b"]) as server:
        server.listing = ListingOptions(page_size=1, prices={"m-a": ("0.000001", "0.000002")})
        args = f"--config {write_config(tmp_path, server)} --publish-to {tmp_path / 'pub'} --quiet"
        args += "".join(f" --provider {pid}" for pid in THREE)
        fetched = _make("fetch", f"FETCH_OUT={refresh / 'snapshots'}", f"FETCH_ARGS={args}", env=KEY_ENV)
    assert fetched.returncode == 0, fetched.stderr
    assert sorted(p.name for p in (refresh / "snapshots").glob("models_*.json")) == [
        "models_anthropic.json", "models_gemini.json", "models_openai.json"]
    assert list((tmp_path / "pub").glob("*.json")) == []  # none of them says redistribute = true
    previous = _make("previous-bundle", f"REFRESH_DIR={refresh}", f"PUBLISHED_BUNDLE_URL=file://{published}", env={})
    assert previous.returncode == 0, previous.stderr
    assert (refresh / "previous.json").read_bytes() == published.read_bytes()
    planned = _make("-n", "refresh-build", f"REFRESH_DIR={refresh}", env={})
    assert f"--snapshots {refresh}/snapshots" in planned.stdout
    assert f"--previous {refresh}/previous.json --record-history" in planned.stdout
    for text in (fetched.stdout, fetched.stderr, previous.stdout, planned.stdout):
        assert not any(key in text for key in CANARY_KEYS)
    missing = _make("previous-bundle", f"REFRESH_DIR={refresh}", f"PUBLISHED_BUNDLE_URL=file://{tmp_path}/no", env={})
    assert missing.returncode == 0 and not (refresh / "previous.json").exists()


def test_publish_copies_only_redistributable_listings(tmp_path: Path) -> None:
    specs, _ = load_provider_specs(CATALOG / "providers")
    allowed = specs["openai"].model_copy(update={"redistribute": True})
    fetched, target = tmp_path / "fetched", tmp_path / "target"
    fetched.mkdir()
    target.mkdir()
    for name in ("models_openai.json", "models_anthropic.json"):
        (fetched / name).write_text("{}")
    (target / "models_groq.json").write_text("{}")  # published earlier, no longer allowed
    assert publish({"openai": allowed, "anthropic": specs["anthropic"], "groq": specs["groq"]}, fetched, target) == [
        "models_openai.json"]
    assert sorted(p.name for p in target.iterdir()) == ["models_openai.json"]
