"""Compact data for the in-browser model explorer, derived from the bundle.

Rows are arrays, strings are interned in tables, prices stay decimal strings (the browser does exact
decimal arithmetic on them, like the runtime's `estimate_cost`). Descriptions are cut to a preview.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from knollm.comparable import comparable_price, explorer_rule
from knollm.records import TOKEN_PRICES
from knollm.textmatch import SEARCH_RULES
from knollm.vocab import KINDS, MODALITIES

FORMAT_VERSION = 5
"""2: a price row may end with per-size image prices and an object of prices beyond tokens (audio, characters,
queries, web searches). 3: model rows end with `aliases`; provider rows end with base URL and API kind (for the
model page's code snippet). 4: published in two parts (`split_document`): the first view's columns, and the rest
(`more`, fetched after the first rows are painted); `families` rows hold null for a name equal to the id.
5: a model's `name` may be a code (`NAME_CODES`) for a name the reader derives from the id; family names travel
in the second part (`family_names`, in the order of `families`; the first part's family rows hold null there);
published as three files (`published_parts`): a head with the default view's first rows, the first part, the
second."""
DESCRIPTION_PREVIEW = 240
PRICE_KEYS = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok", "per_request",
              "per_image")
OTHER_PRICE_KEYS = ("input_audio_per_mtok", "output_audio_per_mtok", "audio_input_per_hour", "audio_output_per_hour",
                    "per_mchar", "per_kquery", "web_search_per_k")
"""Rare prices, written as an object of the ones a model has (after tiers and image prices), to keep rows small."""
TIER_KEYS = TOKEN_PRICES
FIELDS = ("model_id", "provider", "name", "kind", "family", "context", "max_output", "input_modalities",
          "output_modalities", "capabilities_yes", "capabilities_no", "pricing", "created", "description",
          "open_weights", "quantization", "price_flags", "variant", "aliases")
MORE_FIELDS = ("max_output", "description", "quantization", "aliases")
"""Columns the first rows do not need (not shown, filtered or sorted on by default): the second part."""
NAME_CODES = {1: "the id's last '/' segment", 2: "that segment without its ':' suffix"}
"""Names a reader derives from the model id (most listings name a model after its id); other names are text."""
MORE_FILE = "explorer-more.json"
"""The second part's file name, beside the first part (the first part names it in `more`)."""
ROWS_FILE = "explorer-rows.json"
"""The first part's file name when it is published behind a head (`head_document`), which names it in `rows`."""
HEAD_ROWS = 80
"""Rows in the head: more than the tallest screen shows of the default view (the table draws only rows in view)."""


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
        _name_code(m["model_id"], m.get("name")),
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


def _name_code(model_id: str, name: str | None) -> str | int | None:
    """The name as written in a row: null for the id itself (or no name), a `NAME_CODES` key, or the text."""
    if name is None or name == model_id:
        return None
    last = model_id.rsplit("/", 1)[-1]
    if name == last:
        return 1
    return 2 if name == last.split(":", 1)[0] else name


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
    families = document["families"]
    first = {**document, "fields": [fields[i] for i in keep], "more": MORE_FILE,
             "families": [[f[0], None, *f[2:]] for f in families],
             "models": [[row[i] for i in keep] for row in document["models"]]}
    second = {"version": document["version"], "fields": list(MORE_FIELDS), "family_names": [f[1] for f in families],
              "models": [[row[i] for i in moved] for row in document["models"]]}
    return first, second


def default_order(document: dict[str, Any]) -> list[int]:
    """Row indexes in the explorer's default order (data.js `popularThenCheap`): families offered by the most
    providers first, then by family id, regular offers before variants, cheapest comparable price first (unknown
    last), then data order. The head holds the first rows of this order, which the browser sorts the same way."""
    field = {name: i for i, name in enumerate(document["fields"])}
    families, kinds = document["families"], document["kinds"]

    def key(index: int) -> tuple[Any, ...]:
        row = document["models"][index]
        family = families[row[field["family"]]] if row[field["family"]] >= 0 else None
        pricing = row[field["pricing"]] or [None, None]
        given, taken = (Decimal(p) if p is not None else None for p in pricing[:2])
        price = comparable_price(given, taken, kinds[row[field["kind"]]])
        return (-(family[4] if family else 0), family[0] if family else "\uffff", bool(row[field["variant"]]),
                price is None, price or 0, index)

    return sorted(range(len(document["models"])), key=key)


def head_document(first: dict[str, Any], rows: int = HEAD_ROWS) -> dict[str, Any]:
    """The head: the first `rows` rows of the default order from the first part, each ending with its index in
    the first part (`row`), with only the families they use; it names the first part in `rows` (and the second in
    `more`), so the first rows of the default view are painted from a few kilobytes."""
    chosen = default_order(first)[:rows]
    family_at = first["fields"].index("family")
    used = sorted({first["models"][i][family_at] for i in chosen} - {-1})
    renumber = {old: new for new, old in enumerate(used)}
    models = []
    for i in chosen:
        row = list(first["models"][i])
        row[family_at] = renumber.get(row[family_at], -1)
        models.append([*row, i])
    return {**first, "fields": [*first["fields"], "row"], "rows": ROWS_FILE,
            "families": [first["families"][i] for i in used], "models": models}


def published_parts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The explorer's files as published: the head (under the data URL's own name, `""`), the first part
    (`ROWS_FILE`) and the second (`MORE_FILE`); readers follow `rows` and `more` from the head."""
    first, second = split_document(document)
    return {"": head_document({**first, "more": MORE_FILE}), ROWS_FILE: first, MORE_FILE: second}


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
