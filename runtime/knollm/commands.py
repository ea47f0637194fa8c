"""The CLI's command handlers: each takes the parsed arguments and an `Output`, returns an exit status."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from . import safefile
from .catalog import Catalog
from .costs import NON_TOKEN_USAGE
from .errors import InvalidArgument
from .explain import explain_empty
from .history import price_line
from .libraries import FEATURES as LIBRARY_FEATURES
from .libraries import Library, LibraryGuide
from .query import Query
from .records import Comparison, CostBreakdown, Family, Model, Provider
from .render import FLAG_LEGEND, NONE, Output, flag, flag_notes, flagged, money, number
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


# -- costs -----------------------------------------------------------------------------------------------------


def _usage(args: argparse.Namespace) -> dict[str, Any]:
    beyond_tokens = {name: getattr(args, name, 0) for name in NON_TOKEN_USAGE}
    return {
        "input_tokens": args.input_tokens, "output_tokens": args.output_tokens,
        "cached_input_tokens": args.cached_tokens, "cache_write_tokens": args.cache_write_tokens,
        "requests": args.requests, "images": getattr(args, "images", 0),
        "image_size": getattr(args, "image_size", None), "image_quality": getattr(args, "image_quality", None),
        **{name: count for name, count in beyond_tokens.items() if count},
    }


def costs_estimate(args: argparse.Namespace, out: Output) -> int:
    catalog = _catalog(args)
    cost = catalog.estimate_cost(args.model, **_usage(args))
    if out.json:
        out.data(cost)
        return 0
    out.details(f"{cost.model}: {money(cost.total)}", _cost_pairs(cost))
    for note in flag_notes(catalog.get(cost.model)):
        out.line(note)
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
        *_beyond_token_pairs(c),
        ("total", money(c.total)),
    ]


def _beyond_token_pairs(c: CostBreakdown) -> list[tuple[str, str]]:
    """Lines for usage beyond tokens, shown only when the usage names it."""
    image_choice = " ".join(v for v in (c.image_size, c.image_quality) if v)
    lines = [
        (f"images ({c.images:,}{' ' + image_choice if image_choice else ''})", c.images, c.image),
        (f"audio in ({c.audio_input_seconds:,} s)", c.audio_input_seconds, c.audio_input),
        (f"audio out ({c.audio_output_seconds:,} s)", c.audio_output_seconds, c.audio_output),
        (f"characters ({c.characters:,})", c.characters, c.character),
        (f"queries ({c.queries:,})", c.queries, c.query),
        (f"web searches ({c.web_searches:,})", c.web_searches, c.web_search),
    ]
    return [(label, money(amount)) for label, count, amount in lines if count]


def costs_compare(args: argparse.Namespace, out: Output) -> int:
    if not args.family and not args.models:
        raise InvalidArgument("costs compare needs --family FAMILY or at least one --model PROVIDER/MODEL")
    catalog = _catalog(args)
    comparison = catalog.compare(args.models or None, family=args.family, include_variants=args.include_variants,
                                 **_usage(args))
    if args.limit is not None:
        comparison = Comparison(comparison.costs[: max(args.limit, 0)], comparison.unpriced)
    if out.json:
        out.data(comparison)
        return 0
    beyond = any(_beyond_token_pairs(c) for c in comparison.costs)  # a column only when the usage has such lines
    rows = [[str(i), c.model, money(c.input), money(c.cache), money(c.output), money(c.per_request),
             *([money(c.total - c.input - c.cache - c.output - c.reasoning - c.per_request)] if beyond else []),
             money(c.total)] for i, c in enumerate(comparison.costs, 1)]
    subject = f"family {args.family}" if args.family else "models"
    headers = ["#", "Model", "Input", "Cache", "Output", "Per request", *(["Beyond tokens"] if beyond else []), "Total"]
    out.table(headers, rows, right=tuple(i for i in range(len(headers)) if i != 1),
              title=f"{subject}: {args.input_tokens:,} in / {args.output_tokens:,} out x {args.requests:,}, "
                    "cheapest first")
    for item in comparison.unpriced:
        out.line(f"not priced: {item.model} ({item.component} unknown)")
    for cost in comparison.costs:
        for note in flag_notes(catalog.get(cost.model)):
            out.line(note)
    return 0


# -- tokens ----------------------------------------------------------------------------------------------------


def tokens_count(args: argparse.Namespace, out: Output) -> int:
    if args.file:
        try:
            text = safefile.read_text(args.file, _max_bytes())  # never /dev/zero or a FIFO
        except safefile.UnsafeFile as exc:
            raise InvalidArgument(f"cannot read {args.file}: {exc}") from None
    else:
        text = args.text if args.text is not None else _stdin_text()
    tokens = count_tokens(text, args.model)
    method = tokenizer(args.model)
    if out.json:
        out.data({"tokens": tokens, "characters": len(text), "method": method})
        return 0
    out.line(f"{tokens} tokens ({method}, {len(text)} characters)")
    return 0


def _max_bytes() -> int:
    try:
        return safefile.configured_max_bytes()
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def _stdin_text() -> str:
    limit = _max_bytes()
    text = sys.stdin.read(limit + 1)  # bounded, so `< /dev/zero` cannot fill memory
    if len(text) > limit:
        raise InvalidArgument(f"standard input is longer than {limit:,} characters ({safefile.ENV_VAR} sets the limit)")
    return text


# -- libraries -------------------------------------------------------------------------------------------------

_SHORT_FEATURES = {"sync": "sync", "async": "async", "streaming": "stream", "tools": "tools",
                   "structured_output": "schema", "vision": "vision"}


def _guide(args: argparse.Namespace) -> LibraryGuide:
    return LibraryGuide.from_catalog(_catalog(args))


def libraries_list(args: argparse.Namespace, out: Output) -> int:
    guide = _guide(args)
    found = guide.select(category=args.category, features=tuple(args.feature), provider=args.provider)
    if out.json:
        out.data(found)
        return 0
    if not len(guide):
        out.line("This bundle carries no library data; rebuild it with `make build` to get the library guide.")
        return 0
    rows = [
        [lib.id, lib.category, lib.package.version, lib.package.released or NONE, lib.package.license or NONE,
         " ".join(_SHORT_FEATURES[f] for f in lib.feature_list) or NONE, str(len(lib.compatibility)),
         f"{lib.judgement.ratings.mean:.1f}"]
        for lib in found
    ]
    out.table(["ID", "Category", "Version", "Released", "License", "Features", "Providers", "Rating"], rows,
              right=(6, 7), title=f"{len(found)} of {len(guide)} libraries",
              caption="Rating: the mean of our 1-5 ratings (our judgement, not a fact).")
    return 0


def libraries_show(args: argparse.Namespace, out: Output) -> int:
    guide = _guide(args)
    lib = guide.get(args.id)
    if out.json:
        out.data(lib)
        return 0
    out.details(f"{lib.name} ({lib.id})", _library_pairs(lib, guide))
    out.line()
    out.line("Example (ours; it calls an API when run):")
    for line in lib.judgement.example.rstrip("\n").splitlines():
        out.line("    " + line)
    return 0


def _library_pairs(lib: Library, guide: LibraryGuide) -> list[tuple[str, str]]:
    pkg, cov, judgement = lib.package, lib.coverage, lib.judgement
    ratings = judgement.ratings
    deps = f"{pkg.direct_dependencies} direct"
    if pkg.transitive_dependencies is not None:
        deps += f", {pkg.transitive_dependencies} installed in all"
    if pkg.installed_size_kb is not None:
        deps += f", {pkg.installed_size_kb / 1024:.1f} MB"
    native = lib.providers("native")
    reach = [f"{len(lib.providers(how))} {how}" for how in ("native", "openai-compatible", "http")
             if lib.providers(how)]
    return [
        ("summary", lib.summary),
        ("category", lib.category),
        ("pypi", f"{pkg.pypi}  (import {lib.import_name})"),
        ("install", "pip install " + " ".join(shlex.quote(r) for r in lib.install)),
        ("version", pkg.version + (f", released {pkg.released}" if pkg.released else ", release date unknown")),
        ("license", pkg.license or "unknown"),
        ("python", "; ".join(p for p in (f"requires {pkg.requires_python}" if pkg.requires_python else "",
                                          f"classifiers {', '.join(pkg.python_versions)}" if pkg.python_versions
                                          else "") if p)),
        ("dependencies", deps + (f" ({pkg.resolved_for})" if pkg.resolved_for else "")),
        ("install problem", pkg.install_problem or ""),
        ("metadata read", pkg.checked),
        ("homepage", lib.homepage),
        ("repository", lib.repository),
        ("features", ", ".join(lib.feature_list)),
        ("not offered", ", ".join(f for f in LIBRARY_FEATURES if not lib.supports(f))),
        ("feature notes", lib.feature_notes or ""),
        ("providers", f"{len(lib.compatibility)} ({', '.join(reach)})" if reach else "none"),
        ("native", ", ".join(native)),
        ("api dialects", ", ".join(guide.dialects(lib))),
        ("coverage notes", cov.notes or ""),
        ("ratings (ours)", f"API design {ratings.api_design}, docs {ratings.docs}, maintenance "
                           f"{ratings.maintenance}, performance {ratings.performance}, flexibility "
                           f"{ratings.flexibility} (mean {ratings.mean:.1f})"),
        ("best for (ours)", ", ".join(judgement.best_for)),
        ("pros (ours)", "\n".join(f"+ {p}" for p in judgement.pros)),
        ("cons (ours)", "\n".join(f"- {c}" for c in judgement.cons)),
    ]


def libraries_recommend(args: argparse.Namespace, out: Output) -> int:
    if args.limit is not None and args.limit < 0:
        raise InvalidArgument(f"--limit must be zero or more, not {args.limit}")
    guide = _guide(args)
    if args.provider is not None:
        args.provider = _catalog(args).provider(args.provider).id  # accepts aliases; unknown ids suggest
    picks = guide.recommend(args.use_case, args.needs, provider=args.provider, limit=args.limit or None)
    if out.json:
        out.data(picks)
        return 0
    needs = f", needs {', '.join(args.needs)}" if args.needs else ""
    where = f", reaching {args.provider}" if args.provider else ""
    out.line(f"Libraries for {args.use_case}{needs}{where}: {len(picks)} shown, best first")
    if not picks:
        out.line("No library meets these requirements.")
    for pick in picks:
        out.line(f"{pick.rank:>2}. {pick.library}  {pick.score:.2f}" + ("  (our pick)" if pick.fit else ""))
        for reason in pick.reasons:
            out.line(f"      - {reason}")
    out.line("Scores weight our 1-5 ratings per use case (our judgement) with facts: reach and dependency weight.")
    return 0


def libraries_matrix(args: argparse.Namespace, out: Output) -> int:
    guide = _guide(args)
    if args.providers:
        matrix = guide.compatibility_matrix()
        if out.json:
            out.data(matrix)
            return 0
        rows = [[lib.id, *(str(len(lib.providers(how))) for how in ("native", "openai-compatible", "http")),
                 str(len(lib.compatibility)), ", ".join(guide.dialects(lib)) or NONE] for lib in guide]
        out.table(["Library", "Native", "OpenAI-compat.", "HTTP", "Total", "API dialects"], rows,
                  right=(1, 2, 3, 4), title="Providers each library reaches (derived from the data)",
                  caption="Use --json for every library x provider cell.")
        return 0
    features = guide.feature_matrix()
    if out.json:
        out.data(features)
        return 0
    rows = [[lib_id, *("yes" if row[f] else NONE for f in LIBRARY_FEATURES)] for lib_id, row in features.items()]
    out.table(["Library", *(_SHORT_FEATURES[f] for f in LIBRARY_FEATURES)], rows, title="Features x libraries")
    return 0


# -- config ----------------------------------------------------------------------------------------------------


def config_check(args: argparse.Namespace, out: Output) -> int:
    # Imported here: the configuration needs pydantic, which no other command (and no `import knollm`) loads.
    from .config.report import config_check as check

    return check(args, out)


def chat(args: argparse.Namespace, out: Output) -> int:
    # Imported here: calling providers needs the client (httpx, pydantic), which no other command loads.
    from .chat_commands import chat as run

    return run(args, out)


def providers_check(args: argparse.Namespace, out: Output) -> int:
    from .chat_commands import providers_check as run

    return run(args, out)


def route(args: argparse.Namespace, out: Output) -> int:
    from .chat_commands import route as run

    return run(args, out)
