"""One model under several ids at one provider: join the drafts before `merge()` so that merge reconciles
their prices by its own rules, and keep the other ids as the model's `aliases`.

Two ids of one provider are the same model when they differ only by
- case and punctuation (`claude-3-5-haiku` vs `claude-3.5-haiku`, `_` vs `-`, `.` vs `-`);
- a namespace the provider's own listing puts before (almost) every id (`models/`, `accounts/<x>/models/`),
  which other sources leave out;
- one organisation segment (`anthropic/claude-2` vs `claude-2`), where the provider's own listing, or any
  provider's own listing, names that organisation as a model's publisher (so a region or a deployment prefix
  such as `us-east-1/` never counts) and exactly one organisation's id matches the bare one.
Two entries of the same source file stay apart when they declare different prices or context windows:
the file itself says they are different offers. Everything is decided by structure and evidence, never by
provider name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .bundle_records import Model
from .drafts import Draft
from .report_records import DuplicateMerge, ProviderOverlap
from .strict import replaced

OWN_SOURCES = frozenset({"override", "manual", "listing"})
"""Source tags of what the provider itself publishes (and our authored corrections of it)."""
NAMESPACE_SHARE = 0.8
"""A leading path the provider's own listing puts before at least this share of its ids is a namespace."""
NAMESPACE_MIN_IDS = 3
ALWAYS_NAMESPACE = ("models/",)
"""A resource-path prefix some APIs return and others strip; never part of the model's name."""
PUNCTUATION = re.compile(r"[._\s]+")
OVERLAP_SHARE = 0.9
OVERLAP_MIN_MODELS = 3
"""Smaller providers overlap by chance (one popular model at its list price)."""
EVIDENCE_FIELDS = ("context_window", "pricing.input_per_mtok", "pricing.output_per_mtok")


@dataclass(slots=True)
class DedupeResult:
    drafts: list[Draft]
    aliases: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """(provider, canonical id) -> the other ids, sorted."""
    merges: list[DuplicateMerge] = field(default_factory=list)
    kept_apart: list[DuplicateMerge] = field(default_factory=list)
    """Groups that look alike but whose own file declares different values for them."""


def dedupe(drafts: list[Draft]) -> DedupeResult:
    """Rewrite duplicate ids to one canonical id per model; drafts of the canonical id come first."""
    by_provider: dict[str, list[Draft]] = defaultdict(list)
    for draft in drafts:
        by_provider[draft.provider].append(draft)
    # Organisations some provider's own listing names as publishers (`<org>/<model>`): a region, a deployment
    # type or an image size before a `/` is never one, so those ids stay apart.
    publishers = {d.model_id.lower().split("/")[0] for d in drafts
                  if d.source in OWN_SOURCES and d.model_id.count("/") == 1}
    result = DedupeResult(drafts=[])
    for provider in sorted(by_provider):
        _dedupe_provider(provider, by_provider[provider], publishers, result)
    return result


def _dedupe_provider(provider: str, drafts: list[Draft], publishers: set[str], result: DedupeResult) -> None:
    by_id: dict[str, list[Draft]] = defaultdict(list)
    for draft in drafts:
        by_id[draft.model_id].append(draft)
    own = sorted({d.model_id for d in drafts if d.source in OWN_SOURCES})
    namespaces = (*ALWAYS_NAMESPACE, *_namespaces(own))
    stripped = [_strip(mid.lower(), namespaces) for mid in own]
    orgs = publishers | {mid.split("/", 1)[0] for mid in stripped if "/" in mid}
    canonical_of: dict[str, str] = {}
    for group in _groups(sorted(by_id), namespaces, orgs):
        if len(group) < 2:
            continue
        reason = _reason(group, namespaces)
        record = DuplicateMerge(provider=provider, model_id=_canonical(group, by_id), aliases=(), reason=reason)
        if _declared_apart(group, by_id):
            result.kept_apart.append(record.model_copy(update={"aliases": tuple(group)}))
            continue
        aliases = tuple(sorted(mid for mid in group if mid != record.model_id))
        result.merges.append(record.model_copy(update={"aliases": aliases}))
        result.aliases[(provider, record.model_id)] = aliases
        canonical_of.update({mid: record.model_id for mid in aliases})
    # The canonical id's own drafts stand first so that merge meets them first among equal sources.
    for mid in sorted(by_id, key=lambda m: (canonical_of.get(m, m), m in canonical_of, m)):
        for draft in by_id[mid]:
            draft.model_id = canonical_of.get(mid, mid)
            result.drafts.append(draft)


def _namespaces(own_ids: list[str]) -> list[str]:
    """Leading paths (`accounts/x/models/`) that the provider's own listing puts before nearly every id."""
    heads = Counter(mid.lower().rsplit("/", 1)[0] + "/" for mid in own_ids if "/" in mid)
    return [head for head, count in sorted(heads.items())
            if count >= NAMESPACE_MIN_IDS and count >= NAMESPACE_SHARE * len(own_ids) and head.count("/") >= 2]


def _strip(lowered: str, namespaces: tuple[str, ...]) -> str:
    for namespace in namespaces:
        if lowered.startswith(namespace):
            return lowered[len(namespace):]
    return lowered


def _loose(model_id: str, namespaces: tuple[str, ...]) -> str:
    return PUNCTUATION.sub("-", _strip(model_id.lower(), namespaces))


def _groups(ids: list[str], namespaces: tuple[str, ...], orgs: set[str]) -> list[list[str]]:
    """Ids that name one model, grouped; an org-prefixed id joins the bare one only when unambiguous."""
    loose: dict[str, list[str]] = defaultdict(list)
    for mid in ids:
        loose[_loose(mid, namespaces)].append(mid)
    prefixed: dict[str, list[str]] = defaultdict(list)
    for key in loose:
        org, _, rest = key.partition("/")
        if rest and "/" not in rest and org in orgs:
            prefixed[rest].append(key)
    for bare, keys in prefixed.items():
        if bare in loose and len(keys) == 1:
            loose[keys[0]] += loose.pop(bare)
    return [sorted(group) for _, group in sorted(loose.items())]


def _canonical(group: list[str], by_id: dict[str, list[Draft]]) -> str:
    """The id the provider's own listing uses; else the one most sources use; else the longest (it keeps
    the namespace an API call needs), then the first in sort order."""
    def rank(mid: str) -> tuple[bool, int, int, str]:
        drafts = by_id[mid]
        return (not any(d.source in OWN_SOURCES for d in drafts), -len({d.file for d in drafts}), -len(mid), mid)
    return min(group, key=rank)


def _declared_apart(group: list[str], by_id: dict[str, list[Draft]]) -> bool:
    """Whether the provider's own listing declares different values for two ids of the group (other
    sources' old spellings are joined: merge picks their prices by its rules)."""
    seen: dict[tuple[str, str], object] = {}
    for mid in group:
        for draft in (d for d in by_id[mid] if d.source in OWN_SOURCES):
            for name in EVIDENCE_FIELDS:
                value = draft.values.get(name)
                if value is not None and seen.setdefault((draft.file, name), value) != value:
                    return True
    return False


def _reason(group: list[str], namespaces: tuple[str, ...]) -> str:
    stripped = {_strip(mid.lower(), namespaces) for mid in group}
    if len({PUNCTUATION.sub("-", mid) for mid in stripped}) > 1:
        return "organisation prefix"
    if len(stripped) < len({mid.lower() for mid in group}):
        return "namespace prefix"
    return "case or punctuation"


def with_aliases(models: list[Model], deduped: DedupeResult) -> list[Model]:
    return [
        replaced(model, aliases=aliases)
        if (aliases := deduped.aliases.get((model.provider, model.model_id))) else model
        for model in models
    ]


def duplicate_report(deduped: DedupeResult, models: list[Model]) -> dict[str, object]:
    """The Report fields of this module: merges, look-alikes kept apart, overlapping providers."""
    return {
        "duplicates": tuple(deduped.merges),
        "duplicates_kept_apart": tuple(deduped.kept_apart),
        "provider_overlaps": tuple(provider_overlaps(models)),
    }


def provider_overlaps(models: list[Model]) -> list[ProviderOverlap]:
    """Providers whose priced models another provider offers under the same id at the same prices."""
    # One key tuple per priced model, shared by both tables, and a list of providers per key (mostly one):
    # at 100k models a set and a second tuple and string per model were 30 MB at the build's peak.
    offered: dict[tuple[str, Decimal, Decimal], list[str]] = {}
    priced: dict[str, list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
    for model in models:
        p = model.pricing
        if p is None or p.input_per_mtok is None or p.output_per_mtok is None:
            continue
        own = (_loose(model.model_id, ALWAYS_NAMESPACE), p.input_per_mtok, p.output_per_mtok)
        for key in (own, *((_loose(mid, ALWAYS_NAMESPACE), *own[1:]) for mid in model.aliases)):
            providers = offered.setdefault(key, [])
            if model.provider not in providers:
                providers.append(model.provider)
        priced[model.provider].append(own)
    found = []
    for provider, keys in sorted(priced.items()):
        if len(keys) < OVERLAP_MIN_MODELS:
            continue
        within = Counter(other for key in keys for other in offered[key] if other != provider)
        for other, count in sorted(within.items()):
            if count >= OVERLAP_SHARE * len(keys):
                found.append(ProviderOverlap(provider=provider, within=other, models=len(keys), contained=count))
    return found
