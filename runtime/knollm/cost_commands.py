"""The CLI's cost and token commands (`costs estimate|compare`, `tokens count`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import safefile
from .catalog_commands import load_catalog
from .costs import NON_TOKEN_USAGE
from .errors import InvalidArgument
from .records import Comparison, CostBreakdown
from .render import Output, flag_notes, money
from .tokens import count_tokens, tokenizer

# -- costs -----------------------------------------------------------------------------------------------------


def _usage(args: argparse.Namespace) -> dict[str, Any]:
    beyond_tokens = {name: getattr(args, name, 0) for name in NON_TOKEN_USAGE}
    return {
        "input_tokens": args.input_tokens, "output_tokens": args.output_tokens,
        "cached_input_tokens": args.cached_tokens, "cache_write_tokens": args.cache_write_tokens,
        "requests": args.requests, "images": getattr(args, "images", 0),
        "image_size": getattr(args, "image_size", None), "image_quality": getattr(args, "image_quality", None),
        **{name: count for name, count in beyond_tokens.items() if count},
    }


def costs_estimate(args: argparse.Namespace, out: Output) -> int:
    catalog = load_catalog(args)
    cost = catalog.estimate_cost(args.model, **_usage(args))
    if out.json:
        out.data(cost)
        return 0
    out.details(f"{cost.model}: {money(cost.total)}", _cost_pairs(cost))
    for note in flag_notes(catalog.get(cost.model)):
        out.line(note)
    return 0


def _cost_pairs(c: CostBreakdown) -> list[tuple[str, str]]:
    usage = f"{c.input_tokens:,} in ({c.cached_input_tokens:,} cached, {c.cache_write_tokens:,} cache write)"
    return [
        ("usage", f"{usage}, {c.output_tokens:,} out, x {c.requests:,} request(s)"),
        ("tier", f"above {c.tier:,} input tokens" if c.tier is not None else ""),
        ("input", money(c.input)),
        ("cache read", money(c.cache_read) if c.cached_input_tokens else ""),
        ("cache write", money(c.cache_write) if c.cache_write_tokens else ""),
        ("output", money(c.output)),
        ("per request", money(c.per_request) if c.per_request else ""),
        *_beyond_token_pairs(c),
        ("total", money(c.total)),
    ]


def _beyond_token_pairs(c: CostBreakdown) -> list[tuple[str, str]]:
    """Lines for usage beyond tokens, shown only when the usage names it."""
    image_choice = " ".join(v for v in (c.image_size, c.image_quality) if v)
    lines = [
        (f"images ({c.images:,}{' ' + image_choice if image_choice else ''})", c.images, c.image),
        (f"audio in ({c.audio_input_seconds:,} s)", c.audio_input_seconds, c.audio_input),
        (f"audio out ({c.audio_output_seconds:,} s)", c.audio_output_seconds, c.audio_output),
        (f"characters ({c.characters:,})", c.characters, c.character),
        (f"queries ({c.queries:,})", c.queries, c.query),
        (f"web searches ({c.web_searches:,})", c.web_searches, c.web_search),
    ]
    return [(label, money(amount)) for label, count, amount in lines if count]


def costs_compare(args: argparse.Namespace, out: Output) -> int:
    if not args.family and not args.models:
        raise InvalidArgument("costs compare needs --family FAMILY or at least one --model PROVIDER/MODEL")
    catalog = load_catalog(args)
    comparison = catalog.compare(args.models or None, family=args.family, include_variants=args.include_variants,
                                 **_usage(args))
    if args.limit is not None:
        comparison = Comparison(comparison.costs[: max(args.limit, 0)], comparison.unpriced)
    if out.json:
        out.data(comparison)
        return 0
    beyond = any(_beyond_token_pairs(c) for c in comparison.costs)  # a column only when the usage has such lines
    rows = [[str(i), c.model, money(c.input), money(c.cache), money(c.output), money(c.per_request),
             *([money(c.total - c.input - c.cache - c.output - c.reasoning - c.per_request)] if beyond else []),
             money(c.total)] for i, c in enumerate(comparison.costs, 1)]
    subject = f"family {args.family}" if args.family else "models"
    headers = ["#", "Model", "Input", "Cache", "Output", "Per request", *(["Beyond tokens"] if beyond else []), "Total"]
    out.table(headers, rows, right=tuple(i for i in range(len(headers)) if i != 1),
              title=f"{subject}: {args.input_tokens:,} in / {args.output_tokens:,} out x {args.requests:,}, "
                    "cheapest first")
    for item in comparison.unpriced:
        out.line(f"not priced: {item.model} ({item.component} unknown)")
    for cost in comparison.costs:
        for note in flag_notes(catalog.get(cost.model)):
            out.line(note)
    return 0


# -- tokens ----------------------------------------------------------------------------------------------------


def tokens_count(args: argparse.Namespace, out: Output) -> int:
    if args.file:
        try:
            text = safefile.read_text(args.file, _max_bytes())  # never /dev/zero or a FIFO
        except safefile.UnsafeFile as exc:
            raise InvalidArgument(f"cannot read {args.file}: {exc}") from None
    else:
        text = args.text if args.text is not None else _stdin_text()
    tokens = count_tokens(text, args.model)
    method = tokenizer(args.model)
    if out.json:
        out.data({"tokens": tokens, "characters": len(text), "method": method})
        return 0
    out.line(f"{tokens} tokens ({method}, {len(text)} characters)")
    return 0


def _max_bytes() -> int:
    try:
        return safefile.configured_max_bytes()
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def _stdin_text() -> str:
    limit = _max_bytes()
    text = sys.stdin.read(limit + 1)  # bounded, so `< /dev/zero` cannot fill memory
    if len(text) > limit:
        raise InvalidArgument(f"standard input is longer than {limit:,} characters ({safefile.ENV_VAR} sets the limit)")
    return text
