"""Checks of a configuration against the catalog, for `knollm config check` (loading itself never reads the
catalog, so it stays cheap): providers the catalog lacks need `base_url` and `api`; a catalog provider whose API
Knollm does not speak needs `api`; route candidates should name something that exists."""

from __future__ import annotations

from ..catalog import Catalog
from ..errors import NotFound
from .convert import Locator
from .endpoint import missing_settings
from .errors import Problem
from .model import Config, ProviderSettings


def catalog_problems(config: Config, catalog: Catalog, locate: Locator) -> list[Problem]:
    """Errors for providers that cannot be called as configured; warnings for route candidates nobody serves."""
    problems = []
    for pid, settings in config.providers.items():
        problems += _provider(pid, settings, catalog, locate)
    for name, route in config.routes.items():
        for index, candidate in enumerate(route.candidates):
            if candidate in config.models or candidate in config.routes:
                continue
            try:
                catalog.get(candidate)
            except NotFound as exc:
                file, line, key = locate(("routes", name, "candidates", index))
                hint = f"did you mean {', '.join(exc.suggestions[:3])}? or " if exc.suggestions else ""
                problems.append(Problem(key, "a model or family the catalog or [models] knows", repr(candidate),
                                        f'{hint}add [models."{candidate}"]', file, line, "warning"))
    return problems


def _provider(pid: str, settings: ProviderSettings, catalog: Catalog, locate: Locator) -> list[Problem]:
    close, known = "", None
    try:
        known = catalog.provider(pid)
    except NotFound as exc:
        close = f" (or did you mean the catalog's {exc.suggestions[0]}?)" if exc.suggestions else ""
    missing = missing_settings(settings, known)
    if not missing:
        return []
    what = (f"for {pid}, which the catalog does not know" if known is None
            else f"for {pid} (the catalog's API kind is {known.api_kind or 'unknown'}, auth "
                 f"{known.auth.header if known.auth else 'unknown'})")
    file, line, key = locate(("providers", pid))
    return [Problem(key, f"{' and '.join(missing)} {what}", "nothing",
                    f"add {' and '.join(missing)} to [providers.{pid}]{close}", file, line)]
