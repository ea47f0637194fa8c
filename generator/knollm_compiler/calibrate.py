"""Unit calibration: choose the scale of each source file's price groups by evidence, then check plausibility.

A price key without a unit in its name (`pricing.prompt`) means USD per token in one listing, per million in
another, and cents or 1/10,000 USD per million in a third. For each file and each group of sibling keys, the
scale is the one under which the file's prices agree best with OTHER sources' prices for the same families
(input with input, output with output): the median of log10(price / peer median) over the compared models
must land within ~3x of 1 with a clear margin to the next scale, and most compared prices must agree within
10x. With too few peers, typical price ranges by model kind decide among the conventional scales (per token,
per 1K, per million). When nothing fits, the group is flagged and its prices stay unknown: guessing a unit
publishes prices off by factors of a thousand. Keys that name their unit keep it; peers only check them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .drafts import Draft, RawPrice
from .families import family_key
from .family_rules import FamilyRules
from .infer import infer
from .ingest import prices
from .report_records import UnitEvidence
from .sources import Ingested

MIN_PEERS = 3
"""Compared prices needed before peers decide (else the kind bands do)."""
FIT = Decimal("0.75")
"""The chosen scale must bring the median log10 ratio within this of 0 (about 5.6x: hosts differ in price) ..."""
MARGIN = Decimal("0.3")
"""... and the next scale must be at least this much further away (log10)."""
AGREE_WITHIN = Decimal(1)
"""A compared price agrees when within 10x of its peer median after scaling ..."""
AGREE_SHARE = Decimal("0.5")
"""... and at least this share of compared prices must agree, or the peers disagree too much to decide."""
STATED_CONTRADICTION = Decimal(30).log10()
"""A stated unit is flagged when peers put its prices more than 30x off."""
BAND_CENTRES = {"chat": Decimal(1), "embedding": Decimal("0.05"), "rerank": Decimal("0.05"),
                "moderation": Decimal("0.2"), "audio": Decimal(5), "image": Decimal(5), "other": Decimal(1)}
"""Typical USD per million tokens by model kind (the geometric centre of the plausible range)."""
BAND_HALF_WIDTH = Decimal(2)
"""The plausible range is the centre +- 2 decades (chat: $0.01 to $100 per million) ..."""
BAND_MARGIN = Decimal(1)
"""... and the next conventional scale must miss the centre by a decade more than the chosen one."""
COMPARED = ("input", "output")


@dataclass(frozen=True, slots=True)
class _Choice:
    scale: str | None
    method: str
    peers: int = 0
    median_log: Decimal | None = None
    note: str | None = None


def calibrate(ingested: list[Ingested], rules: FamilyRules, extra: Sequence[Draft] = ()) -> list[UnitEvidence]:
    """Rewrite every source's token prices in USD per million tokens; return the evidence per group.

    `extra` (e.g. authored overrides) only serves as peers. Dropped values are logged on the file's log.
    """
    drafts = [(item.file, d) for item in ingested for d in item.drafts] + [(d.file, d) for d in extra]
    # Only drafts with a comparable price need their family (most listing entries have no price).
    keys = {id(d): family_key(rules, d.provider, d.model_id) for _, d in drafts
            if d.raw_prices or any(f"pricing.{c}_per_mtok" in d.values for c in COMPARED)}
    references = _references(drafts, keys)
    evidence: list[UnitEvidence] = []
    for item in ingested:
        groups: dict[str, list[tuple[Draft, RawPrice]]] = defaultdict(list)
        for draft in item.drafts:
            for pending in draft.raw_prices:
                groups[pending.group].append((draft, pending))
        for group, members in sorted(groups.items()):
            choice = _choose(item.file, members, references, keys)
            _apply(item, members, choice)
            evidence.append(_evidence(item.file, group, choice))
    for _, draft in drafts:
        draft.raw_prices = []  # settled: the raw values would otherwise live to the end (50 MB at 100k models)
    return evidence


References = dict[tuple[str, str], list[tuple[str, Decimal]]]


def _references(drafts: list[tuple[str, Draft]], keys: dict[int, str]) -> References:
    """(family, component) -> (file, USD per million) for every base price whose unit is already known."""
    found: References = defaultdict(list)
    for file, draft in drafts:
        guessed = {p.key for p in draft.raw_prices if p.stated is None and p.container is draft.values}
        for component in COMPARED:
            slot = f"pricing.{component}_per_mtok"
            value = draft.values.get(slot)
            # A stated unit can be wrong too: values it makes implausible are no evidence about anyone else.
            if slot not in guessed and isinstance(value, Decimal) and prices.MIN_NONZERO_PER_MTOK <= value \
                    <= prices.MAX_PER_MTOK:
                found[(keys[id(draft)], component)].append((file, value))
    return found


Members = list[tuple[Draft, RawPrice]]


def _log_ratios(file: str, members: Members, references: References, keys: dict[int, str]) -> list[Decimal]:
    """log10(raw value / median of other files' prices) for each base input/output price that has peers."""
    ratios = []
    for draft, pending in members:
        if not pending.sample or pending.component not in COMPARED or pending.raw <= 0:
            continue
        peers = [v for f, v in references.get((keys[id(draft)], pending.component), ()) if f != file]
        if peers:
            ratios.append((pending.raw / statistics.median(peers)).log10())
    return ratios


def _choose(file: str, members: list[tuple[Draft, RawPrice]], references: References, keys: dict[int, str]) -> _Choice:
    stated = members[0][1].stated
    ratios = _log_ratios(file, members, references, keys)
    if not any(p.raw > 0 for _, p in members):
        return _Choice(stated or "per_mtok", "zero")  # free (or unknown) throughout: any scale gives the same
    if stated:
        return _stated(stated, ratios)
    if len(ratios) >= MIN_PEERS:
        return _by_peers(ratios)
    return _by_bands(members)


def _stated(unit: str, ratios: list[Decimal]) -> _Choice:
    if len(ratios) < MIN_PEERS:
        return _Choice(unit, "stated", len(ratios), statistics.median(ratios) if ratios else None)
    median = statistics.median(ratios)
    off = abs(median + prices.SCALES[unit].log10())
    note = f"peers put these prices {_ratio(off)}x off the stated unit" if off > STATED_CONTRADICTION else None
    return _Choice(unit, "stated", len(ratios), median, note)


def _by_peers(ratios: list[Decimal]) -> _Choice:
    median = statistics.median(ratios)
    ranked = sorted(prices.SCALES, key=lambda s: (abs(median + prices.SCALES[s].log10()), s))
    best, second = (abs(median + prices.SCALES[s].log10()) for s in ranked[:2])
    shift = prices.SCALES[ranked[0]].log10()
    agreeing = sum(1 for r in ratios if abs(r + shift) <= AGREE_WITHIN)
    if best > FIT or second - best < MARGIN:
        return _Choice(None, "peers", len(ratios), median, f"no scale fits: peers put the median at {_ratio(median)}x")
    if agreeing < AGREE_SHARE * len(ratios):
        return _Choice(None, "peers", len(ratios), median,
                       f"peers disagree: only {agreeing} of {len(ratios)} prices within 10x under {ranked[0]}")
    return _Choice(ranked[0], "peers", len(ratios), median)


def _by_bands(members: list[tuple[Draft, RawPrice]]) -> _Choice:
    """Among per token, per 1K and per million: the scale putting the median price nearest its kind's typical
    price; sub-dollar scales are a decade apart, so bands cannot tell them apart and only peers choose them."""
    offsets = []
    for draft, pending in members:
        if pending.sample and pending.raw > 0:
            kind = draft.values.get("kind") or infer(draft.model_id, draft.values).get("kind", "chat")
            offsets.append((pending.raw / BAND_CENTRES.get(kind, BAND_CENTRES["chat"])).log10())
    if not offsets:
        offsets = [p.raw.log10() for _, p in members if p.raw > 0]  # only tier prices: read them as chat
    median = statistics.median(offsets)
    ranked = sorted(prices.UNIT_FACTORS, key=lambda s: (abs(median + prices.UNIT_FACTORS[s].log10()), s))
    best, second = (abs(median + prices.UNIT_FACTORS[s].log10()) for s in ranked[:2])
    if best > BAND_HALF_WIDTH or second - best < BAND_MARGIN:
        return _Choice(None, "bands", 0, None, f"too few peers, and typical prices fit no single scale "
                       f"(median {_ratio(median)}x the typical price per million)")
    return _Choice(ranked[0], "bands")


def _apply(item: Ingested, members: list[tuple[Draft, RawPrice]], choice: _Choice) -> None:
    """Write each value in the chosen scale, or drop it (with a problem) when implausible or when no scale fits."""
    assert item.log is not None
    for draft, pending in members:
        if pending.stated is None:
            item.units[pending.path] = choice.scale or "unknown"
        if pending.container.get(pending.key) is None:
            continue  # dropped meanwhile (e.g. a tier below its base price) or unknown
        if choice.scale is None and pending.raw != 0:  # zero is zero in every unit
            del pending.container[pending.key]
            item.log.drop(draft.model_id, pending.where, f"price unit unknown, value {pending.raw} left out: "
                          f"{choice.note}")
            continue
        scale = choice.scale or "per_mtok"
        value = prices.scaled(pending.raw, scale)
        reason = prices.implausible(value, pending.raw, scale)
        if reason:
            del pending.container[pending.key]
            item.log.drop(draft.model_id, pending.where, reason)
        else:
            pending.container[pending.key] = value
    for draft, _ in members:
        _drop_empty_tiers(draft)


def _drop_empty_tiers(draft: Draft) -> None:
    tiers = draft.values.get("pricing.tiers")
    if isinstance(tiers, dict):
        for threshold in [t for t, v in tiers.items() if not v]:
            del tiers[threshold]
        if not tiers:
            del draft.values["pricing.tiers"]


def _evidence(file: str, group: str, choice: _Choice) -> UnitEvidence:
    before = _ratio(choice.median_log) if choice.median_log is not None else None
    after = None
    if choice.median_log is not None and choice.scale is not None:
        after = _ratio(choice.median_log + prices.SCALES[choice.scale].log10())
    return UnitEvidence(file=file, group=group, scale=choice.scale, method=choice.method,  # type: ignore[arg-type]  # _Choice.method: one of the Literal's values
                        peers=choice.peers, ratio_before=before, ratio_after=after,
                        flagged=choice.note is not None, note=choice.note)


def _ratio(log: Decimal) -> str:
    """10**log with three significant digits, as a plain decimal string (`1e+40` style beyond 1e12 either way,
    so hostile values cannot blow up the report)."""
    if abs(log) > 12:
        return f"1e{int(log.to_integral_value()):+d}"
    value = Decimal(10) ** log
    return format(Decimal(f"{value:.3g}"), "f")


def render_units(evidence: list[UnitEvidence] | tuple[UnitEvidence, ...]) -> list[str]:
    """Lines for the text report: each group whose unit was chosen by evidence, and each flagged group."""
    lines = []
    for e in evidence:
        if e.method in ("peers", "bands") or e.flagged:
            ratios = f", median ratio {e.ratio_before} -> {e.ratio_after}" if e.ratio_before else ""
            flag = f"  FLAGGED: {e.note}" if e.flagged else ""
            scale = e.scale or "none"
            lines.append(f"  unit {e.file} {e.group}: {scale} by {e.method} ({e.peers} peers{ratios}){flag}")
    return ["unit calibration:", *lines] if lines else []
