"""`knollm config check`: validate the configuration and print it resolved, keys shown only by their variable.

Exit status 1 when there is any error (one line per problem on stderr, no traceback), else 0 with the resolved
configuration on stdout; warnings (an unset key variable, a route candidate nobody serves) do not fail the check.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import KnollmError
from ..render import NONE, Output, money, number
from .errors import Problem
from .keys import key_statuses
from .load import LoadResult, check_config
from .model import Config


def config_check(args: argparse.Namespace, out: Output) -> int:
    """The handler of `knollm config check [--config F] [--profile P] [--json]`."""
    result = check_config(args.config, args.profile)
    if result.config is not None and result.locate is not None:
        result.problems += _catalog_problems(result, getattr(args, "bundle", None))
    if out.json:
        out.data(_json(result))
    elif result.errors:
        for problem in result.problems:
            print(f"knollm: {problem.severity}: {problem}", file=sys.stderr)
    else:
        _text(result, out)
    return 1 if result.errors else 0


def _catalog_problems(result: LoadResult, bundle: str | None) -> list[Problem]:
    from ..catalog import Catalog
    from .catalog_check import catalog_problems

    assert result.config is not None and result.locate is not None
    try:
        catalog = Catalog.load(bundle)
    except KnollmError:
        return [Problem("", "a catalog bundle to check providers and routes against", "none readable",
                        "run `make build` or set KNOLLM_BUNDLE; the other checks passed", severity="warning")]
    return catalog_problems(result.config, catalog, result.locate)


def _text(result: LoadResult, out: Output) -> None:
    config = result.config
    assert config is not None
    where = result.source or f"none found (looked at {', '.join(result.searched)})"
    profiles = ", ".join(config.profiles) or NONE
    out.details("Knollm configuration", [("file", where), ("profile", result.profile or NONE),
                                         ("profiles", profiles),
                                         ("literal keys", "allowed" if config.allow_literal_keys else "refused")])
    out.line()
    rows = [[pid, s.api or "catalog", s.base_url or "catalog", f"{s.timeout_s:g}s",
             ", ".join(k.describe() for k in key_statuses(s, provider_id=pid)) or NONE,
             ", ".join(sorted(s.headers)) or NONE] for pid, s in config.providers.items()]
    out.table(["Provider", "API", "Base URL", "Timeout", "Keys", "Headers"], rows,
              title="Providers")
    if config.models:
        out.line()
        out.table(["Model", "Context", "Max output", "Input", "Output", "Cache read", "Cache write"],
                  [[mid, number(m.context_window), number(m.max_output_tokens), money(m.input_per_mtok, "/M"),
                    money(m.output_per_mtok, "/M"), money(m.cache_read_per_mtok, "/M"),
                    money(m.cache_write_per_mtok, "/M")] for mid, m in config.models.items()],
                  title="Models", right=(1, 2, 3, 4, 5, 6))
    if config.routes:
        out.line()
        out.table(["Route", "Candidates (in order)"],
                  [[name, " -> ".join(r.candidates) or f"family {r.family}"] for name, r in config.routes.items()],
                  title="Routes")
    if result.warnings:
        out.line()
        for problem in result.warnings:
            out.line(f"warning: {problem}")


def _json(result: LoadResult) -> dict[str, Any]:
    return {
        "ok": not result.errors,
        "file": result.source,
        "profile": result.profile,
        "searched": result.searched,
        "problems": [p.to_dict() for p in result.problems],
        "config": _config_data(result.config) if result.config is not None else None,
    }


def _config_data(config: Config) -> dict[str, Any]:
    providers = {
        pid: {"base_url": s.base_url, "api": s.api, "timeout_s": s.timeout_s, "auth_header": s.auth_header,
              "models_path": s.models_path, "header_names": sorted(s.headers),
              "keys": [{"ref": k.ref, "set": k.set, "tail": k.tail} for k in key_statuses(s, provider_id=pid)]}
        for pid, s in config.providers.items()
    }
    return {
        "providers": providers,
        "models": {mid: m.model_dump(mode="json", exclude_none=True) for mid, m in config.models.items()},
        "routes": {name: list(r.candidates) for name, r in config.routes.items()},
        "profiles": list(config.profiles),
        "default_profile": config.default_profile,
        "allow_literal_keys": config.allow_literal_keys,
    }
