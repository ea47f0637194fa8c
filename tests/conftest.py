"""Shared fixtures: a throw-away catalog dir, a snapshots dir built from small fixture files, and a
compile helper that checks the report invariant (read == emitted + rejected) on every source."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from knollm.testing import CANARY_KEYS, FakeProvider
from knollm_compiler.build import BuildResult, compile_catalog
from knollm_compiler.bundle_records import Bundle, Model
from knollm_compiler.report_records import SourceReport

FIXTURES = Path(__file__).parent / "fixtures"
AUTHORED_PROVIDERS = Path(__file__).parent.parent / "catalog" / "providers"


@dataclass
class Compiled:
    """A BuildResult with lookups by model id and source file."""

    result: BuildResult

    @property
    def bundle(self) -> Bundle:
        return self.result.bundle

    @property
    def model_ids(self) -> set[str]:
        return {m.id for m in self.bundle.models}

    @property
    def provider_ids(self) -> set[str]:
        return {p.id for p in self.bundle.providers}

    def model(self, model_id: str) -> Model:
        found = [m for m in self.bundle.models if m.id == model_id]
        assert found, f"no model {model_id!r}; have {sorted(self.model_ids)}"
        return found[0]

    def source(self, file: str) -> SourceReport:
        found = [s for s in self.bundle.report.sources if s.file == file]
        assert found, f"no source report for {file!r}"
        return found[0]

    def problems(self, file: str) -> list[dict[str, str]]:
        return list(self.source(file).problems)


def assert_invariant(compiled: Compiled) -> None:
    for s in compiled.bundle.report.sources:
        assert s.read == s.emitted + s.rejected, f"{s.file}: read {s.read} != {s.emitted} + {s.rejected}"
        assert 0 <= s.merged <= s.emitted
    assert compiled.bundle.report.invariant_ok


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A catalog with an empty providers/ directory: every provider is created from its source file."""
    catalog = tmp_path / "catalog"
    (catalog / "providers").mkdir(parents=True)
    return catalog


@pytest.fixture
def authored_catalog_dir(tmp_path: Path) -> Path:
    """A catalog with a copy of our own authored provider files (for aliases such as LiteLLM names)."""
    catalog = tmp_path / "authored-catalog"
    shutil.copytree(AUTHORED_PROVIDERS, catalog / "providers")
    return catalog


@pytest.fixture
def snapshots(tmp_path: Path) -> Path:
    directory = tmp_path / "snapshots"
    directory.mkdir()
    return directory


@pytest.fixture
def add_fixture(snapshots: Path) -> Callable[..., Path]:
    """Copy `tests/fixtures/<group>/<name>` into the snapshots dir, optionally under another name."""

    def _add(group: str, name: str, as_name: str | None = None) -> Path:
        target = snapshots / (as_name or name)
        shutil.copyfile(FIXTURES / group / name, target)
        return target

    return _add


@pytest.fixture
def compile_snapshots(catalog_dir: Path, snapshots: Path) -> Callable[..., Compiled]:
    """Compile the snapshots dir; every call checks read == emitted + rejected for every source."""

    def _compile(catalog: Path | None = None) -> Compiled:
        compiled = Compiled(compile_catalog(catalog or catalog_dir, snapshots))
        assert_invariant(compiled)
        return compiled

    return _compile


# --- the documentation site built once per test session from the hostile fixture bundle -----------------------

SITE_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site" / "bundle.json"
SITE_CONFIG = Path(__file__).resolve().parents[1] / "src_docs" / "mkdocs.yml"


@pytest.fixture(scope="session")
def fixture_site_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real `mkdocs build --strict` of the site from tests/fixtures/site/bundle.json: (site dir, stderr)."""
    import os
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "KNOLLM_SITE_BUNDLE": str(SITE_FIXTURE), "NO_MKDOCS_2_WARNING": "1",
           "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(SITE_CONFIG), "-d", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return out, result.stderr


@pytest.fixture(scope="session")
def fixture_site(fixture_site_build: tuple[Path, str]) -> Path:
    return fixture_site_build[0]


# --- a fake LLM provider (OpenAI, Anthropic and Gemini APIs) on 127.0.0.1, for the client's tests -------------


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    """A running `knollm.testing.FakeProvider` that accepts `knollm.testing.CANARY_KEYS`; stops after the test.
    Script faults with `fake_provider.script([...])`; inspect `fake_provider.requests`."""
    with FakeProvider(keys=set(CANARY_KEYS)) as server:
        yield server
