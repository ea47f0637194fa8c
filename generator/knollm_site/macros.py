"""Variables and macros for the hand-written pages (mkdocs-macros): live numbers from the bundle.

Only pages that opt in with `render_macros: true` in their front matter are rendered as templates (the
generated pages never are, so catalog text can never be evaluated as a macro).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from . import analysis, change_pages
from .escape import escape_md, md_cell, md_code
from .fmt import count, money, rel
from .performance import load_results, performance_markdown
from .views import SiteData, paid_chat_models


def variables(site: SiteData) -> dict[str, Any]:
    """The numbers the hand-written pages quote (formatted with thousands separators)."""
    catalog = site.catalog
    providers = catalog.providers()
    return {
        "provider_count": count(len(providers)),
        "providers_with_models": count(sum(1 for p in providers if p.model_count)),
        "authored_provider_count": count(sum(1 for p in providers if p.authored)),
        "model_count": count(len(catalog)),
        "priced_model_count": count(analysis.priced_count(catalog)),
        "free_chat_count": count(len(analysis.free_chat_models(catalog.models))),
        "family_count": count(site.family_total),
        "multi_provider_family_count": count(site.multi_provider),
        "family_page_count": count(len(site.families)),
        "data_date": catalog.data_date or "not recorded",
        "schema_version": catalog.schema_version,
        "source_count": count(len(catalog.sources)),
    }


def cheapest_text(site: SiteData, here: str, capability: str | None = None, min_context: int = 0) -> str:
    """Markdown naming the cheapest paid chat model with `capability` and `min_context`, linked to its family
    page (or provider page), with its prices; `here` is the docs path of the page the text goes on."""
    paid = paid_chat_models(site.catalog.models)
    model = analysis.cheapest_paid(paid, capability, min_context)
    if model is None:
        return "no priced model in this bundle"
    target = site.family_path(model.family) or site.provider_path(model.provider)
    label = escape_md(model.display_name)
    name = f"[{label}]({rel(here, target)})" if target else label
    prices = f"{money(model.input_price)} in / {money(model.output_price)} out per million tokens"
    return f"{name} ({md_code(model.id)}) at {prices}"


def freshness_text(site: SiteData) -> str:
    """Markdown: a table of the sources (newest first) with their date and age at the data date, then the
    providers whose listing fetch failed (their listing is the last good one)."""
    rows = change_pages.source_freshness(site.catalog)
    if not rows:
        return "This build records no source dates."
    lines = ["| source | data date | age at the data date |", "| --- | --- | ---: |"]
    for row in rows:
        age = "—" if row.age_days is None else f"{row.age_days} days"
        lines.append(f"| {md_cell(row.file)} | {md_cell(row.day)} | {age} |")
    failed = change_pages.failed_fetches(site.catalog)
    if failed:
        names = ", ".join(md_cell(p.name) for p in failed)
        lines += ["", f"The last listing fetch failed for {len(failed)} provider(s), whose listing here is the last "
                  f"good one: {names}."]
    return "\n".join(lines)


_Macro = TypeVar("_Macro", bound=Callable[..., str])


class MacrosEnv(Protocol):
    """What `register` uses of a mkdocs-macros environment (the plugin ships no types)."""

    variables: dict[str, Any]

    def macro(self, function: _Macro, /) -> _Macro: ...


def register(env: MacrosEnv, site: SiteData) -> None:
    """Define the variables and macros on a mkdocs-macros environment."""
    env.variables.update(variables(site))

    def here() -> str:
        page = getattr(env, "page", None)
        return page.file.src_uri if page is not None else "index.md"

    @env.macro
    def performance_table() -> str:
        """The Performance page's table from the committed `bench/results.json` (`make bench` writes it)."""
        return performance_markdown(load_results())

    @env.macro
    def freshness() -> str:
        """Each source's date and age, and the providers whose last listing fetch failed."""
        return freshness_text(site)

    @env.macro
    def cheapest(capability: str | None = None, min_context: int = 0) -> str:
        """The cheapest paid chat model (optionally with a capability and a minimum context window)."""
        return cheapest_text(site, here(), capability, min_context)
