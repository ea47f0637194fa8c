"""Merge drafts from all sources into one Model per (provider, model id), field by field.

Precedence per field: authored overrides > manual listing variants > the provider's own listing >
curated price data > other maps > inference from the id. The winning source of every field is kept in
the model's `provenance`; disagreements between declared values are counted as conflicts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from pydantic import ValidationError

from .drafts import Draft
from .infer import infer
from .ingest import nontoken
from .problems import Problem, Severity
from .records import Model, PriceTier, Pricing, Upstream
from .upstreams import summarise_upstreams
from .vocab import INFERRED

SOURCE_RANK = {"override": 0, "manual": 1, "listing": 2, "genai-prices": 3, "litellm": 4, "models.dev": 5}
CONFLICT_TOLERANCE = Decimal("0.01")
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


def merge(drafts: list[Draft]) -> MergeResult:
    result = MergeResult()

    def key(d: Draft) -> tuple[str, str]:
        return d.provider, d.model_id

    ordered = sorted(drafts, key=lambda d: (d.provider, d.model_id, SOURCE_RANK.get(d.source, 9), d.file))
    for (provider, model_id), group in groupby(ordered, key=key):
        members = list(group)
        for extra in members[1:]:
            result.merged[extra.file] += 1
        values, provenance = _combine(members, result.conflicts)
        time_drops = nontoken.resolve_time(values, provenance)  # after _combine: needs the (inferred) kind
        timed_file = next((d.file for d in members if any(k.startswith(nontoken.TIMED) for k in d.values)), "")
        result.problems += [Problem(timed_file, model_id, path, reason, Severity.DROPPED)
                            for path, reason in time_drops]
        model = _build(provider, model_id, members, values, provenance, result.problems)
        if model:
            result.models.append(model)
        else:
            result.rejected.update(d.file for d in members)
    return result


def _combine(members: list[Draft], conflicts: list[dict[str, str]]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    for draft in members:
        if "upstreams" in draft.values:
            summarise_upstreams(draft.values)
        for name, value in draft.values.items():
            if name == "pricing.tiers":
                continue  # tiers only make sense with the base prices of the same source: see below
            if name not in values:
                values[name] = value
                provenance[name] = draft.source
            elif _disagree(values[name], value):
                conflicts.append({
                    "model": f"{draft.provider}/{draft.model_id}", "field": name,
                    "kept": f"{provenance[name]}={values[name]}", "other": f"{draft.source}={value}",
                })
    base_source = provenance.get("pricing.input_per_mtok")
    tiered = next((d for d in members if d.source == base_source and "pricing.tiers" in d.values), None)
    if tiered is not None:
        values["pricing.tiers"], provenance["pricing.tiers"] = tiered.values["pricing.tiers"], tiered.source
    if "kind" not in values and "kind_flag" in values:
        values["kind"], provenance["kind"] = values["kind_flag"], provenance["kind_flag"]
    values.pop("kind_flag", None)
    provenance.pop("kind_flag", None)
    for name, value in infer(members[0].model_id, values).items():
        values[name] = value
        provenance[name] = INFERRED
    return values, provenance


def _disagree(kept: Any, other: Any) -> bool:
    if isinstance(kept, int | Decimal) and isinstance(other, int | Decimal) and not isinstance(kept, bool):
        scale = max(abs(Decimal(kept)), abs(Decimal(other)))
        return scale > 0 and abs(Decimal(kept) - Decimal(other)) / scale > CONFLICT_TOLERANCE
    return False


def _build(
    provider: str, model_id: str, members: list[Draft], values: dict[str, Any],
    provenance: dict[str, str], problems: list[Problem],
) -> Model | None:
    pricing = {k.removeprefix("pricing."): v for k, v in values.items() if k.startswith("pricing.")}
    tiers = pricing.pop("tiers", {})
    capabilities = {k.removeprefix("capabilities."): v for k, v in values.items() if k.startswith("capabilities.")}
    try:
        return Model(
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
