"""Merge drafts from all sources into one Model per (provider, model id), field by field.

Which declaration wins is decided by `precedence.py` (overrides, then the newest declaration, then source
rank); prices are chosen whole by `price_choice.py`; zeros that mean "unknown" are removed first
(`placeholders.py`) and every merged model passes `invariants.py`. The winning source of every field is kept
in the model's `provenance`; disagreements between declared values are recorded as conflicts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from pydantic import ValidationError

from .bundle_records import Model, PriceTier, Pricing, Upstream
from .bundle_vocab import INFERRED
from .drafts import Draft
from .infer import infer
from .ingest import nontoken
from .invariants import check_invariants
from .placeholders import drop_placeholder_zeros
from .precedence import SOURCE_RANK, precedence_key, won_by
from .price_choice import PRICE_PREFIXES, choose_prices, differs
from .problems import Problem, Severity
from .strict import shared_fields_set
from .upstreams import summarise_upstreams

__all__ = ["SOURCE_RANK", "MergeResult", "merge"]

PLAIN_FIELDS = (
    "name", "kind", "context_window", "max_output_tokens", "input_modalities", "output_modalities",
    "quantization", "created", "deprecation_date", "description", "owned_by", "open_weights", "knowledge_cutoff",
)


@dataclass(slots=True)
class MergeResult:
    models: list[Model] = field(default_factory=list)
    merged: Counter[str] = field(default_factory=Counter)
    """File -> drafts that joined a model another draft had started."""
    conflicts: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)
    """File -> drafts lost because the merged model failed validation."""
    agreement: dict[str, Counter[str]] = field(default_factory=dict)
    """Provider -> `models` (with a price another source also states), `compared` and `agreed` components."""
    price_fills: list[dict[str, str]] = field(default_factory=list)
    """Price components filled from a second source that agreed on every shared component."""
    inferred: Counter[str] = field(default_factory=Counter)
    """File -> inferred fields of the models it contributed to (kept apart from `models`, which the build
    releases once the final models are made)."""


def merge(drafts: list[Draft], local_providers: frozenset[str] = frozenset(), release: bool = False) -> MergeResult:
    """One model per (provider, model id). With `release`, each draft's values are freed once its model is made
    (`Draft.declared` keeps their count for the report): at 100k models drafts and models would both be held."""
    result = MergeResult()
    for draft in drafts:
        if "upstreams" in draft.values:
            draft.derived = summarise_upstreams(draft.values)
        result.problems += drop_placeholder_zeros(draft, local_providers)
        if release:
            draft.declared = declared_fields(draft)

    def key(d: Draft) -> tuple[str, str]:
        return d.provider, d.model_id

    ordered = sorted(drafts, key=lambda d: (d.provider, d.model_id, *precedence_key(d)))
    for (provider, model_id), group in groupby(ordered, key=key):
        members = list(group)
        for extra in members[1:]:
            result.merged[extra.file] += 1
        values, provenance = _combine(members, result)
        time_drops = nontoken.resolve_time(values, provenance)  # after _combine: needs the (inferred) kind
        if time_drops:  # (the file is looked for only then: a scan of every member's keys)
            timed_file = next((d.file for d in members if any(k.startswith(nontoken.TIMED) for k in d.values)), "")
            result.problems += [Problem(timed_file, model_id, path, reason, Severity.DROPPED)
                                for path, reason in time_drops]
        result.problems += check_invariants(members, values, provenance)
        model = _build(provider, model_id, members, values, provenance, result.problems)
        if release:
            for member in members:
                member.values = {}
        if model:
            result.models.append(model)
            inferred = sum(1 for tag in model.provenance.values() if tag == INFERRED)
            result.inferred.update(dict.fromkeys(model.sources, inferred))
        else:
            result.rejected.update(d.file for d in members)
    return result


def declared_fields(draft: Draft) -> int:
    """The fields a draft declares, for the report (the merge's own flag `kind_flag` is not one, nor a value
    derived from its upstream routes: those are counted apart, `len(draft.derived)`)."""
    if draft.declared is not None:
        return draft.declared
    return sum(1 for key in draft.values if key != "kind_flag" and key not in draft.derived)


def _combine(members: list[Draft], result: MergeResult) -> tuple[dict[str, Any], dict[str, str]]:
    """Members in precedence order: plain fields from the first that declares each, prices whole."""
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    owners: dict[str, Draft] = {}
    for draft in members:
        for name, value in draft.values.items():
            if name.startswith(PRICE_PREFIXES):
                continue
            if name not in values:
                values[name], provenance[name], owners[name] = value, draft.tag(name), draft
            elif _disagree(values[name], value):
                kept = owners[name]
                result.conflicts.append({
                    "model": f"{draft.provider}/{draft.model_id}", "field": name,
                    "kept": f"{kept.source}={values[name]}", "other": f"{draft.source}={value}",
                    "kept_as_of": kept.as_of or "undated", "other_as_of": draft.as_of or "undated",
                    "won_by": won_by(kept, draft),
                })
    prices = choose_prices(members)
    values.update(prices.values)
    provenance.update(prices.provenance)
    result.conflicts += prices.conflicts
    result.price_fills += prices.filled
    if prices.compared:
        tally = result.agreement.setdefault(members[0].provider, Counter())
        tally.update(models=1, compared=prices.compared, agreed=prices.agreed)
    if "kind" not in values and "kind_flag" in values:
        values["kind"], provenance["kind"] = values["kind_flag"], provenance["kind_flag"]
    values.pop("kind_flag", None)
    provenance.pop("kind_flag", None)
    for name, value in infer(members[0].model_id, values).items():
        values[name] = value
        provenance[name] = INFERRED
    return values, provenance


def _disagree(kept: Any, other: Any) -> bool:
    """Numbers more than 1% apart (the same tolerance as prices); other values are not compared."""
    if isinstance(kept, int | Decimal) and isinstance(other, int | Decimal) and not isinstance(kept, bool):
        return differs(Decimal(kept), Decimal(other))
    return False


def _build(
    provider: str, model_id: str, members: list[Draft], values: dict[str, Any],
    provenance: dict[str, str], problems: list[Problem],
) -> Model | None:
    pricing = {k.removeprefix("pricing."): v for k, v in values.items() if k.startswith("pricing.")}
    tiers = pricing.pop("tiers", {})
    capabilities = {k.removeprefix("capabilities."): v for k, v in values.items() if k.startswith("capabilities.")}
    try:
        model = Model(
            id=f"{provider}/{model_id}",
            provider=provider,
            model_id=model_id,
            **{name: values[name] for name in PLAIN_FIELDS if name in values},
            capabilities=dict(sorted(capabilities.items())),
            pricing=Pricing(
                **pricing,
                tiers=tuple(PriceTier(above_input_tokens=t, **tiers[t]) for t in sorted(tiers)),
            ) if pricing or tiers else None,
            upstreams=tuple(_upstream(u) for u in values.get("upstreams", ())),
            featured=any(d.featured for d in members),
            provenance=dict(sorted(provenance.items())),
            sources=tuple(sorted({d.file for d in members})),
        )
        if model.pricing is not None:
            shared_fields_set(model.pricing)
        return shared_fields_set(model)
    except ValidationError as exc:
        for draft in members:
            for err in exc.errors():
                dotted = ".".join(str(p) for p in err["loc"])
                problems.append(Problem(draft.file, model_id, dotted, err["msg"], Severity.REJECTED))
        return None


def _upstream(raw: dict[str, Any]) -> Upstream:
    pricing = {k.removeprefix("pricing."): v for k, v in raw.items() if k.startswith("pricing.")}
    return Upstream(
        provider=raw["provider"],
        status=raw.get("status"),
        context_window=raw.get("context_window"),
        pricing=Pricing(**pricing) if pricing else None,
        capabilities={k.removeprefix("capabilities."): v for k, v in sorted(raw.items())
                      if k.startswith("capabilities.")},
    )
