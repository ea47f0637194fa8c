"""The build report: per source, read == emitted + rejected, with every problem and unknown field."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_EVEN, Decimal

from .bundle_records import Bundle
from .calibrate import render_units
from .hygiene import render_confusables
from .merge import MergeResult, declared_fields
from .outliers import render_flags
from .problems import Problem, ProblemLog, Severity
from .report_records import AgreementRow, FamilyReport, Report, SourceReport
from .snapshot_folder import LISTING_NAMING, STATUS_FILE, VARIANT_NAMING
from .sources import Ingested

MAX_PROBLEMS_IN_TEXT = 40
CONFLICTS_SHOWN = 100
AGREEMENT_SHOWN = 15


def source_report(item: Ingested, merged: MergeResult) -> SourceReport:
    assert item.log is not None
    lost = merged.rejected.get(item.file, 0)
    declared = sum(declared_fields(d) for d in item.drafts)
    inferred = merged.inferred.get(item.file, 0)
    derived = sum(len(d.derived) for d in item.drafts)
    return SourceReport(
        file=item.file,
        provider=item.provider,
        role=item.role,  # type: ignore[arg-type]  # sources.Ingested.role holds only the report's Literal values
        shape=item.shape,
        read=item.read,
        emitted=(len(item.drafts) if item.records_emitted is None else item.records_emitted) - lost,
        merged=merged.merged.get(item.file, 0),
        rejected=item.rejected + lost,
        records_uncounted=item.uncounted,
        ignored=tuple(item.ignored),
        unknown_fields=dict(sorted(item.unknown_fields.items())),
        declared_fields=declared,
        inferred_fields=inferred,
        derived_fields=derived,
        price_units=dict(sorted(item.units.items())),
        problems=tuple(p.as_dict() for p in item.log.problems)
        + tuple(p.as_dict() for p in merged.problems if p.file == item.file),
    )


def unrecognised_report(name: str) -> SourceReport:
    """A JSON file in the snapshots directory whose name follows no known pattern: listed, not read."""
    problem = Problem(name, "-", "$file", f"not read: the name is not {LISTING_NAMING} (nor {VARIANT_NAMING}, "
                      f"nor {STATUS_FILE}); rename it to use it", Severity.REJECTED)
    return SourceReport(file=name, provider=None, role="unreadable", shape="unrecognised name", read=0, emitted=0,
                        merged=0, rejected=0, records_uncounted=True, problems=(problem.as_dict(),))


def status_report(log: ProblemLog, emitted: int) -> SourceReport:
    """`failed_models.json`: read is the statuses kept plus the entries rejected (a `$file` problem is no entry)."""
    read = emitted + sum(1 for p in log.problems if p.record != "-" and p.severity is Severity.REJECTED)
    return SourceReport(
        file=log.file, provider=None, role="status", shape="keyed-object", read=read, emitted=emitted,
        merged=0, rejected=read - emitted, problems=tuple(p.as_dict() for p in log.problems),
        records_uncounted=any(p.path == "$file" and p.severity is Severity.REJECTED for p in log.problems),
    )


def build_report(sources: list[SourceReport], merged: MergeResult, families: FamilyReport | None) -> Report:
    totals: Counter[str] = Counter()
    for s in sources:
        totals.update(read=s.read, emitted=s.emitted, merged=s.merged, rejected=s.rejected,
                      problems=len(s.problems), declared_fields=s.declared_fields)
        if s.derived_fields:  # the key appears only in builds with router listings: others keep their bytes
            totals.update(derived_fields=s.derived_fields)
    conflicts = sorted(merged.conflicts, key=lambda c: (c["model"], c["field"], c["other"]))
    superseded = [c for c in conflicts if c.get("won_by") == "newer"]
    totals.update(conflicts=len(conflicts), superseded=len(superseded), price_fills=len(merged.price_fills))
    return Report(
        sources=tuple(sorted(sources, key=lambda s: s.file)),
        totals=dict(sorted(totals.items())),
        invariant_ok=all(s.read == s.emitted + s.rejected for s in sources),
        families=families,
        conflicts=tuple(conflicts[:CONFLICTS_SHOWN]),
        superseded=tuple(superseded[:CONFLICTS_SHOWN]),
        agreement=agreement_table(merged),
    )


def agreement_table(merged: MergeResult) -> tuple[AgreementRow, ...]:
    """One row per provider, least agreeing first (ties: most compared first, then by id): the order the text
    report and the site show."""
    rows = []
    for provider, tally in merged.agreement.items():
        share = (Decimal(tally["agreed"]) / Decimal(tally["compared"])).quantize(Decimal("0.001"), ROUND_HALF_EVEN)
        rows.append(AgreementRow(provider=provider, models=tally["models"], compared=tally["compared"],
                                 agreed=tally["agreed"], share=str(share)))
    return tuple(sorted(rows, key=lambda r: (Decimal(r.share), -r.compared, r.provider)))


def agreement_lines(report: Report) -> list[str]:
    """The agreement table as text, least agreeing providers first."""
    rows = report.agreement
    if not rows:
        return ["price agreement: no price is stated by two sources"]
    lines = [f"price agreement with other sources (within 1%), {len(rows)} providers, least agreeing first:",
             f"  {'provider':<28} {'models':>7} {'compared':>9} {'agreed':>7} {'share':>6}"]
    lines += [f"  {r.provider:<28} {r.models:>7} {r.compared:>9} {r.agreed:>7} {r.share:>6}"
              for r in rows[:AGREEMENT_SHOWN]]
    if len(rows) > AGREEMENT_SHOWN:
        lines.append(f"  ... {len(rows) - AGREEMENT_SHOWN} more providers in dist/catalog.json (report.agreement)")
    return lines


def report_text(bundle: Bundle, seconds: float) -> str:
    """The whole text report of a build (dist/report.txt): the summary, then the unit evidence, the price flags
    and the confusable ids."""
    priced = sum(1 for m in bundle.models if m.pricing is not None)
    report = bundle.report
    text = render_text(report, len(bundle.models), len(bundle.providers), priced, seconds)
    return text + "".join(f"{line}\n" for line in [*render_units(report.units), *render_flags(report.price_flags),
                                                   *render_confusables(report.confusables)])


def render_text(report: Report, models: int, providers: int, priced: int, seconds: float) -> str:
    """A plain-text summary for the terminal and dist/report.txt."""
    lines = [f"{'file':<34} {'role':<9} {'shape':<14} {'read':>6} {'emitted':>8} {'merged':>7} "
             f"{'rejected':>8} {'unknown':>8}"]
    for s in report.sources:
        flag = "" if s.read == s.emitted + s.rejected else "  <-- read != emitted + rejected"
        flag += "  (records not counted: file not read)" if s.records_uncounted else ""
        lines.append(f"{s.file:<34} {s.role:<9} {s.shape:<14} {_count(s.read, s):>6} {_count(s.emitted, s):>8} "
                     f"{s.merged:>7} {_count(s.rejected, s):>8} {len(s.unknown_fields):>8}{flag}")
    t = report.totals
    uncounted = sum(1 for s in report.sources if s.records_uncounted)
    lines.append(f"totals: read {t.get('read', 0)}, emitted {t.get('emitted', 0)}, rejected "
                 f"{t.get('rejected', 0)}, problems {t.get('problems', 0)}, conflicts {t.get('conflicts', 0)}"
                 + (f"; {uncounted} file(s) not read, their records not counted" if uncounted else ""))
    if report.families:
        f = report.families
        lines.append(f"families: {f.families}, of which {f.multi_provider} with 2+ providers; largest: "
                     + ", ".join(f"{k} ({v})" for k, v in list(f.largest.items())[:8])
                     + f"; ambiguous ids: {f.ambiguous_count}")
    lines += duplicate_lines(report)
    lines += agreement_lines(report)
    lines.append(f"prices: {t.get('conflicts', 0)} conflicts over 1%, {t.get('superseded', 0)} won by a newer "
                 f"declaration, {t.get('price_fills', 0)} components filled from an agreeing second source")
    lines.append(f"bundle: {providers} providers, {models} models ({priced} priced); invariant "
                 f"{'holds' if report.invariant_ok else 'BROKEN'}; compiled in {seconds:.2f} s")
    problems = [p for s in report.sources for p in s.problems]
    for p in problems[:MAX_PROBLEMS_IN_TEXT]:
        lines.append(f"  {p['severity']:<8} {p['file']}: record {p['record']!r}: {p['path']}: {p['reason']}")
    if len(problems) > MAX_PROBLEMS_IN_TEXT:
        lines.append(f"  ... and {len(problems) - MAX_PROBLEMS_IN_TEXT} more in dist/catalog.json (report)")
    return "\n".join(lines) + "\n"


def _count(value: int, source: SourceReport) -> str:
    """A count, or `?` for a file whose records could not be counted."""
    return "?" if source.records_uncounted else str(value)


def duplicate_lines(report: Report) -> list[str]:
    """Counts of merged duplicate ids and providers contained in another (details in the bundle's report)."""
    reasons = Counter(d.reason for d in report.duplicates)
    lines = [f"duplicates: {sum(len(d.aliases) for d in report.duplicates)} ids merged into "
             f"{len(report.duplicates)} models (" + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
             + f"); look-alikes kept apart: {len(report.duplicates_kept_apart)}"]
    lines += [f"  provider {o.provider}: {o.contained} of {o.models} priced models also at {o.within} at the same "
              "prices" for o in report.provider_overlaps]
    return lines
