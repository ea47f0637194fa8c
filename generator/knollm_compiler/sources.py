"""Source files in a snapshots directory: which is which, and ingesting one into drafts.

File names carry the provider (the naming is defined in `snapshot_folder.py`). A file whose entries each name
their provider (LiteLLM's map) is a multi-provider catalog, recognised by structure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .drafts import Draft
from .ingest import image_variants, values
from .ingest.normalise import EntryNormaliser
from .ingest.parse_notes import note_parse
from .ingest.reading import UnreadableSource, read_parsed
from .ingest.shapes import Listing, UnknownShape, entry_label, find_entries
from .ingest.stream import big_listing
from .problems import ProblemLog, Severity
from .snapshot_folder import VARIANT_SOURCE, SourceFile
from .snapshot_folder import discover as discover

CATALOG_PROVIDER_SHARE = 0.8


@dataclass(slots=True)
class Ingested:
    """What one source file gave."""

    file: str
    provider: str | None
    role: str
    shape: str
    read: int = 0
    drafts: list[Draft] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    units: dict[str, str] = field(default_factory=dict)
    log: ProblemLog | None = None
    catalog_providers: dict[str, str] = field(default_factory=dict)
    """For catalogs: the catalog's provider name -> our provider id."""
    provider_hints: dict[str, dict[str, str]] = field(default_factory=dict)
    """Our provider id -> facts the source states about the provider (`base_url`, `api_key_env`, `docs_url`)."""
    records_emitted: int | None = None
    """Records that produced drafts, when one record may give several drafts (else one draft per record)."""
    uncounted: bool = False
    """The file could not be parsed into records, so `read` (0) is not a count of its records."""

    @property
    def rejected(self) -> int:
        assert self.log is not None
        return sum(1 for p in self.log.problems if p.severity is Severity.REJECTED and p.path != "$file")


def ingest(source: SourceFile, resolve_provider: ProviderResolver) -> Ingested:
    """Read, find entries, and normalise every entry of one file, collecting all problems."""
    log = ProblemLog(source.name)
    listing = big_listing(source.path)  # None: a small or unusual file, read whole below
    if listing is None:
        try:
            parsed = read_parsed(source.path)
            listing = find_entries(parsed.document)
        except (UnreadableSource, UnknownShape) as exc:
            log.reject("-", "$file", str(exc))
            return Ingested(source.name, source.provider, "unreadable", "unreadable", log=log, uncounted=True)
        note_parse(parsed, listing.entries, log)
        # The listing now holds the only references to the records: freeing each raw entry below frees it.
        parsed.document = None
    provider_key = _catalog_provider_key(listing)
    if provider_key and _names_only(listing, provider_key, source.provider, resolve_provider):
        provider_key = None  # a listing whose entries name their own provider is still that provider's listing
    if provider_key:
        result = Ingested(source.name, None, "catalog", listing.shape, log=log)
    else:
        role = "variant" if source.variant else "listing"
        result = Ingested(source.name, source.provider, role, listing.shape, log=log)
    result.read, result.ignored = len(listing.entries), listing.ignored
    normaliser = EntryNormaliser(source.name, result.provider, VARIANT_SOURCE[source.variant], log)
    if provider_key:
        normaliser.source = "litellm" if "litellm" in source.provider else source.provider
    normaliser.learn_units(entry for _, entry in listing.entries)
    seen: dict[str, int] = {}
    variants: list[tuple[Draft, image_variants.ImageVariant, Decimal | None]] = []
    for index, (key, entry) in enumerate(listing.entries):
        listing.entries[index] = (key, None)  # the raw entry is freed once read: 100k of them weigh 300 MB
        model_id = normaliser.record_id(key, entry, index)
        if model_id is None:
            continue
        provider = source.provider
        if provider_key:
            provider, model_id = _route_catalog_entry(entry, provider_key, model_id, resolve_provider, result)
        dedupe_key = f"{provider}/{model_id}"
        if dedupe_key in seen and not provider_key:
            label = entry_label(key, index)  # the id alone names both entries
            log.reject(label, "id", f"duplicate id {model_id!r}: same as entry [{seen[dedupe_key]}]")
            continue
        seen.setdefault(dedupe_key, index)
        draft = normaliser.normalise(model_id, entry, provider)
        draft.featured = source.variant == "best"
        if variant := image_variants.parse(model_id):  # one entry per image size: folded into one model below
            prefix_owner = str(entry.get(provider_key)) if provider_key else None
            variants.append(_image_variant(variant, draft, entry, prefix_owner, resolve_provider, log, key))
            continue
        result.drafts.append(draft)
    if variants:
        result.records_emitted = len(result.drafts) + len(variants)
        result.drafts += image_variants.fold(variants)
    result.unknown_fields, result.units = normaliser.unknown_fields, normaliser.units_used
    return result


def _image_variant(
    variant: image_variants.ImageVariant, draft: Draft, entry: dict[str, Any], prefix_owner: str | None,
    resolve: ProviderResolver, log: ProblemLog, key: str | None,
) -> tuple[Draft, image_variants.ImageVariant, Decimal | None]:
    """The variant with its image price; in catalogs, a provider prefix may follow the size
    (`1024-x-1024/bedrock/...`) and is dropped like a leading one."""
    if prefix_owner is not None:
        base = _without_provider_prefix(variant.base_id, draft.provider, prefix_owner, resolve)
        variant = image_variants.ImageVariant(base, variant.size, variant.quality)
    price, reason = image_variants.image_price(variant, entry, draft)
    if reason:
        log.drop(key or draft.model_id, "pricing", reason)
    return draft, variant, price


def slug(name: str) -> str:
    """A provider id for a provider name: lower-case, runs of other characters become `-`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unknown"


class ProviderResolver:
    """Maps provider names used by other catalogs to our provider ids (via `aliases`), creating ids for
    names we have no provider for."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        self.created: dict[str, str] = {}
        """Provider id created -> the name it was created for."""

    def __call__(self, name: str) -> str:
        if name in self.aliases:
            return self.aliases[name]
        made = slug(name)
        if made not in self.aliases.values():
            # The name becomes the provider's display name: cleaned like every other name from a source.
            self.created.setdefault(made, values.plain_text(name, values.MAX_NAME, keep_newlines=False)[0] or made)
        return made

    def prefixes(self, our_id: str, name: str) -> set[str]:
        names = {name, name.split("-")[0], our_id}
        names.update(alias for alias, pid in self.aliases.items() if pid == our_id)
        return {n.lower() for n in names}


def _catalog_provider_key(listing: Listing) -> str | None:
    """The key naming each entry's provider, when (almost) every entry has one as a string."""
    records = 0  # counted, not collected: a big listing's entries are parsed on each pass
    counts: Counter[str] = Counter()
    for _, record in listing.entries:
        if isinstance(record, dict):
            records += 1
            counts.update([k for k, v in record.items() if isinstance(v, str) and _names_provider(k)])
    if not records:
        return None
    key, count = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=(None, 0))
    return key if count >= CATALOG_PROVIDER_SHARE * records else None


@lru_cache(maxsize=4096)  # a listing repeats the same keys in every entry
def _names_provider(key: str) -> bool:
    return key.lower().endswith("provider")


def _names_only(listing: Listing, key: str, provider: str, resolve: ProviderResolver) -> bool:
    names = {e.get(key) for _, e in listing.entries if isinstance(e, dict)}
    return all(isinstance(n, str) and resolve.aliases.get(n, slug(n)) == provider for n in names)


def _route_catalog_entry(
    entry: dict[str, Any], provider_key: str, model_id: str, resolve: ProviderResolver, result: Ingested
) -> tuple[str, str]:
    name = entry.get(provider_key)
    name = name if isinstance(name, str) and name.strip() else "unknown"
    provider = resolve(name)
    result.catalog_providers[name] = provider
    return provider, _without_provider_prefix(model_id, provider, name, resolve)


def _without_provider_prefix(model_id: str, provider: str, name: str, resolve: ProviderResolver) -> str:
    head, _, rest = model_id.partition("/")
    return rest if rest and head.lower() in resolve.prefixes(provider, name) else model_id
