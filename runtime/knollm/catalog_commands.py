"""The CLI's catalog commands (`providers list|show`, `models search|show`, `families list|show`): each takes the
parsed arguments and an `Output`, returns an exit status."""

from __future__ import annotations

import argparse

from .catalog import Catalog
from .errors import InvalidArgument
from .explain import explain_empty
from .history import price_line
from .query import Query
from .records import Family, Model, Provider
from .render import FLAG_LEGEND, NONE, Output, flag, flagged, money, number

PER_M = "/M"


def load_catalog(args: argparse.Namespace) -> Catalog:
    """The catalog named by `--bundle`, else the default one."""
    return Catalog.load(getattr(args, "bundle", None))


# -- providers -------------------------------------------------------------------------------------------------


def providers_list(args: argparse.Namespace, out: Output) -> int:
    catalog = load_catalog(args)
    providers = catalog.providers(kind=args.kind, failed=True if args.failed else None)
    if out.json:
        out.data(providers)
        return 0
    rows = [
        [p.id, p.name, p.kind, str(p.model_count), str(p.priced_model_count), p.status_label, flag(p.free_tier)]
        for p in providers
    ]
    out.table(["ID", "Name", "Kind", "Models", "Priced", "Listing", "Free tier"], rows, right=(3, 4),
              title=f"{len(providers)} providers (data date {catalog.data_date or NONE})")
    return 0


def providers_show(args: argparse.Namespace, out: Output) -> int:
    provider = load_catalog(args).provider(args.id)
    if out.json:
        out.data(provider)
        return 0
    out.details(f"{provider.name} ({provider.id})", _provider_pairs(provider))
    return 0


def _provider_pairs(p: Provider) -> list[tuple[str, str]]:
    auth = p.auth
    status = p.status
    return [
        ("kind", p.kind + ("" if p.authored else " (no authored file yet)")),
        ("api", p.api_kind or ""),
        ("homepage", p.homepage or ""),
        ("docs", p.docs_url or ""),
        ("base url", p.base_url or ""),
        ("models path", p.models_path or ""),
        ("auth", f"{auth.header}" + (f" via ${auth.env_var}" if auth.env_var else "") if auth else ""),
        ("free tier", flag(p.free_tier)),
        ("aliases", ", ".join(p.aliases)),
        ("models", f"{p.model_count} ({p.priced_model_count} priced)"),
        ("listing", p.status_label),
        ("last success", status.last_success or "" if status else ""),
        ("last attempt", status.last_attempt or "" if status else ""),
        ("last error", status.last_error or "" if status else ""),
        ("notes", p.notes or ""),
    ]


# -- models ----------------------------------------------------------------------------------------------------


def models_search(args: argparse.Namespace, out: Output) -> int:
    catalog = load_catalog(args)
    if args.limit is not None and args.limit < 0:
        raise InvalidArgument(f"--limit must be zero or more, not {args.limit}")
    query = Query(
        text=" ".join(args.query) or None, provider=tuple(args.provider), kind=tuple(args.kind),
        family=tuple(args.family),
        capabilities=tuple(args.capability), input_modalities=tuple(args.input_modality),
        output_modalities=tuple(args.output_modality), min_context=args.min_context,
        max_input_price=args.max_input_price, max_output_price=args.max_output_price,
        open_weights=args.open_weights, priced=True if args.priced else None, sort=args.sort, reverse=args.reverse,
    )
    found = catalog.search(query)
    shown = found[: args.limit] if args.limit else found
    if out.json:
        out.data(shown)
        return 0
    columns = ["ID", "Kind", "Context", "In $/M", "Out $/M"]
    with_family = catalog.has_families
    rows = []
    for m in shown:
        row = [m.id, m.kind, number(m.context_window), flagged(money(m.input_price), m, "input_per_mtok"),
               flagged(money(m.output_price), m, "output_per_mtok")]
        rows.append([*row, m.family or NONE] if with_family else row)
    caption = f"{len(shown)} of {len(found)} matches" + (" (use --limit 0 for all)" if len(shown) < len(found) else "")
    if any(m.price_flags for m in shown):
        caption += f"; {FLAG_LEGEND}"
    out.table([*columns, "Family"] if with_family else columns, rows, right=(2, 3, 4), caption=caption)
    if not found:
        for sentence in explain_empty(catalog, query):
            out.line(sentence)
    return 0


def models_show(args: argparse.Namespace, out: Output) -> int:
    catalog = load_catalog(args)
    model = catalog.get(args.id)
    if out.json:
        out.data(model)
        return 0
    out.details(model.id, _model_pairs(model, catalog))
    return 0


def _model_pairs(m: Model, catalog: Catalog) -> list[tuple[str, str]]:
    declared = sorted(k for k, v in m.capabilities.items() if v)
    denied = sorted(k for k, v in m.capabilities.items() if not v)
    pairs = [
        ("name", m.display_name),
        ("provider", m.provider),
        ("model id", m.model_id),
        ("also answers to", ", ".join(m.aliases)),
        ("kind", m.kind),
        ("variant", m.variant or ""),
        ("family", m.family or ""),
        ("open weights", flag(catalog.open_weights(m)) if m.family else ""),
        ("context window", number(m.context_window)),
        ("max output", number(m.max_output_tokens)),
        ("input", ", ".join(m.input_modalities)),
        ("output", ", ".join(m.output_modalities)),
        ("capabilities", ", ".join(declared)),
        ("not supported", ", ".join(denied)),
        *_pricing_pairs(m),
        ("price history", price_line(catalog.history(m.id))),
        ("quantization", m.quantization or ""),
        ("created", m.created or ""),
        ("deprecation", m.deprecation_date or ""),
        ("owned by", m.owned_by or ""),
        ("upstreams", ", ".join(u.provider for u in m.upstreams)),
        ("featured", "yes" if m.featured else ""),
        ("sources", ", ".join(m.sources)),
        ("description", m.description or ""),
    ]
    return pairs


def _pricing_pairs(m: Model) -> list[tuple[str, str]]:
    p = m.pricing
    if p is None:
        return [("pricing", "unknown")]
    pairs = [
        ("input", money(p.input_per_mtok, PER_M)), ("output", money(p.output_per_mtok, PER_M)),
        ("cache read", money(p.cache_read_per_mtok, PER_M)), ("cache write", money(p.cache_write_per_mtok, PER_M)),
        ("reasoning", money(p.reasoning_per_mtok, PER_M)), ("per request", money(p.per_request)),
        ("per image", money(p.per_image)),
        ("input audio", money(p.input_audio_per_mtok, PER_M)), ("output audio", money(p.output_audio_per_mtok, PER_M)),
        ("audio in", money(p.audio_input_per_hour, "/hour")), ("audio out", money(p.audio_output_per_hour, "/hour")),
        ("characters", money(p.per_mchar, "/M chars")), ("queries", money(p.per_kquery, "/1K queries")),
        ("web search", money(p.web_search_per_k, "/1K searches")),
        *((f"per image {' '.join(v for v in (i.size, i.quality) if v) or 'any'}", money(i.per_image))
          for i in p.image_prices),
    ]
    pairs = [(f"price: {k}", _flag_detail(v, m, k.replace(" ", "_") + "_per_mtok")) for k, v in pairs if v != NONE]
    for tier in p.tiers:
        parts = [f"{k} {money(getattr(tier, k + '_per_mtok'), PER_M)}" for k in ("input", "output", "cache_read")
                 if getattr(tier, k + "_per_mtok") is not None]
        pairs.append((f"price above {tier.above_input_tokens:,} in", ", ".join(parts)))
    return pairs


def _flag_detail(text: str, m: Model, field_name: str) -> str:
    """`$60/M ! 18.2x the median $3.3/M at 5 other providers` for a flagged price, else the price."""
    found = m.price_flag(field_name)
    if found is None:
        return text
    return f"{flagged(text, m, field_name)} {found.ratio}x the median {money(found.peer_median, PER_M)} at " \
           f"{found.peers} other providers"


# -- families --------------------------------------------------------------------------------------------------


def families_list(args: argparse.Namespace, out: Output) -> int:
    catalog = load_catalog(args)
    families = catalog.families()
    if out.json:
        out.data(families)
        return 0
    if not catalog.has_families:
        out.line("This bundle carries no family data; rebuild it with `make build` to get families.")
        return 0
    rows = [[f.id, f.name, f.author or NONE, flag(f.open_weights), f.parameters or NONE, str(f.provider_count)]
            for f in families]
    out.table(["ID", "Name", "Author", "Open weights", "Params", "Providers"], rows, right=(5,),
              title=f"{len(families)} families")
    return 0


def families_show(args: argparse.Namespace, out: Output) -> int:
    catalog = load_catalog(args)
    family = catalog.family(args.id)
    offers = catalog.offers(family, include_variants=args.include_variants)
    if out.json:
        out.data({"family": family, "offers": offers})
        return 0
    out.details(f"{family.name} ({family.id})", _family_pairs(family))
    rows = [[str(i), m.id + (f" ({m.variant})" if m.variant else ""), m.provider,
             flagged(money(m.input_price), m, "input_per_mtok"), flagged(money(m.output_price), m, "output_per_mtok"),
             number(m.context_window)] for i, m in enumerate(offers, 1)]
    out.table(["#", "Model", "Provider", "In $/M", "Out $/M", "Context"], rows, right=(0, 3, 4, 5),
              title=f"{len(offers)} offers, cheapest first",
              caption=FLAG_LEGEND if any(m.price_flags for m in offers) else None)
    return 0


def _family_pairs(f: Family) -> list[tuple[str, str]]:
    return [
        ("author", f.author or ""), ("open weights", flag(f.open_weights)), ("parameters", f.parameters or ""),
        ("providers", str(f.provider_count)), ("cheapest", f.cheapest or ""),
        ("largest context", f.largest_context or ""),
    ]
