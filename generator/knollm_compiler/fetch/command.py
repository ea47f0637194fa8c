"""`knollm-build fetch --out DIR`: fetch every provider's model listing into DIR (see the package docstring)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TextIO

import orjson

from knollm.client.errors import ClientError, ProviderError
from knollm.client.paged_listing import Fetcher, listing_http
from knollm.config.errors import ConfigError
from knollm.config.load import load_config
from knollm.progress import progress
from knollm.safefile import MIB, mb_to_bytes
from knollm.texthygiene import terminal_safe

from ..providers import load_provider_specs
from ..snapshot_folder import listing_name
from .plan import ListingPlan, make_plans
from .publish import publish
from .status import Outcome, write_atomic, write_status


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="knollm-build fetch",
        description="Fetch each provider's model listing (endpoint, auth and pagination from its provider file) into "
                    "models_<provider>.json files of --out, with the status of every provider in failed_models.json "
                    "(a provider that fails keeps its previous file). Keys come from the environment variables the "
                    "provider files or the configuration name; they are never written or printed. "
                    "Then: knollm-build --snapshots DIR.")
    p.add_argument("--out", type=Path, required=True, help="snapshot folder to write models_<provider>.json into")
    p.add_argument("--catalog", type=Path, default=Path("catalog"), help="authored files (default: catalog)")
    p.add_argument("--provider", action="append", default=None, metavar="ID",
                   help="fetch only this provider (repeat for more; default: every provider with a listing)")
    p.add_argument("--config", type=Path, default=None,
                   help="knollm.toml naming keys (env:NAME) and base URLs per provider")
    p.add_argument("--concurrency", type=_positive, default=8, help="listings fetched at once (default: 8)")
    p.add_argument("--timeout", type=_seconds, default=20.0, help="seconds per request (default: 20)")
    p.add_argument("--attempts", type=_positive, default=3, help="attempts per page (default: 3)")
    p.add_argument("--max-listing-mb", type=_megabytes, default=64 * MIB, metavar="MB",
                   help="refuse a listing larger than this many MiB (default: 64)")
    p.add_argument("--publish-to", type=Path, default=None, metavar="DIR",
                   help="also copy the listings of providers whose file says redistribute = true into DIR (and "
                        "remove any other provider's listing from it): what may be committed")
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    return p


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parser().parse_args(argv)
    source = os.environ if env is None else env
    providers = args.catalog / "providers"
    if not providers.is_dir():
        print(f"knollm-build fetch: {providers} is not a folder of provider files", file=sys.stderr)
        return 2
    specs, problems = load_provider_specs(providers)
    if problems:
        print(f"knollm-build fetch: {len(problems)} provider file problem(s), e.g. {problems[0]}", file=sys.stderr)
        return 1
    try:
        config = load_config(args.config, env=source) if args.config else None
    except ConfigError as exc:
        print(f"knollm-build fetch: {exc}", file=sys.stderr)
        return 2
    unknown = sorted(set(args.provider or []) - set(specs))
    if unknown:
        print(f"knollm-build fetch: unknown provider(s) {unknown}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    plans = make_plans(specs, config, source, args.provider)
    outcomes = run(plans, args)
    write_status(args.out, outcomes, dt.datetime.now(dt.UTC))
    print_summary(outcomes, sys.stdout, quiet=args.quiet)
    if args.publish_to is not None:
        copied = publish(specs, args.out, args.publish_to)
        print(f"fetch: {len(copied)} listing(s) of redistributable providers in {args.publish_to}")
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def run(plans: list[ListingPlan], args: argparse.Namespace) -> list[Outcome]:
    """Fetch every plan that is not skipped, at most `--concurrency` at once; outcomes sorted by provider. The
    progress bar (on a terminal only) advances in this thread as listings complete."""
    skipped = [Outcome(p.provider, "skipped", p.skip or "") for p in plans if p.skip]
    todo = [p for p in plans if not p.skip]
    done: list[Outcome] = []
    with listing_http(args.concurrency) as http, progress("fetch listings", total=len(todo)) as bar:
        fetcher = Fetcher(http, timeout_s=args.timeout, attempts=args.attempts, max_bytes=args.max_listing_mb)
        with ThreadPoolExecutor(max_workers=args.concurrency, thread_name_prefix="knollm-fetch") as pool:
            for future in as_completed([pool.submit(fetch_one, fetcher, plan, args.out) for plan in todo]):
                outcome = future.result()
                done.append(outcome)
                bar.advance(description=f"{outcome.provider}: {outcome.status}")
    return sorted(skipped + done, key=lambda o: o.provider)


def fetch_one(fetcher: Fetcher, plan: ListingPlan, out: Path) -> Outcome:
    """Fetch one listing and write it; on failure the previous snapshot stays as it was."""
    count = [0]
    try:
        fetched = fetcher.fetch(plan.request(), count)
    except ClientError as exc:
        status = exc.status if isinstance(exc, ProviderError) else getattr(exc, "status", None)
        return Outcome(plan.provider, "failed", terminal_safe(str(exc)), type(exc).__name__,
                       status if isinstance(status, int) else None, count[0])
    name = listing_name(plan.provider)
    try:
        write_atomic(out / name, orjson.dumps(fetched.document, option=orjson.OPT_INDENT_2) + b"\n")
    except (OSError, TypeError) as exc:
        return Outcome(plan.provider, "failed", f"cannot write {name}: {type(exc).__name__}", type(exc).__name__,
                       None, fetched.attempts)
    return Outcome(plan.provider, "fetched", "", None, None, fetched.attempts, fetched.entries, fetched.pages)


def print_summary(outcomes: list[Outcome], stream: TextIO, *, quiet: bool = False) -> None:
    """Totals, then one line per provider that was not fetched, with the reason."""
    fetched = [o for o in outcomes if o.status == "fetched"]
    no_key = [o for o in outcomes if o.status == "skipped" and o.reason.startswith("no key")]
    other = [o for o in outcomes if o.status == "skipped" and not o.reason.startswith("no key")]
    failed = [o for o in outcomes if o.status == "failed"]
    print(f"fetch: {len(fetched)} fetched, {len(no_key)} skipped for no key, {len(other)} skipped otherwise, "
          f"{len(failed)} failed", file=stream)
    if quiet:
        return
    for o in fetched:
        print(f"  fetched  {o.provider}: {o.models} entries, {o.pages} page(s), {o.attempts} request(s)", file=stream)
    for o in failed:
        code = f" HTTP {o.http_status}" if o.http_status else ""
        print(f"  FAILED   {o.provider}: {o.error_class}{code} after {o.attempts} attempt(s): {o.reason}",
              file=stream)
    for o in no_key + other:
        print(f"  skipped  {o.provider}: {o.reason}", file=stream)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 3600, got {text!r}")
    return value


def _megabytes(text: str) -> int:
    try:
        return mb_to_bytes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
