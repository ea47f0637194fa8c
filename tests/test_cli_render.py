"""CLI output helpers: plain text for pipes, rich on terminals, exact money, and `main()` in process."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from knollm import cli
from knollm.render import Output, flag, money, number
from knollm.serialize import dumps, money_str, to_data

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("0.150"), "0.15"), (Decimal("15"), "15"), (Decimal("1E+1"), "10"), (Decimal("0E-7"), "0"),
     (Decimal("0.0000375"), "0.0000375"), (Decimal("100"), "100")],
)
def test_money_strings_are_exact_and_plain(value: Decimal, text: str) -> None:
    assert money_str(value) == text


def test_cell_formatters() -> None:
    assert money(None) == "-" and money(Decimal("2.50"), "/M") == "$2.50/M"
    assert number(None) == "-" and number(131072) == "131,072"
    assert flag(None) == "-" and flag(True) == "yes" and flag(False) == "no"


def test_to_data_and_dumps() -> None:
    data = {"a": (Decimal("1.50"), None), 3: [Decimal(0)]}
    assert to_data(data) == {"a": ["1.5", None], "3": ["0"]}
    assert json.loads(dumps(data)) == {"a": ["1.5", None], "3": ["0"]}


def test_plain_table_alignment() -> None:
    out = Output(io.StringIO(), rich=False)
    out.table(["Name", "Price"], [["a", "$1"], ["long name", "$10.5"]], title="T", right=(1,), caption="2 rows")
    assert out.stream.getvalue().splitlines() == [
        "T", "Name       Price", "---------  -----", "a             $1", "long name  $10.5", "2 rows"]


def test_plain_details_skip_empty_values_and_indent_lines() -> None:
    out = Output(io.StringIO(), rich=False)
    out.details("Title", [("a", "1"), ("empty", ""), ("long key", "x\ny")])
    assert out.stream.getvalue().splitlines() == ["Title", "  a         1", "  long key  x", "            y"]


def test_rich_is_chosen_only_for_terminals() -> None:
    assert Output(io.StringIO()).rich is False
    assert Output(Terminal()).rich is True
    assert Output(Terminal(), rich=False).rich is False


def test_rich_output_draws_tables_and_escapes_markup() -> None:
    stream = Terminal()
    out = Output(stream, rich=True)
    out.table(["Name", "Price"], [["[bold]x[/bold]", "$1"]], title="Prices", right=(1,), caption="1 row")
    out.details("Model", [("description", "uses [brackets]"), ("skip", "")])
    out.line("plain [red]text[/red]")
    screen = stream.getvalue()
    assert "\x1b[" in screen and "Prices" in screen and "1 row" in screen
    assert "[bold]x[/bold]" in screen  # shown literally, not interpreted as markup
    assert "uses [brackets]" in screen and "plain [red]text[/red]" in screen
    assert "skip" not in screen


def test_main_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KNOLLM_BUNDLE", str(FIXTURE))
    assert cli.main(["models", "show", "acme/acme-small", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "acme/acme-small"
    assert cli.main(["families", "show", "nope"]) == 1
    assert "unknown family 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["costs", "estimate", "--model", "x", "--input-tokens", "1.5", "--output-tokens", "1"])
    assert info.value.code == 2
    assert "not a whole, non-negative count" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "value"), [("2000", 2000), ("2_000", 2000), ("2,000", 2000), ("128k", 128_000),
                                             ("1.5M", 1_500_000), (" 3K ", 3000), ("0", 0)])
def test_count_parser(text: str, value: int) -> None:
    assert cli.count(text) == value


@pytest.mark.parametrize("text", ["", "k", "-5", "1.5", "lots", "1e400000000000", "inf", "nan", "-0.5k"])
def test_count_parser_rejects(text: str) -> None:
    with pytest.raises(Exception, match="count"):
        cli.count(text)


def test_price_parser() -> None:
    assert cli.price("$0.50") == Decimal("0.50")
    for bad in ("cheap", "-1", "inf", "nan"):
        with pytest.raises(Exception, match="price"):
            cli.price(bad)
