"""`knollm cache stats|clear|prune|warm`: the response cache from the command line.

This module is imported by the CLI's parser and stays light: the cache (sqlite3), the configuration (pydantic) and
the client (httpx) load only when a cache command runs. Every command reads `[cache]` of the configuration
(`--config`, `--profile`) for the file and its settings.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidArgument
from .render import Output

if TYPE_CHECKING:
    from .cache.store import ResponseCache
    from .client.types import JSONObject

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
MAX_PROMPTS = 100_000
"""The most prompts `warm` reads from one file."""


def duration(text: str) -> float:
    """`90`, `90s`, `15m`, `12h`, `7d`, `2w` in seconds."""
    found = _DURATION.match(text)
    if not found:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 7d, 12h, 30m, 90s)")
    return float(found.group(1)) * _SECONDS[found.group(2).lower()]


def add_cache_commands(groups: Any, common: argparse.ArgumentParser,
                       command: Callable[..., argparse.ArgumentParser],
                       config_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `knollm cache ...` (called by `cli.build_parser` with its own helpers)."""
    parser = groups.add_parser("cache", help="the response cache: statistics, clearing, pruning, warming",
                               description="the response cache: statistics, clearing, pruning, warming")
    group = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    config_arguments(command(group, "stats", "entries, size, hits and misses of the response cache", stats, common))
    config_arguments(command(group, "clear", "delete every cached answer and reset the statistics", clear, common))
    prune_parser = command(group, "prune", "delete expired answers (and, with --older-than, older ones)", prune,
                           common)
    prune_parser.add_argument("--older-than", type=duration, metavar="AGE",
                              help="also delete answers stored longer ago than AGE (e.g. 7d, 12h)")
    config_arguments(prune_parser)
    warm_parser = command(group, "warm", "send every prompt of a file to a model and cache the answers", warm,
                          common)
    warm_parser.add_argument("--prompt-file", required=True, metavar="FILE",
                             help="one prompt per line (# comments and blank lines skipped), or a .jsonl file of "
                             "message lists or {\"messages\": [...]} objects")
    warm_parser.add_argument("--model", required=True, metavar="MODEL", help="provider/model id, family or route")
    warm_parser.add_argument("--max-tokens", type=int, metavar="N", help="most tokens in each answer")
    config_arguments(warm_parser)


def _open(args: argparse.Namespace) -> ResponseCache:
    from .cache.store import ResponseCache
    from .config import load_config

    settings = load_config(args.config, args.profile).cache
    return ResponseCache(settings.path, ttl_s=settings.ttl_s, provider_ttl_s=settings.provider_ttl_s,
                         similarity=settings.similarity, similarity_candidates=settings.similarity_candidates)


def _when(epoch: float | None) -> str:
    return "-" if epoch is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def stats(args: argparse.Namespace, out: Output) -> int:
    with _open(args) as cache:
        found = cache.stats()
    ratio = found.hit_ratio
    if out.json:
        from .serialize import to_data

        out.data({**to_data(found), "hit_ratio": ratio})
        return 0
    out.details("Response cache", [
        ("file", found.path), ("entries", f"{found.entries:,} ({found.expired:,} expired)"),
        ("size", f"{found.bytes / 1024:,.1f} KiB"), ("hits", f"{found.hits:,} exact, {found.similar_hits:,} similar"),
        ("misses", f"{found.misses:,}"), ("hit ratio", "-" if ratio is None else f"{ratio:.1%}"),
        ("stored", f"{found.stores:,}"), ("oldest", _when(found.oldest)), ("newest", _when(found.newest))])
    return 0


def clear(args: argparse.Namespace, out: Output) -> int:
    with _open(args) as cache:
        removed = cache.clear()
    _done(out, {"removed": removed}, f"removed {removed:,} cached answers")
    return 0


def prune(args: argparse.Namespace, out: Output) -> int:
    with _open(args) as cache:
        removed = cache.prune(args.older_than)
    _done(out, {"removed": removed}, f"removed {removed:,} expired or old answers")
    return 0


def _done(out: Output, data: dict[str, Any], text: str) -> None:
    if out.json:
        out.data(data)
    else:
        out.line(text)


def read_prompts(path: Path) -> list[list[JSONObject]]:
    """The conversations of a prompt file (see `warm --prompt-file`)."""
    from .safefile import UnsafeFile, configured_max_bytes, read_text

    try:
        lines = read_text(path, configured_max_bytes()).splitlines()
    except UnsafeFile as exc:
        raise InvalidArgument(f"cannot read the prompt file {path}: {exc.reason}") from None
    if path.suffix == ".jsonl":
        return [_conversation(line, number) for number, line in enumerate(lines, 1) if line.strip()][:MAX_PROMPTS]
    prompts = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return [[{"role": "user", "content": prompt}] for prompt in prompts[:MAX_PROMPTS]]


def _conversation(line: str, number: int) -> list[JSONObject]:
    try:
        data = json.loads(line)
    except ValueError:
        raise InvalidArgument(f"line {number} of the prompt file is not JSON") from None
    messages = data.get("messages") if isinstance(data, dict) else data
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages) or not messages:
        raise InvalidArgument(f"line {number} of the prompt file is not a list of messages or {{\"messages\": [...]}}")
    return messages


def warm(args: argparse.Namespace, out: Output) -> int:
    """Ask `--model` every prompt of the file with `cache=True, temperature=0`; answers already cached are not
    sent again."""
    from .catalog import Catalog
    from .client.errors import ClientError
    from .client.sync import Client

    conversations = read_prompts(Path(args.prompt_file))
    counts = {"prompts": len(conversations), "stored": 0, "cached": 0, "failed": 0}
    with Client(args.config, profile=args.profile, catalog=Catalog.load(getattr(args, "bundle", None))) as client:
        for messages in conversations:
            try:
                answer = client.chat.completions.create(model=args.model, messages=messages, cache=True,
                                                        temperature=0, max_tokens=args.max_tokens)
            except ClientError as exc:
                counts["failed"] += 1
                if not out.json:
                    out.line(f"failed: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            hit = getattr(answer.knollm, "cache_hit", False)
            counts["cached" if hit else "stored"] += 1
    _done(out, counts, f"{counts['prompts']:,} prompts: {counts['stored']:,} answers stored, "
          f"{counts['cached']:,} already cached, {counts['failed']:,} failed")
    return 0 if counts["failed"] == 0 else 1
