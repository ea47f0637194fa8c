"""knollm.progress: a bar on a terminal, nothing when piped, off by KNOLLM_NO_PROGRESS."""

from __future__ import annotations

import io

import pytest

from knollm import progress as progress_module
from knollm.progress import Bar, progress, progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    piped = io.StringIO()
    with progress("compile", total=3, stream=piped) as bar:
        bar.set_total(4)
        bar.advance(description="models_a.json")
    assert type(bar) is Bar
    assert piped.getvalue() == ""


def test_a_bar_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(progress_module.DISABLE_VARIABLE, raising=False)
    monkeypatch.setattr(progress_module, "REFRESH_SECONDS", 0.0)
    terminal = Terminal()
    with progress("compile", stream=terminal) as bar:
        bar.set_total(2)
        bar.advance(description="models_a.json")
        bar.advance()
    drawn = terminal.getvalue()
    assert "compile" in drawn and "models_a.json" in drawn and "2/2" in drawn and "done" in drawn


def test_the_variable_turns_bars_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(progress_module.DISABLE_VARIABLE, "1")
    terminal = Terminal()
    bar = progress_bar("site", 10, stream=terminal)
    bar.advance()
    bar.close()
    assert type(bar) is Bar and terminal.getvalue() == ""


def test_a_stream_that_cannot_say_is_not_a_terminal() -> None:
    assert type(progress_bar("x", stream=Closed())) is Bar
    assert type(progress_bar("x", stream=object())) is Bar  # type: ignore[arg-type]  # no isatty at all


class Recorder(Bar):
    def __init__(self) -> None:
        self.total: int | None = None
        self.done = 0
        self.descriptions: list[str] = []

    def advance(self, steps: int = 1, description: str | None = None) -> None:
        self.done += steps
        self.descriptions += [description] if description else []

    def set_total(self, total: int | None) -> None:
        self.total = total


def test_the_compile_advances_once_per_snapshot_file_and_stage(tmp_path, add_fixture, catalog_dir) -> None:
    from knollm_compiler.build import LATER_STAGES, compile_catalog

    for name in ("models_acme.json", "models_hubrouter.json"):
        add_fixture("shapes", name)
    bar = Recorder()
    compile_catalog(catalog_dir, tmp_path / "snapshots", bar=bar)
    assert bar.total == bar.done == 2 + LATER_STAGES
    assert bar.descriptions[:2] == ["models_acme.json", "models_hubrouter.json"]

    no_snapshots = Recorder()
    compile_catalog(catalog_dir, None, bar=no_snapshots)
    assert no_snapshots.total == no_snapshots.done == LATER_STAGES
