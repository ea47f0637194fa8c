"""The GitHub side of the supply-chain contract (issue 12, defect 12). The workflows cannot run here, so their
structure is checked: every action pinned by commit SHA, the test workflow runs `make test` and the dependency
audit, the release workflow runs `make build` and publishes by trusted publishing, Dependabot covers pip and
Actions, and every `make` target a workflow calls exists in the Makefile."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True)) or {}


def _steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def _runs(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for _, step in _steps(workflow) if "run" in step]


def _make_targets(workflow: dict[str, Any]) -> set[str]:
    return {target for run in _runs(workflow) for target in re.findall(r"\bmake ([a-z][a-z-]*)", run)}


def _uses(workflow: dict[str, Any]) -> list[str]:
    steps = [step["uses"] for _, step in _steps(workflow) if "uses" in step]
    return steps + [job["uses"] for job in workflow["jobs"].values() if "uses" in job]


ALL = sorted(path.name for path in WORKFLOWS.glob("*.yml"))


def test_the_expected_workflows_exist() -> None:
    assert {"pages.yml", "test.yml", "release.yml"} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_defect_12_every_action_is_pinned_by_commit_sha_with_its_tag(name: str) -> None:
    uses = _uses(_load(name))
    assert uses, name
    assert [u for u in uses if not PINNED.match(u)] == []
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d", line), line  # the tag, for readers and Dependabot


@pytest.mark.parametrize("name", ALL)
def test_workflows_install_only_through_make_and_the_lock(name: str) -> None:
    workflow = _load(name)
    assert not any("pip install" in run for run in _runs(workflow))
    for _, step in _steps(workflow):
        if "setup-python" in step.get("uses", ""):
            assert str(step["with"]["python-version"]) == "3.11"  # the lock is compiled for 3.11
    # Read-only by default; a job that needs more (deploying, publishing) says so itself.
    assert workflow["permissions"] == {"contents": "read"}


def test_defect_12_workflows_call_only_make_targets_that_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    called = set().union(*(_make_targets(_load(name)) for name in ALL))
    assert {"test", "audit", "build", "package"} <= called
    assert called <= targets


def test_defect_12_test_workflow_runs_make_test_and_the_audit_on_every_push_and_pull_request() -> None:
    workflow = _load("test.yml")
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    assert _triggers(workflow)["push"] is None  # every branch, no filter
    assert {"test", "audit"} <= _make_targets(workflow)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    audit = makefile[makefile.index("\naudit:"):].split("\n\n")[0]
    assert "pip-audit" in audit and "--require-hashes" in audit and "-r $(LOCK)" in audit


def test_defect_12_release_builds_with_make_and_publishes_by_trusted_publishing() -> None:
    workflow = _load("release.yml")
    assert _triggers(workflow) == {"push": {"tags": ["v*"]}}
    assert {"build", "package"} <= _make_targets(workflow)
    runs = _runs(workflow)
    assert runs.index("make build") < runs.index("make package")
    publish = [(job, step) for job, step in _steps(workflow) if "pypa/gh-action-pypi-publish@" in step.get("uses", "")]
    assert len(publish) == 1
    job_name, step = publish[0]
    job = workflow["jobs"][job_name]
    assert job["permissions"] == {"id-token": "write"}
    assert job["environment"]["name"] == "pypi"
    assert not {"password", "user", "username"} & set(step.get("with", {}))
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "secrets." not in text  # no password or token secret anywhere: OpenID Connect only
    # Only the publish job may mint the token; the job that runs project code cannot.
    assert workflow["permissions"] == {"contents": "read"}
    assert all("id-token" not in other.get("permissions", {}) for name, other in workflow["jobs"].items()
               if name != job_name)


def test_defect_12_dependabot_covers_pip_and_github_actions() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert {"pip", "github-actions"} <= set(ecosystems)
    assert all(update["directory"] == "/" and update["schedule"]["interval"] for update in ecosystems.values())
