"""The CLI reference, read from the real argparse parsers so it cannot drift from the commands."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass

HELP_WIDTH = 100


@dataclass(frozen=True)
class Command:
    """One parser of a CLI: its full name (`knollm models search`), one-line help and `--help` text."""

    name: str
    summary: str
    help_text: str
    depth: int
    runnable: bool
    """True for a leaf command (no further subcommands)."""


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=HELP_WIDTH)


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def walk(parser: argparse.ArgumentParser, name: str | None = None, summary: str = "",
         depth: int = 0) -> Iterator[Command]:
    """Every parser under `parser` (itself first), depth first, in the order the commands were added."""
    parser.formatter_class = _formatter
    children = list(_subparsers(parser))
    full = name or parser.prog
    yield Command(full, summary or (parser.description or ""), parser.format_help(), depth, not children)
    for child_name, child_help, child in children:
        yield from walk(child, f"{full} {child_name}", child_help, depth + 1)


def knollm_commands() -> list[Command]:
    """The runtime CLI, `knollm`, from `knollm.cli.build_parser()`."""
    from knollm.cli import build_parser

    return list(walk(build_parser(), "knollm"))


def build_commands() -> list[Command]:
    """The compiler CLI, `knollm-build`, from `knollm_compiler.build_cli.parser()`, then its subcommands `fetch`
    and `replay-history` (dispatched before the build's own parser, so read from their own parsers)."""
    from knollm_compiler.build_cli import parser
    from knollm_compiler.fetch.command import parser as fetch_parser
    from knollm_compiler.history_record import replay_parser

    return [*walk(parser(), "knollm-build"), *walk(fetch_parser(), "knollm-build fetch", depth=1),
            *walk(replay_parser(), "knollm-build replay-history", depth=1)]


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`."""
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)
