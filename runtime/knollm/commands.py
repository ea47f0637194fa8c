"""The CLI's command handlers, by the name `cli.py` registers them under: each takes the parsed arguments and an
`Output`, returns an exit status. The handlers live in a module per command group; the ones that need the client
or the configuration (pydantic, httpx) import it when they run, so no other command loads it."""

from __future__ import annotations

import argparse

from .catalog_commands import (
    families_list,
    families_show,
    models_search,
    models_show,
    providers_list,
    providers_show,
)
from .cost_commands import costs_compare, costs_estimate, tokens_count
from .library_commands import libraries_list, libraries_matrix, libraries_recommend, libraries_show
from .render import Output

__all__ = [
    "chat", "config_check", "costs_compare", "costs_estimate", "families_list", "families_show", "libraries_list",
    "libraries_matrix", "libraries_recommend", "libraries_show", "models_search", "models_show", "providers_check",
    "providers_list", "providers_show", "route", "tokens_count",
]


# -- config ----------------------------------------------------------------------------------------------------


def config_check(args: argparse.Namespace, out: Output) -> int:
    # Imported here: the configuration needs pydantic, which no other command (and no `import knollm`) loads.
    from .config.report import config_check as check

    return check(args, out)


def chat(args: argparse.Namespace, out: Output) -> int:
    # Imported here: calling providers needs the client (httpx, pydantic), which no other command loads.
    from .chat_commands import chat as run

    return run(args, out)


def providers_check(args: argparse.Namespace, out: Output) -> int:
    from .chat_commands import providers_check as run

    return run(args, out)


def route(args: argparse.Namespace, out: Output) -> int:
    from .chat_commands import route as run

    return run(args, out)
