"""Canonical model families: the same underlying model across providers, grouped by a key that the
data in `catalog/families/` derives from each provider's model id."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from decimal import Decimal

from knollm.comparable import comparable_price

from .bundle_records import Family, Model
from .bundle_vocab import INFERRED
from .family_rules import FamilyRules
from .report_records import FamilyReport
from .strict import replaced

PARAMETERS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", re.IGNORECASE)
DATED = re.compile(r"^(?P<base>.+)-(?:\d{8}|\d{6}|\d{4}|latest)$")
PRECISION_SEGMENT = re.compile(r"^(fp|bf|int)-?\d+$", re.IGNORECASE)
LARGEST_SHOWN = 20
AMBIGUOUS_SHOWN = 200


def family_key(rules: FamilyRules, provider: str, model_id: str) -> str:
    """The family id of one provider's model id."""
    alias = rules.by_model.get((provider, model_id))
    if alias:
        return alias
    key = rules.key_memo.get(model_id)
    if key is None:
        key = rules.key_memo[model_id] = _rewritten(rules, model_id)
    return key


def _rewritten(rules: FamilyRules, model_id: str) -> str:
    """The family key the rules derive from a model id (the provider only matters for `by_model` aliases)."""
    segments = [s for s in model_id.strip("/").split("/") if s]
    while len(segments) > 1 and PRECISION_SEGMENT.match(segments[-1]):
        segments.pop()  # inference.net: <org>/<model>/fp-8
    key = (segments[-1] if segments else model_id).lower().replace("_", "-").replace(" ", "-")
    for pattern, replacement, when in rules.compiled:
        if when is None or when.search(key):
            key = pattern.sub(replacement, key)
    key = re.sub(r"-{2,}", "-", key).strip("-.") or model_id.lower()
    return rules.key_aliases.get(key, key)


def variant_of(rules: FamilyRules, model_id: str) -> str | None:
    """The variant (`free`, `batch`, ...) the id names, by catalog/families/variants.toml; None for a regular offer."""
    lowered = model_id.lower()
    return next((variant for pattern, variant in rules.compiled_variants if pattern.search(lowered)), None)


def _with_family(model: Model, rules: FamilyRules) -> Model:
    """The model with its family (and variant) set: one copy per model, as 100k models make copies count."""
    changes: dict[str, object] = {"family": family_key(rules, model.provider, model.model_id)}
    variant = variant_of(rules, model.model_id)
    if variant is not None:
        changes.update(variant=variant, provenance=dict(sorted({**model.provenance, "variant": INFERRED}.items())))
    return replaced(model, **changes)


def assign_families(models: list[Model], rules: FamilyRules) -> tuple[list[Model], list[Family], FamilyReport]:
    """Set `family` (and `variant`) on every model (`models` itself is updated) and build the family records."""
    updated = models  # replaced in place: each old model is freed as its copy is made (100k models weigh 90 MB)
    for index, model in enumerate(models):
        updated[index] = _with_family(model, rules)
    members: dict[str, list[Model]] = defaultdict(list)
    for model in updated:
        members[model.family].append(model)  # type: ignore[index]  # _with_family() always sets family
    families = [_family(key, offers, rules) for key, offers in sorted(members.items())]
    return updated, families, _report(families, members)


def _family(key: str, offers: list[Model], rules: FamilyRules) -> Family:
    # Regular offers first, cheapest first; variants (free, batch, ...) after them, so never crowned cheapest.
    ordered = sorted(offers, key=_offer_order)
    regular = ordered[0] if ordered[0].variant is None else None
    lab = next((lab for pattern, lab in rules.compiled_labs if pattern.search(key)), None)
    names = Counter(m.model_id.rstrip("/").rsplit("/", 1)[-1] for m in offers)
    contexts = [m for m in offers if m.context_window]
    return Family(
        id=key,
        name=max(names.items(), key=lambda kv: (kv[1], kv[0]))[0],
        author=lab.author if lab else None,
        open_weights=lab.open_weights if lab and lab.open_weights is not None else _declared_open(offers),
        parameters=_parameters(max(names.items(), key=lambda kv: (kv[1], kv[0]))[0]),
        provider_count=len({m.provider for m in offers}),
        offers=tuple(m.id for m in ordered),
        cheapest=regular.id if regular is not None and _blended(regular) is not None else None,
        largest_context=max(contexts, key=lambda m: (m.context_window, m.id)).id if contexts else None,
    )


def _offer_order(model: Model) -> tuple[bool, bool, Decimal | int, str]:
    blended = _blended(model)  # (once per offer: a sort key computes it for every offer of 100k)
    return model.variant is not None, blended is None, blended or 0, model.id


def _declared_open(offers: list[Model]) -> bool | None:
    """What the offers' sources say about open weights, when they agree."""
    said = {m.open_weights for m in offers if m.open_weights is not None}
    return said.pop() if len(said) == 1 else None


def _blended(model: Model) -> Decimal | None:
    """The offer's comparable price (`knollm.comparable`): the ordering used for 'cheapest'."""
    p = model.pricing
    return None if p is None else comparable_price(p.input_per_mtok, p.output_per_mtok, model.kind)


def _parameters(name: str) -> str | None:
    """Largest size in the name (`Qwen3-235B-A22B` -> 235B: the total of a mixture of experts)."""
    sizes = PARAMETERS.findall(name.replace("_", "-"))
    if not sizes:
        return None
    number, unit = max(sizes, key=lambda s: float(s[0]) * (1000 if s[1].lower() == "b" else 1))
    return f"{number}{unit.upper()}"


def _report(families: list[Family], members: dict[str, list[Model]]) -> FamilyReport:
    multi = [f for f in families if f.provider_count >= 2]
    largest = sorted(multi, key=lambda f: (-f.provider_count, f.id))[:LARGEST_SHOWN]
    dated_bases = Counter(m.group("base") for key in members if (m := DATED.match(key)))
    ambiguous = sorted(
        model.id for key, offers in members.items() if dated_bases.get(key, 0) >= 2 for model in offers
    )
    return FamilyReport(
        families=len(families),
        multi_provider=len(multi),
        largest={f.id: f.provider_count for f in largest},
        ambiguous=tuple(ambiguous[:AMBIGUOUS_SHOWN]),
        ambiguous_count=len(ambiguous),
    )
