"""The CLI's command handlers: each takes the parsed arguments and an `Output`, returns an exit status."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .catalog import Catalog
from .errors import InvalidArgument
from .query import Query
from .records import Comparison, CostBreakdown, Family, Model, Provider
from .render import NONE, Output, flag, money, number
from .tokens import count_tokens, tokenizer

PER_M = "/M"


def _catalog(args: argparse.Namespace) -> Catalog:
    return Catalog.load(getattr(args, "bundle", None))


# -- providers -------------------------------------------------------------------------------------------------


def providers_list(args: argparse.Namespace, out: Output) -> int:
    catalog = _catalog(args)
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
    provider = _catalog(args).provider(args.id)
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
    catalog = _catalog(args)
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
        row = [m.id, m.kind, number(m.context_window), money(m.input_price), money(m.output_price)]
        rows.append([*row, m.family or NONE] if with_family else row)
    caption = f"{len(shown)} of {len(found)} matches" + (" (use --limit 0 for all)" if len(shown) < len(found) else "")
    out.table([*columns, "Family"] if with_family else columns, rows, right=(2, 3, 4), caption=caption)
    return 0


def models_show(args: argparse.Namespace, out: Output) -> int:
    catalog = _catalog(args)
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
        ("kind", m.kind),
        ("family", m.family or ""),
        ("open weights", flag(catalog.open_weights(m)) if m.family else ""),
        ("context window", number(m.context_window)),
        ("max output", number(m.max_output_tokens)),
        ("input", ", ".join(m.input_modalities)),
        ("output", ", ".join(m.output_modalities)),
        ("capabilities", ", ".join(declared)),
        ("not supported", ", ".join(denied)),
        *_pricing_pairs(m),
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
    ]
    pairs = [(f"price: {k}", v) for k, v in pairs if v != NONE]
    for tier in p.tiers:
        parts = [f"{k} {money(getattr(tier, k + '_per_mtok'), PER_M)}" for k in ("input", "output", "cache_read")
                 if getattr(tier, k + "_per_mtok") is not None]
        pairs.append((f"price above {tier.above_input_tokens:,} in", ", ".join(parts)))
    return pairs


# -- families --------------------------------------------------------------------------------------------------


def families_list(args: argparse.Namespace, out: Output) -> int:
    catalog = _catalog(args)
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
    catalog = _catalog(args)
    family = catalog.family(args.id)
    offers = catalog.offers(family)
    if out.json:
        out.data({"family": family, "offers": offers})
        return 0
    out.details(f"{family.name} ({family.id})", _family_pairs(family))
    rows = [[str(i), m.id, m.provider, money(m.input_price), money(m.output_price), number(m.context_window)]
            for i, m in enumerate(offers, 1)]
    out.table(["#", "Model", "Provider", "In $/M", "Out $/M", "Context"], rows, right=(0, 3, 4, 5),
              title=f"{len(offers)} offers, cheapest first")
    return 0


def _family_pairs(f: Family) -> list[tuple[str, str]]:
    return [
        ("author", f.author or ""), ("open weights", flag(f.open_weights)), ("parameters", f.parameters or ""),
        ("providers", str(f.provider_count)), ("cheapest", f.cheapest or ""),
        ("largest context", f.largest_context or ""),
    ]


# -- costs -----------------------------------------------------------------------------------------------------


def _usage(args: argparse.Namespace) -> dict[str, int]:
    return {
        "input_tokens": args.input_tokens, "output_tokens": args.output_tokens,
        "cached_input_tokens": args.cached_tokens, "cache_write_tokens": args.cache_write_tokens,
        "requests": args.requests,
    }


def costs_estimate(args: argparse.Namespace, out: Output) -> int:
    cost = _catalog(args).estimate_cost(args.model, **_usage(args))
    if out.json:
        out.data(cost)
        return 0
    out.details(f"{cost.model}: {money(cost.total)}", _cost_pairs(cost))
    return 0


def _cost_pairs(c: CostBreakdown) -> list[tuple[str, str]]:
    usage = f"{c.input_tokens:,} in ({c.cached_input_tokens:,} cached, {c.cache_write_tokens:,} cache write)"
    return [
        ("usage", f"{usage}, {c.output_tokens:,} out, x {c.requests:,} request(s)"),
        ("tier", f"above {c.tier:,} input tokens" if c.tier is not None else ""),
        ("input", money(c.input)),
        ("cache read", money(c.cache_read) if c.cached_input_tokens else ""),
        ("cache write", money(c.cache_write) if c.cache_write_tokens else ""),
        ("output", money(c.output)),
        ("per request", money(c.per_request) if c.per_request else ""),
        ("total", money(c.total)),
    ]


def costs_compare(args: argparse.Namespace, out: Output) -> int:
    if not args.family and not args.models:
        raise InvalidArgument("costs compare needs --family FAMILY or at least one --model PROVIDER/MODEL")
    catalog = _catalog(args)
    comparison = catalog.compare(args.models or None, family=args.family, **_usage(args))
    if args.limit is not None:
        comparison = Comparison(comparison.costs[: max(args.limit, 0)], comparison.unpriced)
    if out.json:
        out.data(comparison)
        return 0
    rows = [[str(i), c.model, money(c.input), money(c.cache), money(c.output), money(c.per_request), money(c.total)]
            for i, c in enumerate(comparison.costs, 1)]
    subject = f"family {args.family}" if args.family else "models"
    out.table(["#", "Model", "Input", "Cache", "Output", "Per request", "Total"], rows, right=(0, 2, 3, 4, 5, 6),
              title=f"{subject}: {args.input_tokens:,} in / {args.output_tokens:,} out x {args.requests:,}, "
                    "cheapest first")
    for item in comparison.unpriced:
        out.line(f"not priced: {item.model} ({item.component} unknown)")
    return 0


# -- tokens ----------------------------------------------------------------------------------------------------


def tokens_count(args: argparse.Namespace, out: Output) -> int:
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidArgument(f"cannot read {args.file}: {exc}") from None
    else:
        text = args.text if args.text is not None else sys.stdin.read()
    tokens = count_tokens(text, args.model)
    method = tokenizer(args.model)
    if out.json:
        out.data({"tokens": tokens, "characters": len(text), "method": method})
        return 0
    out.line(f"{tokens} tokens ({method}, {len(text)} characters)")
    return 0
