"""`knollm usage report|dashboard` and `knollm benchmark`: what the usage store knows, and live benchmarks.

The parsers are defined here and added by `cli.build_parser`; the analytics package, the configuration and the
client load only when one of these commands runs. Every name in the store came from a configuration or a
provider: `Output` escapes what reaches the terminal, the dashboard escapes what reaches the page.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import safefile
from .errors import InvalidArgument, KnollmError
from .render import NONE, Output, money, number

if TYPE_CHECKING:
    from .analytics.benchmark import ModelResult, Run
    from .analytics.recorder import BackgroundWriter
    from .analytics.store import UsageStore
    from .catalog import Catalog
    from .cli import SafeArgumentParser
    from .config import Config

GROUPINGS = ("provider", "model", "route", "day")
"""`--by` values (the same as `knollm.analytics.report.GROUPINGS`, repeated so `--help` loads no analytics)."""
MAX_PROMPT_BYTES = 1_000_000


def add_commands(groups: Any, common: SafeArgumentParser) -> None:
    """Add `usage report`, `usage dashboard` and `benchmark` to the CLI's command groups."""
    from .cli import _command, _config_arguments, _group, count

    usage = _group(groups, "usage", "usage analytics: what calls cost and how they went (the [analytics] store)")
    report = _command(usage, "report", "totals, trends, reliability, budgets, anomalies and cheaper offers",
                      usage_report, common)
    report.add_argument("--since", default="7d", metavar="SPAN", help="how far back: 30m, 12h, 7d, 2w (default 7d)")
    report.add_argument("--by", default="provider", choices=GROUPINGS, help="grouping (default provider)")
    report.add_argument("--ab", metavar="NAME", help="instead: the report of the A/B test NAME, rebuilt from its "
                        "recorded calls (knollm.multi.ABTest)")
    _store_arguments(report, _config_arguments)
    dashboard = _command(usage, "dashboard", "write one self-contained HTML page with charts of the usage store",
                         usage_dashboard, common)
    dashboard.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write, e.g. usage.html")
    dashboard.add_argument("--since", default="30d", metavar="SPAN", help="how far back (default 30d)")
    _store_arguments(dashboard, _config_arguments)

    bench = groups.add_parser("benchmark", parents=[common], help="measure models live: time to first token, "
                              "latency, tokens per second, success rate and cost",
                              description="Stream one prompt to each model several times and measure what a "
                              "caller sees; the runs are recorded in the usage store.")
    bench.set_defaults(handler=benchmark)
    bench.add_argument("--models", required=True, type=_models, metavar="A,B,C",
                       help="provider/model ids, families or routes, comma-separated")
    bench.add_argument("--prompt-file", required=True, metavar="FILE", help="the prompt (UTF-8 text)")
    bench.add_argument("--runs", type=count, default=3, metavar="N", help="calls per model (default 3)")
    bench.add_argument("--concurrency", type=count, default=1, metavar="K", help="calls at once (default 1)")
    bench.add_argument("--max-tokens", type=count, metavar="N", help="most tokens in each answer")
    bench.add_argument("--out", metavar="FILE", help="also write the results as JSON to FILE")
    bench.add_argument("--no-record", action="store_true", help="do not record the runs in the usage store")
    _store_arguments(bench, _config_arguments)


def _store_arguments(parser: argparse.ArgumentParser, config_arguments: Any) -> None:
    config_arguments(parser)
    parser.add_argument("--store", metavar="FILE", help="the usage store (default: [analytics] path, else the "
                        "user data directory)")


def _models(text: str) -> list[str]:
    models = list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    if not models:
        raise argparse.ArgumentTypeError("name at least one model")
    return models


def _config(args: argparse.Namespace) -> Config:
    from .config import load_config

    return load_config(args.config, args.profile)


def _store(args: argparse.Namespace, config: Config) -> UsageStore:
    from .analytics.recorder import store_path
    from .analytics.store import UsageStore

    return UsageStore(Path(args.store) if args.store else store_path(config))


def _catalog(args: argparse.Namespace) -> Catalog | None:
    from .catalog import Catalog

    try:
        return Catalog.load(getattr(args, "bundle", None))
    except KnollmError:
        return None  # the report works without a catalog; only its suggestions need one


def usage_report(args: argparse.Namespace, out: Output) -> int:
    from .analytics.report import parse_since
    from .analytics.report import usage_report as build

    config = _config(args)
    if args.ab is not None:
        return _ab_report(args.ab, _store(args, config), out)
    report = build(_store(args, config), since_s=parse_since(args.since), by=args.by, catalog=_catalog(args),
                   settings=config.analytics)
    if out.json:
        out.data(report)
        return 0
    from .usage_render import render_report

    render_report(report, out)
    return 0


def _ab_report(name: str, store: UsageStore, out: Output) -> int:
    from .multi.ab import ABTest
    from .serialize import to_data

    try:
        report = ABTest.from_store(store, name).report()
    except ValueError as exc:  # no call of an arm recorded: say which, and where we looked
        raise InvalidArgument(str(exc)) from None
    if out.json:
        out.data({**to_data(report), "differences": report.differences()})
        return 0
    from .usage_render import render_ab

    render_ab(report, out)
    return 0


def usage_dashboard(args: argparse.Namespace, out: Output) -> int:
    from .analytics.dashboard import dashboard_html
    from .analytics.report import parse_since

    config = _config(args)
    store = _store(args, config)
    records = store.records(since=time.time() - parse_since(args.since))
    page = dashboard_html(records, title="Knollm usage", window=f"last {args.since}, {len(records)} calls, "
                          f"from {store.path.name}")
    Path(args.out).write_text(page, encoding="utf-8")
    if out.json:
        out.data({"out": args.out, "records": len(records)})
    else:
        out.line(f"wrote {args.out} ({len(records)} calls, last {args.since})")
    return 0


def benchmark(args: argparse.Namespace, out: Output) -> int:
    from .analytics.benchmark import run_benchmark, summarise
    from .analytics.recorder import UsageRecorder
    from .catalog import Catalog
    from .client.errors import NoCandidate
    from .client.sync import Client

    try:
        prompt = safefile.read_text(args.prompt_file, MAX_PROMPT_BYTES)  # never /dev/zero or a FIFO
    except safefile.UnsafeFile as exc:
        raise InvalidArgument(f"cannot read {args.prompt_file}: {exc}") from None
    with Client(args.config, profile=args.profile, catalog=Catalog.load(getattr(args, "bundle", None))) as client:
        for model in args.models:
            if not (resolution := client.resolve(model)).candidates:
                raise NoCandidate(model, resolution.reasons or {model: "nothing matches"})
        client.observers.clear()  # benchmark runs are recorded as such, not as ordinary calls
        writer = None if args.no_record else _benchmark_writer(args, client.config)
        if writer is not None:
            client.observers.append(UsageRecorder(writer, client.config.profile, source="benchmark"))
        with _progress(len(args.models) * args.runs, enabled=not out.json) as tick:
            runs = run_benchmark(client, args.models, prompt, runs=args.runs, concurrency=args.concurrency,
                                 max_tokens=args.max_tokens, on_run=tick)
        if writer is not None:
            writer.flush()
    results = summarise(runs, args.models)
    data = _results_data(results, runs, args)
    if args.out:
        from .serialize import dumps

        Path(args.out).write_text(dumps(data) + "\n", encoding="utf-8")
    if out.json:
        out.data(data)
    else:
        _benchmark_table(results, out)
    return 0 if any(r.ok for r in runs) else 1


def _benchmark_writer(args: argparse.Namespace, config: Config) -> BackgroundWriter:
    from .analytics.recorder import writer_for

    return writer_for(_store(args, config).path)


def _results_data(results: list[ModelResult], runs: list[Run], args: argparse.Namespace) -> dict[str, Any]:
    return {"runs_per_model": args.runs, "concurrency": args.concurrency, "recorded": not args.no_record,
            "models": [asdict(r) for r in results], "runs": [asdict(r) for r in runs]}


def _benchmark_table(results: list[ModelResult], out: Output) -> None:
    def seconds(value: float | None) -> str:
        return NONE if value is None else f"{value:.3f} s"

    rows = [[r.model, f"{r.successes}/{r.runs}", seconds(r.ttft_p50_s), seconds(r.latency_p50_s),
             seconds(r.latency_p95_s), NONE if r.tokens_per_s is None else f"{r.tokens_per_s:,.1f}",
             money(r.cost_per_run_usd), ", ".join(f"{k} x{number(v)}" for k, v in sorted(r.errors.items()))]
            for r in results]
    out.table(["model", "ok", "TTFT p50", "latency p50", "latency p95", "tokens/s", "cost/run", "errors"], rows,
              title="Benchmark", right=[1, 2, 3, 4, 5, 6],
              caption="cost/run is exact, from the catalog's prices; '-' when a price or the usage is unknown")


class _progress:
    """A rich progress bar on a terminal (stderr), nothing otherwise; used as `with _progress(n) as tick`."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self._total, self._enabled = total, enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if self._enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("benchmark", total=self._total)
        return self._tick

    def _tick(self, _run: object) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()
