"""`knollm changes`: what changed in the catalog (from the history beside the bundle), newest first."""

from __future__ import annotations

import argparse
from typing import Any

from .catalog import Catalog
from .history import Change, history_path, load_changes, since_day
from .render import Output


def add_command(groups: Any, common: argparse.ArgumentParser) -> None:
    """Register `knollm changes` on the CLI's subcommands."""
    changes = groups.add_parser("changes", parents=[common], help="what changed in the catalog: prices, models, "
                                "providers, context windows, capabilities (newest first)",
                                description="Recorded catalog changes, newest first, from the history file beside "
                                "the bundle (history.jsonl).")
    changes.set_defaults(handler=run)
    changes.add_argument("--since", type=_since, default=None, metavar="AGE",
                         help="only changes on or after this: 30d, 12w, 6m, 1y or YYYY-MM-DD")
    changes.add_argument("--provider", metavar="ID", help="only changes of this provider")
    changes.add_argument("--kind", choices=("price", "context", "capability", "model_added", "model_removed",
                                            "provider_added", "provider_removed"), help="only this kind of change")


def _since(text: str) -> str:
    try:
        return since_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def selected(changes: list[Change], since: str | None, provider: str | None, kind: str | None) -> list[Change]:
    """The changes that pass the filters, newest first (ties in recorded order)."""
    kept = [c for c in changes if (since is None or c.date >= since) and (provider is None or c.provider == provider)
            and (kind is None or c.kind == kind)]
    return sorted(kept, key=lambda c: c.date, reverse=True)


def run(args: argparse.Namespace, out: Output) -> int:
    catalog = Catalog.load(getattr(args, "bundle", None))
    path = history_path(catalog.path)
    changes = selected(load_changes(path), args.since, args.provider, args.kind)
    if out.json:
        out.data([c.as_dict() for c in changes])
        return 0
    if not changes:
        where = path if path is not None and path.exists() else "no history file beside the bundle"
        out.line(f"no recorded changes match ({where})")
        return 0
    rows = [[c.date, c.kind.replace("_", " "), c.model or c.provider or "", c.describe()] for c in changes]
    out.table(["date", "kind", "model or provider", "change"], rows, title=f"{len(rows)} change(s), newest first")
    return 0
