"""The CLI's library guide commands (`libraries list|show|recommend|matrix`)."""

from __future__ import annotations

import argparse
import shlex

from .catalog_commands import load_catalog
from .errors import InvalidArgument
from .libraries import FEATURES as LIBRARY_FEATURES
from .libraries import Library, LibraryGuide
from .render import NONE, Output
from .vocab import LIBRARY_REACH

# -- libraries -------------------------------------------------------------------------------------------------

_SHORT_FEATURES = {"sync": "sync", "async": "async", "streaming": "stream", "tools": "tools",
                   "structured_output": "schema", "vision": "vision"}


def _guide(args: argparse.Namespace) -> LibraryGuide:
    return LibraryGuide.from_catalog(load_catalog(args))


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
    reach = [f"{len(lib.providers(how))} {how}" for how in LIBRARY_REACH
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
        args.provider = load_catalog(args).provider(args.provider).id  # accepts aliases; unknown ids suggest
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
        rows = [[lib.id, *(str(len(lib.providers(how))) for how in LIBRARY_REACH),
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
