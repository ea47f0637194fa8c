"""Compact data for the in-browser model explorer, derived from the bundle.

Rows are arrays, strings are interned in tables, prices stay decimal strings (the browser does exact
decimal arithmetic on them, like the runtime's `estimate_cost`). Descriptions are cut to a preview.
"""

from __future__ import annotations

from typing import Any

import orjson

from knollm.comparable import explorer_rule
from knollm.textmatch import SEARCH_RULES
from knollm.vocab import KINDS, MODALITIES

FORMAT_VERSION = 4
"""2: a price row may end with per-size image prices and an object of prices beyond tokens (audio, characters,
queries, web searches). 3: model rows end with `aliases`; provider rows end with base URL and API kind (for the
model page's code snippet). 4: published in two parts (`split_document`): the first view's columns, and the rest
(`more`, fetched after the first rows are painted); `families` rows hold null for a name equal to the id."""
DESCRIPTION_PREVIEW = 240
PRICE_KEYS = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok", "per_request",
              "per_image")
OTHER_PRICE_KEYS = ("input_audio_per_mtok", "output_audio_per_mtok", "audio_input_per_hour", "audio_output_per_hour",
                    "per_mchar", "per_kquery", "web_search_per_k")
"""Rare prices, written as an object of the ones a model has (after tiers and image prices), to keep rows small."""
TIER_KEYS = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok")
FIELDS = ("model_id", "provider", "name", "kind", "family", "context", "max_output", "input_modalities",
          "output_modalities", "capabilities_yes", "capabilities_no", "pricing", "created", "description",
          "open_weights", "quantization", "price_flags", "variant", "aliases")
MORE_FIELDS = ("max_output", "description", "quantization", "aliases")
"""Columns the first rows do not need (not shown, filtered or sorted on by default): the second part."""
MORE_FILE = "explorer-more.json"
"""The second part's file name, beside the first part (the first part names it in `more`)."""


def explorer_document(
    bundle: dict[str, Any], pages: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The explorer's data: tables plus one array row per model (field order in `fields`).

    `pages` maps `providers` and `families` ids to the URL of their site page (relative to the site root);
    rows link there, and families without a page are not links.
    """
    pages = pages or {}
    provider_pages, family_pages = pages.get("providers", {}), pages.get("families", {})
    providers = [p["id"] for p in bundle["providers"]]
    provider_index = {pid: i for i, pid in enumerate(providers)}
    families = bundle.get("families") or []
    family_index = {f["id"]: i for i, f in enumerate(families)}
    capabilities = sorted({c for m in bundle["models"] for c in (m.get("capabilities") or {})})
    capability_bit = {c: 1 << i for i, c in enumerate(capabilities)}
    rows = [_row(m, provider_index, family_index, capability_bit) for m in bundle["models"]]
    return {
        "version": FORMAT_VERSION,
        "data_date": bundle.get("data_date"),
        "fields": FIELDS,
        "kinds": KINDS,
        "modalities": MODALITIES,
        "capabilities": capabilities,
        # base URL and API kind last: the model page's SDK snippet needs them (older readers ignore extra items)
        "providers": [[p["id"], p["name"], p.get("kind"), provider_pages.get(p["id"]), p.get("base_url"),
                       p.get("api_kind")] for p in bundle["providers"]],
        "families": [[f["id"], f["name"] if f["name"] != f["id"] else None, f.get("author"), f.get("open_weights"),
                      f.get("provider_count", 0), family_pages.get(f["id"])] for f in families],
        "models": rows,
        "comparable": explorer_rule(),  # the one "cheapest" rule, so the explorer's price sort is the runtime's
        "search": SEARCH_RULES,  # the runtime's text-matching rules, so the explorer finds what the CLI finds
    }


def _row(m: dict[str, Any], providers: dict[str, int], families: dict[str, int], bits: dict[str, int]) -> list[Any]:
    caps = m.get("capabilities") or {}
    description = m.get("description") or None
    if description and len(description) > DESCRIPTION_PREVIEW:
        description = description[: DESCRIPTION_PREVIEW - 1].rstrip() + "…"
    return [
        m["model_id"],
        providers[m["provider"]],
        m.get("name") if m.get("name") != m["model_id"] else None,
        KINDS.index(m.get("kind") or "other"),
        families.get(m.get("family") or "", -1),
        m.get("context_window"),
        m.get("max_output_tokens"),
        _mask(m.get("input_modalities") or ()),
        _mask(m.get("output_modalities") or ()),
        sum(bits[c] for c, v in caps.items() if v),
        sum(bits[c] for c, v in caps.items() if not v),
        _pricing(m.get("pricing")),
        m.get("created"),
        description,
        m.get("open_weights"),
        m.get("quantization"),
        _flags(m.get("price_flags")),
        m.get("variant"),
        m.get("aliases") or None,
    ]


def _flags(flags: list[dict[str, Any]] | None) -> list[list[Any]] | None:
    """Outlier flags as [field, ratio, peer_median, peers] rows; None for a model without flags."""
    return [[f["field"], f["ratio"], f["peer_median"], f["peers"]] for f in flags] if flags else None


def _mask(modalities: Any) -> int:
    return sum(1 << MODALITIES.index(x) for x in modalities if x in MODALITIES)


def _pricing(pricing: dict[str, Any] | None) -> list[Any] | None:
    if not pricing:
        return None
    tiers = [[t["above_input_tokens"], *(t.get(k) for k in TIER_KEYS)] for t in pricing.get("tiers") or ()]
    images = [[i.get("size"), i.get("quality"), i["per_image"]] for i in pricing.get("image_prices") or ()]
    other = {k: pricing[k] for k in OTHER_PRICE_KEYS if pricing.get(k) is not None}
    row = [*(pricing.get(k) for k in PRICE_KEYS), tiers]
    return [*row, images, other] if images or other else row


def split_document(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document as (first part, second part): the first names the second in `more`; rows keep their order."""
    fields = list(document["fields"])
    keep = [i for i, name in enumerate(fields) if name not in MORE_FIELDS]
    moved = [fields.index(name) for name in MORE_FIELDS]
    first = {**document, "fields": [fields[i] for i in keep], "more": MORE_FILE,
             "models": [[row[i] for i in keep] for row in document["models"]]}
    second = {"version": document["version"], "fields": list(MORE_FIELDS),
              "models": [[row[i] for i in moved] for row in document["models"]]}
    return first, second


def part_bytes(part: dict[str, Any]) -> bytes:
    return orjson.dumps(part) + b"\n"


def explorer_bytes(bundle: dict[str, Any]) -> bytes:
    """The whole document in one file (readers accept it as well as the two parts)."""
    return part_bytes(explorer_document(bundle))


def main(argv: list[str] | None = None) -> int:
    """`python -m knollm_compiler.explorer_data BUNDLE OUT`: write the explorer's data for a built bundle."""
    import sys
    from pathlib import Path

    bundle_path, out_path = (argv if argv is not None else sys.argv[1:])[:2]
    Path(out_path).write_bytes(explorer_bytes(orjson.loads(Path(bundle_path).read_bytes())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
