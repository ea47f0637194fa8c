"""`knollm`: query the Knollm catalog from the command line.

Tables on a terminal, aligned plain text in pipes, `--json` for scripts (Decimals as exact strings).
Exit status: 0 success, 1 a Knollm error (unknown id, unknown price, unusable bundle), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from . import __version__, changes_command, commands, usage_commands
from .cache_commands import add_cache_commands
from .errors import InvalidArgument, KnollmError, NotFound
from .libraries import CATEGORIES as LIBRARY_CATEGORIES
from .libraries import FEATURES as LIBRARY_FEATURES
from .libraries import USE_CASES, check_features, check_use_case
from .multi_commands import add_compare_command
from .query import SORT_KEYS
from .render import Output
from .texthygiene import terminal_safe
from .vocab import CAPABILITIES, KINDS, MODALITIES, PROVIDER_KINDS, STRATEGIES

VARIANTS_HELP = "also list variant offers (free, batch, flex, quantised), which are otherwise left out"

_SUFFIXES = {"k": 1_000, "m": 1_000_000}
MAX_COUNT = 10**12
"""The largest count any argument takes (tokens, requests, images, seconds, characters, `--limit`): a trillion.
Beyond it a number is a typo, and the bound keeps `1e5000` from reaching `int()` (which refuses 4300+ digits)."""
MAX_PRICE = Decimal(10**6)
"""The largest price filter, USD per million tokens (the most expensive real price is below $1,000)."""


def count(text: str) -> int:
    """A token or context count: `2000`, `2_000`, `2,000`, `128k`, `1.5M`; at most `MAX_COUNT`."""
    cleaned = text.strip().replace("_", "").replace(",", "").lower()
    factor = _SUFFIXES.get(cleaned[-1:], 1)
    if factor != 1:
        cleaned = cleaned[:-1]
    try:
        value = Decimal(cleaned) * factor
    except ArithmeticError:  # InvalidOperation, Overflow
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (use e.g. 2000, 128k, 1.5M)") from None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise argparse.ArgumentTypeError(f"not a whole, non-negative count: {text!r}")
    if value > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"too large: {text!r} (at most {MAX_COUNT:,})")
    return int(value)


def price(text: str) -> Decimal:
    """A USD price per million tokens, e.g. `0.5`."""
    try:
        value = Decimal(text.strip().lstrip("$"))
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"not a price: {text!r} (USD per million tokens, e.g. 0.5)") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"not a non-negative price: {text!r}")
    if value > MAX_PRICE:
        raise argparse.ArgumentTypeError(f"too large: {text!r} (at most {MAX_PRICE:,} USD per million tokens)")
    return value


class _Writer(Protocol):
    """What argparse prints to (typeshed's SupportsWrite[str], which exists only for the type checker)."""

    def write(self, text: str, /) -> object: ...


class SafeArgumentParser(argparse.ArgumentParser):
    """Usage errors quote the arguments (and did-you-mean ids from the bundle): escaped like all other output.
    Sub-parsers are made of the same class, so one override covers every command."""

    def _print_message(self, message: str, file: _Writer | None = None) -> None:
        super()._print_message(terminal_safe(message) if message else message, file)


if TYPE_CHECKING:
    _Groups = argparse._SubParsersAction[SafeArgumentParser]  # the sub-parsers of a command group


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (`--json` and `--bundle` work before or after the command)."""
    common = SafeArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts")
    common.add_argument("--bundle", metavar="PATH", default=argparse.SUPPRESS,
                        help="catalog bundle to read (default: $KNOLLM_BUNDLE, else the packaged one)")
    parser = SafeArgumentParser(prog="knollm", description=__doc__.splitlines()[0], parents=[common])
    parser.add_argument("--version", action="version", version=f"knollm {__version__}")
    groups = parser.add_subparsers(dest="group", required=True,
                                   metavar="{providers,models,families,costs,tokens,libraries,config,chat,route,health,"
                                           "cache,compare,usage,benchmark,changes}")

    providers = _group(groups, "providers", "providers and the status of their model listings")
    listing = _command(providers, "list", "list providers", commands.providers_list, common)
    listing.add_argument("--kind", choices=PROVIDER_KINDS)
    listing.add_argument("--failed", action="store_true", help="only providers whose last listing fetch failed")
    _command(providers, "show", "one provider in detail", commands.providers_show, common).add_argument(
        "id", help="provider id or alias")
    check = _command(providers, "check", "call each provider that has a key: its model listing, latency and what "
                     "the catalog lacks or lists but it no longer serves", commands.providers_check, common)
    check.add_argument("--provider", metavar="ID", help="check only this provider")
    check.add_argument("--deep", action="store_true", help="also send a 1-token completion")
    check.add_argument("--verbose", action="store_true", help="list the ids that differ from the catalog")
    _config_arguments(check)

    models = _group(groups, "models", "search and show models")
    search = _command(models, "search", "search and filter models", commands.models_search, common)
    _search_arguments(search)
    _command(models, "show", "one model in detail", commands.models_show, common).add_argument(
        "id", metavar="PROVIDER/MODEL", help="global model id, e.g. openai/gpt-4o")

    families = _group(groups, "families", "model families across providers")
    _command(families, "list", "list families", commands.families_list, common)
    show = _command(families, "show", "a family and all its offers, cheapest first", commands.families_show, common)
    show.add_argument("id", metavar="FAMILY", help="family id")
    show.add_argument("--include-variants", action="store_true", help=VARIANTS_HELP)

    costs = _group(groups, "costs", "cost estimates (exact, USD)")
    estimate = _command(costs, "estimate", "estimate the cost of a workload on one model", commands.costs_estimate,
                        common)
    estimate.add_argument("--model", required=True, metavar="PROVIDER/MODEL", help="global model id")
    _usage_arguments(estimate)
    compare = _command(costs, "compare", "compare one workload across models", commands.costs_compare, common)
    compare.add_argument("--family", metavar="FAMILY", help="every offer of this family")
    compare.add_argument("--model", action="append", default=[], metavar="PROVIDER/MODEL", dest="models",
                         help="a model to include (repeatable)")
    compare.add_argument("--limit", type=count, metavar="N", help="show only the N cheapest")
    compare.add_argument("--include-variants", action="store_true", help=VARIANTS_HELP)
    _usage_arguments(compare)

    tokens = _group(groups, "tokens", "token counting")
    counter = _command(tokens, "count", "count the tokens of a text (tiktoken if installed, else an estimate)",
                       commands.tokens_count, common)
    counter.add_argument("text", nargs="?", help="the text (default: read standard input)")
    counter.add_argument("--file", metavar="PATH", help="read the text from a file")
    counter.add_argument("--model", metavar="MODEL", help="model whose tokenizer to use")

    _library_commands(groups, common)
    _config_commands(groups, common)
    chat = groups.add_parser("chat", parents=[common], help="ask a model; the answer streams to the terminal",
                             description="Ask a model (a provider/model id, a family or a route of knollm.toml); "
                             "the answer streams to the terminal, with provider, time and exact cost after it.")
    chat.set_defaults(handler=commands.chat)
    chat.add_argument("model", metavar="MODEL", help="provider/model id, family id or route name")
    chat.add_argument("prompt", nargs="?", help="the prompt (default or -: read standard input)")
    chat.add_argument("--system", metavar="TEXT", help="a system prompt")
    chat.add_argument("--max-tokens", type=count, metavar="N", help="most tokens in the answer")
    chat.add_argument("--quiet", action="store_true", help="no summary line (provider, time, cost) on stderr")
    _config_arguments(chat)
    _route_command(groups, common)
    health = groups.add_parser("health", parents=[common], help="every provider's and key's health: ok, cooling "
                               "until when, half-open or retired; success rate and latency",
                               description="The router's health of every configured provider and key, read from "
                               "the configured store ([health] path in knollm.toml).")
    health.set_defaults(handler=commands.health)
    _config_arguments(health)
    add_cache_commands(groups, common, _command, _config_arguments)
    add_compare_command(groups, common, _config_arguments)
    usage_commands.add_commands(groups, common)
    changes_command.add_command(groups, common)
    return parser


def _route_command(groups: _Groups, common: SafeArgumentParser) -> None:
    explain = groups.add_parser("route", parents=[common], help="explain which candidates a call would try, in "
                                "which order, and why others are left out (calls no provider)",
                                description="The routing decision for MODEL (a provider/model id, a family or a "
                                "route of knollm.toml), without calling any provider.")
    explain.set_defaults(handler=commands.route)
    explain.add_argument("model", metavar="MODEL", help="provider/model id, family id or route name")
    explain.add_argument("--strategy", default=None, choices=STRATEGIES,
                         help="how to order the candidates (default: the route's, else ordered)")
    explain.add_argument("--input-tokens", type=count, default=0, metavar="N", help="prompt tokens (estimate)")
    explain.add_argument("--max-tokens", type=count, metavar="N", help="most tokens in the answer")
    explain.add_argument("--needs", type=_needs, default=(), metavar="F1,F2",
                         help="required capabilities: tools, vision, structured_output")
    _config_arguments(explain)


def _needs(text: str) -> tuple[str, ...]:
    allowed = ("tools", "vision", "structured_output")
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    if unknown := [p for p in parts if p not in allowed]:
        raise argparse.ArgumentTypeError(f"unknown need {unknown[0]!r}; use: {', '.join(allowed)}")
    return parts


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: $KNOLLM_CONFIG, ./knollm.toml, the user config dir)")
    parser.add_argument("--profile", metavar="NAME", help="profile to apply (default: $KNOLLM_PROFILE)")


def _config_commands(groups: _Groups, common: SafeArgumentParser) -> None:
    config = _group(groups, "config", "the client configuration (knollm.toml)")
    check = _command(config, "check", "validate the configuration and print it resolved (keys only by name)",
                     commands.config_check, common)
    _config_arguments(check)


def _library_commands(groups: _Groups, common: SafeArgumentParser) -> None:
    libraries = _group(groups, "libraries", "the Python LLM library guide")
    listing = _command(libraries, "list", "list libraries", commands.libraries_list, common)
    listing.add_argument("--category", choices=LIBRARY_CATEGORIES)
    listing.add_argument("--feature", action="append", default=[], type=feature_name, metavar="FEATURE",
                         help=f"required feature (repeatable: all of): {', '.join(LIBRARY_FEATURES)}")
    listing.add_argument("--provider", metavar="ID", help="only libraries that reach this provider")
    _command(libraries, "show", "one library in detail, with its example", commands.libraries_show,
             common).add_argument("id", help="library id or PyPI name")
    recommend = _command(libraries, "recommend", "libraries ranked for a use case, with the reasons",
                         commands.libraries_recommend, common)
    recommend.add_argument("--use-case", required=True, type=use_case, metavar="USE_CASE",
                           help=f"one of: {', '.join(USE_CASES)}")
    recommend.add_argument("--needs", type=feature_list, default=(), metavar="F1,F2",
                           help=f"required features, comma-separated: {', '.join(LIBRARY_FEATURES)}")
    recommend.add_argument("--provider", metavar="ID", help="only libraries that reach this provider")
    recommend.add_argument("--limit", type=count, default=10, metavar="N", help="show at most N (default 10; 0: all)")
    matrix = _command(libraries, "matrix", "features x libraries (or, with --providers, provider reach)",
                      commands.libraries_matrix, common)
    matrix.add_argument("--providers", action="store_true",
                        help="the library x provider compatibility matrix instead of features")


def use_case(text: str) -> str:
    """A `--use-case` value, with a did-you-mean for typos."""
    try:
        return check_use_case(text)
    except InvalidArgument as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def feature_name(text: str) -> str:
    """One library feature name (`structured-output` and `structured_output` both work)."""
    try:
        return check_features([text])[0]
    except InvalidArgument as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def feature_list(text: str) -> tuple[str, ...]:
    """Comma-separated library features."""
    try:
        return check_features(p for p in text.split(",") if p.strip())
    except InvalidArgument as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _group(groups: _Groups, name: str, help_text: str) -> _Groups:
    parser = groups.add_parser(name, help=help_text, description=help_text)
    return parser.add_subparsers(dest="command", required=True, metavar="COMMAND")


def _command(group: _Groups, name: str, help_text: str, handler: object,
             common: SafeArgumentParser) -> argparse.ArgumentParser:
    parser = group.add_parser(name, help=help_text, description=help_text, parents=[common])
    parser.set_defaults(handler=handler)
    return parser


def _search_arguments(search: argparse.ArgumentParser) -> None:
    search.add_argument("query", nargs="*",
                        help="free text; every word must match the id, name, family or description")
    search.add_argument("--provider", action="append", default=[], help="provider id (repeatable: any of)")
    search.add_argument("--kind", action="append", default=[], choices=KINDS, help="model kind (repeatable)")
    search.add_argument("--family", action="append", default=[], help="family id (repeatable)")
    search.add_argument("--capability", action="append", default=[], choices=CAPABILITIES,
                        help="required capability (repeatable: all of)")
    search.add_argument("--input-modality", action="append", default=[], choices=MODALITIES)
    search.add_argument("--output-modality", action="append", default=[], choices=MODALITIES)
    search.add_argument("--min-context", type=count, metavar="N", help="minimum context window, e.g. 128k")
    search.add_argument("--max-input-price", type=price, metavar="USD", help="max USD per million input tokens")
    search.add_argument("--max-output-price", type=price, metavar="USD", help="max USD per million output tokens")
    weights = search.add_mutually_exclusive_group()
    weights.add_argument("--open-weights", dest="open_weights", action="store_const", const=True)
    weights.add_argument("--closed-weights", dest="open_weights", action="store_const", const=False)
    search.add_argument("--priced", action="store_true", help="only models with a known input price")
    search.add_argument("--sort", choices=SORT_KEYS, help="sort key (default: relevance with a query, else id)")
    search.add_argument("--reverse", action="store_true", help="reverse the sort order")
    search.add_argument("--limit", type=count, default=20, metavar="N", help="show at most N (default 20; 0: all)")


def _usage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input-tokens", type=count, required=True, metavar="N", help="prompt tokens per request")
    parser.add_argument("--output-tokens", type=count, required=True, metavar="M",
                        help="completion tokens per request")
    parser.add_argument("--cached-tokens", type=count, default=0, metavar="K",
                        help="of the input tokens, how many are cache reads")
    parser.add_argument("--cache-write-tokens", type=count, default=0, metavar="W",
                        help="of the input tokens, how many are written to the cache")
    parser.add_argument("--requests", type=count, default=1, metavar="R", help="number of requests (default 1)")
    parser.add_argument("--images", type=count, default=0, metavar="N", help="images per request")
    parser.add_argument("--image-size", metavar="WxH", help="image size, for models priced by size (e.g. 1024x1024)")
    parser.add_argument("--image-quality", metavar="Q", help="image quality, for models priced by quality (e.g. hd)")
    parser.add_argument("--audio-input-seconds", type=count, default=0, metavar="S",
                        help="seconds of audio read per request (speech-to-text)")
    parser.add_argument("--audio-output-seconds", type=count, default=0, metavar="S",
                        help="seconds of audio produced per request (text-to-speech)")
    parser.add_argument("--characters", type=count, default=0, metavar="C",
                        help="input characters per request (text-to-speech)")
    parser.add_argument("--queries", type=count, default=0, metavar="Q", help="rerank or search queries per request")
    parser.add_argument("--web-searches", type=count, default=0, metavar="W", help="web searches per request")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    out = Output(sys.stdout, json=getattr(args, "json", False))
    handler: Callable[[argparse.Namespace, Output], int] = args.handler  # set by _command()
    try:
        return handler(args, out)
    except KnollmError as exc:
        _report(exc, out)
        return 1
    except BrokenPipeError:  # e.g. `knollm models search | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


def _report(exc: KnollmError, out: Output) -> None:
    if out.json:
        error: dict[str, object] = {"type": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, NotFound):
            error["suggestions"] = exc.suggestions
        out.data({"error": error})
        return
    print(terminal_safe(f"knollm: error: {exc}"), file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
