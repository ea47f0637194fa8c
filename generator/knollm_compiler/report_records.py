"""The build report's records: per source, price agreement, unit evidence, outliers, duplicates, families."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .strict import Strict


class FamilyReport(Strict):
    """How models were grouped."""

    families: int
    """Number of families."""
    multi_provider: int
    """Families offered by two or more providers."""
    largest: dict[str, int]
    """The largest families -> provider count."""
    ambiguous: tuple[str, ...]
    """Model ids left in an undated family although dated versions exist (e.g. `claude-3-5-sonnet`)."""
    ambiguous_count: int
    """All such model ids (the list above is capped)."""


class SourceReport(Strict):
    """What the compiler did with one source file."""

    file: str
    """Source file name."""
    provider: str | None
    """Provider the file belongs to (None for multi-provider catalogs)."""
    role: Literal["listing", "variant", "catalog", "status", "unreadable"]
    """How the file was used."""
    shape: str
    """Detected shape (`openai-list`, `bare-array`, `keyed-object`, ...)."""
    read: int
    """Entries read."""
    emitted: int
    """Entries that reached the bundle (as a new model or merged into one)."""
    merged: int
    """Of `emitted`, entries merged into a model another source already had."""
    rejected: int
    """Entries left out, each listed in `problems`."""
    records_uncounted: bool = False
    """The file was not read into records (unparseable, unknown shape, unrecognised name): `read`, `emitted` and
    `rejected` are 0 because its records could not be counted, not because it had none."""
    ignored: tuple[str, ...] = ()
    """Keys of entries recognised as documentation, not models (e.g. LiteLLM's `sample_spec`)."""
    unknown_fields: dict[str, int] = {}
    """Dotted field paths the compiler did not understand -> number of entries carrying them."""
    declared_fields: int = 0
    """Field values declared by this source."""
    inferred_fields: int = 0
    """Field values inferred from ids or names for entries of this source."""
    derived_fields: int = 0
    """Model-level values this source's entries did not declare but that were computed from their upstream routes
    (a router listing's cheapest live route's prices, largest context, capabilities): tagged `derived` in
    provenance, not counted in `declared_fields`."""
    price_units: dict[str, str] = {}
    """Price key -> unit used for this file (`per_token`, `per_mtok`, `per_mtok_1e-4`, ...; `unknown` when no scale
    fits and the prices were left out; see `Report.units`)."""
    problems: tuple[dict[str, str], ...] = ()
    """Every problem found: file, record, path, reason, severity."""


class AgreementRow(Strict):
    """How often one provider's prices agree with other sources' prices for the same model."""

    provider: str
    """Provider id."""
    models: int = Field(ge=0)
    """Models with a price that another source also states."""
    compared: int = Field(ge=0)
    """Price components (input, output, cache, ...) stated by the kept source and another source."""
    agreed: int = Field(ge=0)
    """Of those, components within 1% of each other."""
    share: str
    """`agreed / compared`, as a decimal string rounded to 3 places."""


class UnitEvidence(Strict):
    """How the unit of one price group of one source file was chosen (unit calibration)."""

    file: str
    """Source file."""
    group: str
    """Price keys sharing one unit: their parent path (`pricing`), with `[unit]` when the key names it."""
    scale: str | None
    """Chosen scale (`per_token`, `per_1k`, `per_mtok`, `per_mtok_1e-4`, ...); None when none fits."""
    method: Literal["peers", "bands", "stated", "zero"]
    """`peers`: agreement with other sources' prices for the same families; `bands`: typical price ranges
    by model kind (too few peers); `stated`: the key names its unit; `zero`: only free prices."""
    peers: int = 0
    """Prices compared with other sources' prices for the same family and component."""
    ratio_before: str | None = None
    """Median of price / peer median, reading the raw values as USD per million tokens (decimal string)."""
    ratio_after: str | None = None
    """The same median after applying the chosen scale (near 1 when peers agree)."""
    flagged: bool = False
    """No scale fits (its prices are left unknown), or peers contradict the stated unit by more than 30x."""
    note: str | None = None
    """Why the group was flagged."""


class PriceFlagReport(Strict):
    """Published prices far from their family's median at other providers."""

    count: int
    """Models carrying at least one price flag."""
    flags: int
    """All flags."""
    examples: tuple[dict[str, str], ...] = ()
    """Some flagged prices: model, field, value, peer_median, peers, ratio (capped)."""


class DuplicateMerge(Strict):
    """Ids of one provider found to name one model."""

    provider: str
    model_id: str
    """The id kept (the one the provider's own listing uses, where it lists one)."""
    aliases: tuple[str, ...]
    """The other ids, sorted."""
    reason: str
    """What differs: `case or punctuation`, `namespace prefix` or `organisation prefix`."""


class ProviderOverlap(Strict):
    """A provider whose models are (nearly) all offered by another provider at the same prices."""

    provider: str
    within: str
    """The provider that offers them too."""
    models: int
    """Models of `provider` with input and output prices."""
    contained: int
    """Of those, how many `within` offers under the same id at the same input and output prices."""


class ConfusableId(Strict):
    """A model id that may pass for another: kept (it may be genuine) but listed for a reviewer."""

    provider: str
    id: str
    """The provider's model id."""
    reason: str
    """Why: `NFKC form differs` (fullwidth or compatibility characters) or mixed/look-alike scripts."""


class Report(Strict):
    """The build report."""

    sources: tuple[SourceReport, ...]
    """One entry per source file, sorted by file name."""
    totals: dict[str, int]
    """Sums over all sources."""
    invariant_ok: bool
    """True when `read == emitted + rejected` holds for every source."""
    families: FamilyReport | None = None
    """Grouping of models into families."""
    conflicts: tuple[dict[str, str], ...] = ()
    """Examples of declared values that disagree by more than 1% between sources (capped). `won_by` says why
    the kept value won: `override`, `newer` (its source describes a later day) or `rank` (same day)."""
    superseded: tuple[dict[str, str], ...] = ()
    """Examples of conflicts won by the newer declaration over a source of higher rank or an older one (capped;
    `totals.superseded` counts them all): where a snapshot build differs from a build without the snapshot."""
    agreement: tuple[AgreementRow, ...] = ()
    """Per provider: share of price components within 1% of other sources' prices for the same model, least
    agreeing first."""
    units: tuple[UnitEvidence, ...] = ()
    """Unit calibration: per source file and price group, the chosen scale and its evidence."""
    price_flags: PriceFlagReport | None = None
    """Outliers: prices more than 10x above or below the family's median at other providers."""
    duplicates: tuple[DuplicateMerge, ...] = ()
    """Every set of one provider's ids merged into one model."""
    duplicates_kept_apart: tuple[DuplicateMerge, ...] = ()
    """Look-alike ids kept apart because one source file declares different values for them."""
    provider_overlaps: tuple[ProviderOverlap, ...] = ()
    """Providers whose priced models are at least 90% contained in another provider's at the same prices."""
    confusables: tuple[ConfusableId, ...] = ()
    """Model ids with fullwidth, compatibility or look-alike (Cyrillic, Greek) letters: kept, listed here."""
