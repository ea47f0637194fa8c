"""Progress bars for long work (the compile, the site build, fetches, benchmarks): a rich bar when the stream
(stderr by default) is a terminal, nothing at all otherwise, so logs, pipes and CI output stay as they were.

```python
from knollm.progress import progress

with progress("compile", total=len(files)) as bar:
    for file in files:
        bar.advance(description=file.name)
```

`rich` is imported only when a bar is drawn; `KNOLLM_NO_PROGRESS=1` turns bars off on a terminal too. The bar
redraws at most every `REFRESH_SECONDS` (no background thread), so advancing per item stays cheap.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DISABLE_VARIABLE = "KNOLLM_NO_PROGRESS"
REFRESH_SECONDS = 0.1


class Bar:
    """A progress bar that draws nothing: what `progress_bar` returns when the stream is not a terminal."""

    def advance(self, steps: int = 1, description: str | None = None) -> None:
        """Count `steps` more done; `description` replaces the text beside the bar."""

    def set_total(self, total: int | None) -> None:
        """The number of steps, once known (None: unknown, the bar pulses)."""

    def close(self) -> None:
        """Draw the final state and release the terminal line."""


class _RichBar(Bar):
    def __init__(self, description: str, total: int | None, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=stream, force_terminal=True)
        self._progress: Progress = Progress(
            TextColumn("{task.fields[title]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=console, auto_refresh=False, transient=False)
        self._task: TaskID = self._progress.add_task("", total=total, title=description)
        self._drawn = 0.0
        self._progress.start()

    def advance(self, steps: int = 1, description: str | None = None) -> None:
        if description is None:
            self._progress.advance(self._task, steps)
        else:
            self._progress.update(self._task, advance=steps, description=description)
        now = time.monotonic()
        if now - self._drawn >= REFRESH_SECONDS:
            self._drawn = now
            self._progress.refresh()

    def set_total(self, total: int | None) -> None:
        self._progress.update(self._task, total=total)

    def close(self) -> None:
        self._progress.update(self._task, description="done")
        self._progress.refresh()
        self._progress.stop()


def progress_bar(description: str, total: int | None = None, *, stream: TextIO | None = None) -> Bar:
    """A started bar on a terminal, else a `Bar` that does nothing; call `close()` when the work ends (or use
    `progress`, which does)."""
    out = sys.stderr if stream is None else stream
    if not _is_terminal(out) or os.environ.get(DISABLE_VARIABLE, "") not in ("", "0"):
        return Bar()
    return _RichBar(description, total, out)


@contextmanager
def progress(description: str, total: int | None = None, *, stream: TextIO | None = None) -> Iterator[Bar]:
    """`progress_bar` as a context manager: the bar is closed however the block ends."""
    bar = progress_bar(description, total, stream=stream)
    try:
        yield bar
    finally:
        bar.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
