"""`knollm compare --models A,B PROMPT`: ask several models at once and show the answers side by side (length,
latency, time to first token, exact cost, pairwise similarity), with `--consensus` the majority vote.

Imported by the CLI's parser and light: `knollm.multi` and the client load only when the command runs. What the
models answer is untrusted text: `Output` escapes it on the way to the terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from .render import Output, money


def model_list(text: str) -> list[str]:
    """`A,B,C`: at least two members, each named once."""
    models = list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    if len(models) < 2:
        raise argparse.ArgumentTypeError("name at least two models, comma-separated (e.g. alpha/m1,beta/m2)")
    return models


def add_compare_command(groups: Any, common: argparse.ArgumentParser,
                        config_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `knollm compare` (called by `cli.build_parser`)."""
    text = "ask several models at once; answers side by side with latency, cost and similarity"
    parser = groups.add_parser("compare", parents=[common], help=text, description=text[0].upper() + text[1:] + ".")
    parser.set_defaults(handler=compare)
    parser.add_argument("prompt", nargs="?", help="the prompt (default or -: read standard input)")
    parser.add_argument("--models", required=True, type=model_list, metavar="A,B",
                        help="provider/model ids, families or routes, comma-separated")
    parser.add_argument("--system", metavar="TEXT", help="a system prompt")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="most tokens in each answer")
    parser.add_argument("--timeout", type=float, metavar="S", help="seconds each model may take")
    parser.add_argument("--deadline", type=float, metavar="S", help="seconds the whole batch may take")
    parser.add_argument("--consensus", action="store_true", help="also report the majority vote over the answers")
    config_arguments(parser)


def compare(args: argparse.Namespace, out: Output) -> int:
    from .catalog import Catalog
    from .client.sync import Client
    from .multi import compare as side_by_side
    from .multi import consensus, query_many
    from .serialize import to_data

    prompt = args.prompt if args.prompt not in (None, "-") else sys.stdin.read()
    messages: list[Any] = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": prompt})
    with Client(args.config, profile=args.profile, catalog=Catalog.load(getattr(args, "bundle", None))) as client:
        result = query_many(client, args.models, messages, timeout_s=args.timeout, deadline_s=args.deadline,
                            max_tokens=args.max_tokens)
    side = side_by_side(result)
    vote = consensus(result) if args.consensus else None
    if out.json:
        out.data({"members": to_data(result.members), "total_cost": result.total_cost,
                  "similarity": [{"a": a, "b": b, "similarity": s} for (a, b), s in side.similarity.items()],
                  "consensus": to_data(vote)})
    else:
        _print(out, side, vote, result.total_cost)
    return 0 if result.succeeded else 1


def _print(out: Output, side: Any, vote: Any, total: Any) -> None:
    rows = [[r.model, r.status, _n(r.characters), _n(r.words), _s(r.latency_s), _s(r.ttft_s),
             "-" if r.cost is None else money(r.cost)] for r in side.rows]
    out.table(["model", "status", "chars", "words", "latency s", "ttft s", "cost"], rows, right=(2, 3, 4, 5, 6),
              caption=f"total {money(total) if total is not None else 'unknown (a price or usage is missing)'}")
    for (first, second), score in side.similarity.items():
        out.line(f"similarity {first} ~ {second}: {score:.2f}")
    if vote is not None:
        out.line(f"consensus: {vote.agreement:.0%} agree ({', '.join(vote.agreeing) or 'nobody'}); dissenting: "
                 f"{', '.join(vote.dissenters) or 'none'}")
    for row in side.rows:
        if row.answer is not None:
            out.line("")
            out.line(f"── {row.model}")
            out.line(row.answer)


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
