"""Terminal output for the CLI: rich tables on a terminal, aligned plain text otherwise, JSON on request.

`rich` is imported only when a table is drawn on a terminal, so scripts and pipes never pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TextIO

from .money_format import format_money
from .records import Model
from .serialize import dumps
from .texthygiene import terminal_safe

NONE = "-"


def money(value: Decimal | None, unit: str = "") -> str:
    """`$0.15`, `$0.199919` (`money_format`: the site's format; `--json` keeps exact values), or `-` when unknown."""
    return NONE if value is None else f"{format_money(value)}{unit}"


FLAG_MARK = "!"
"""Written beside a price more than 10x from its family's median at other providers."""
FLAG_LEGEND = f"{FLAG_MARK} = more than 10x from the family's median price at other providers: check it"


def flagged(text: str, model: Model | None, field_name: str) -> str:
    """`text` (a rendered price) with the warning mark when the model's `field_name` price is flagged."""
    return f"{text} {FLAG_MARK}" if model is not None and text != NONE and model.price_flag(field_name) else text


def flag_notes(model: Model) -> list[str]:
    """One line per flagged price of a model, for output under a table or a details block."""
    return [f"{FLAG_MARK} {model.id}: {f.field} {format_money(f.value)}/M is {f.ratio}x the median "
            f"({format_money(f.peer_median)}/M) at {f.peers} other providers" for f in model.price_flags]


def number(value: int | None) -> str:
    """`131,072`, or `-` when unknown."""
    return NONE if value is None else f"{value:,}"


def flag(value: bool | None) -> str:
    """`yes`, `no`, or `-` when unknown."""
    return NONE if value is None else ("yes" if value else "no")


class Output:
    """Where and how the CLI writes: JSON, rich (terminal) or plain text."""

    def __init__(self, stream: TextIO | None = None, *, json: bool = False, rich: bool | None = None) -> None:
        self.raw_stream = stream or sys.stdout
        """Only rich writes here directly (its own colour codes); every text it is given is made safe first."""
        self.stream: Any = SafeStream(self.raw_stream, json=json)
        self.json = json
        self.rich = _isatty(self.raw_stream) if rich is None else rich  # rich is a dependency
        self._console: Any = None

    def data(self, value: Any) -> None:
        """Write a record (or list/dict of records) as JSON; Decimals as exact strings."""
        self.stream.write(dumps(value) + "\n")

    def line(self, text: str = "") -> None:
        """Write one line of plain text (no markup)."""
        if self.rich:
            self.console.print(_text(text))
        else:
            self.stream.write(text + "\n")

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None,
              right: Sequence[int] = (), caption: str | None = None) -> None:
        """A table; `right` lists the indexes of right-aligned (numeric) columns."""
        if self.rich:
            self._rich_table(columns, rows, title, right, caption)
            return
        if title:
            self.stream.write(title + "\n")
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]

        def fmt(cells: Sequence[str]) -> str:
            pairs = enumerate(zip(cells, widths, strict=True))
            return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in pairs).rstrip()

        self.stream.write(fmt(columns) + "\n" + fmt(["-" * w for w in widths]) + "\n")
        for row in rows:
            self.stream.write(fmt(row) + "\n")
        if caption:
            self.stream.write(caption + "\n")

    def details(self, title: str, pairs: Sequence[tuple[str, str]]) -> None:
        """A titled list of `label: value` pairs (empty values are skipped)."""
        pairs = [(k, v) for k, v in pairs if v not in ("", None)]
        if self.rich:
            from rich.table import Table

            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold cyan", no_wrap=True)
            grid.add_column(overflow="fold")
            for key, value in pairs:
                grid.add_row(_text(key), _text(value))
            self.console.print(_text(title, style="bold"))
            self.console.print(grid)
            return
        self.stream.write(title + "\n")
        width = max((len(k) for k, _ in pairs), default=0)
        for key, value in pairs:
            lines = value.splitlines() or [""]
            self.stream.write(f"  {key.ljust(width)}  {lines[0]}\n")
            for more in lines[1:]:
                self.stream.write(f"  {' ' * width}  {more}\n")

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.raw_stream, highlight=False, force_terminal=True if self.rich else None)
        return self._console

    def _rich_table(self, columns: Sequence[str], rows: Sequence[Sequence[str]], title: str | None,
                    right: Sequence[int], caption: str | None) -> None:
        from rich import box
        from rich.table import Table

        # Text objects, never plain strings: rich would read `[bold]` in a provider's name as markup.
        table = Table(title=_text(title) if title else None, caption=_text(caption) if caption else None,
                      box=box.SIMPLE_HEAVY, title_justify="left", caption_justify="left", header_style="bold cyan")
        for i, column in enumerate(columns):
            table.add_column(_text(column), justify="right" if i in right else "left", overflow="fold")
        for row in rows:
            table.add_row(*(_text(cell) for cell in row))
        self.console.print(table)


class SafeStream:
    """The CLI's output boundary: every character a terminal would act on (escape sequences, C0/C1 controls,
    DEL, bidi and zero-width characters) is written as a visible escape; in JSON as a JSON escape."""

    def __init__(self, stream: TextIO, *, json: bool = False) -> None:
        self._stream, self._json = stream, json

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text, json=self._json))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _text(text: str, style: str = "") -> Any:
    """A rich Text (shown literally, no markup) of the terminal-safe `text`."""
    from rich.text import Text

    return Text(terminal_safe(text), style=style)


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
