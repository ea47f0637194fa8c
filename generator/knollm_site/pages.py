"""The generated files of the site: every page rendered from the bundle, the bundle itself, and the assets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

import knollm
from knollm import Model
from knollm.comparable import TURN_TOKENS
from knollm.libraries import CATEGORIES, CRITERIA, FEATURES, USE_CASES

from . import analysis, change_pages, clidoc, configdoc, fmt, library_pages, matrices, quality, schemadoc
from .explorer_bundle import BUNDLE_NAME, bundle_source
from .explorer_data import explorer_document, part_bytes, published_parts
from .load import REPO_ROOT, schema_bytes
from .page_render import TEMPLATES, Renderer
from .precompress import compressed_copies
from .snippets import snippets
from .views import EDIT_BASE, MODEL_CAP, SiteData

ASSETS = REPO_ROOT / "assets" / "site"
"""The site's own static files (style sheet, logo); published under `assets/site/`."""
EXPLORER_ASSETS = REPO_ROOT / "assets" / "explorer"
"""The explorer's scripts and style sheet; published under `assets/explorer/`."""
EXPLORER_DATA_URL = "api/v1/explorer.json"
BUNDLE_URL = "api/v1/catalog.json"
SCHEMA_URL = "api/v1/catalog.schema.json"
LIBRARY_FILTER_JS = "assets/site/library-filter.js"
"""The comparison table's filter (a plain script; the table is complete without it)."""
_TEMPLATE_EDIT = EDIT_BASE + "site_templates/"
SITE_URL = "https://knollm.github.io/knollm/"
"""The published site's address for the Atom feed's links (mkdocs.yml's default site_url; $KNOLLM_SITE_URL wins)."""


@dataclass(frozen=True)
class GeneratedFile:
    """One file of the docs tree: its path relative to the docs root, its bytes, and its edit link target."""

    path: str
    data: bytes
    edit_path: str | None = None


class PageBuilder:
    """Renders the generated pages of one site."""

    def __init__(self, site: SiteData, templates: Path = TEMPLATES) -> None:
        self.site = site
        self.renderer = Renderer(templates)
        self.recorded = change_pages.site_changes(site.catalog)
        """The history beside the bundle, newest first (read once per build)."""
        self.common = {"site": site, "catalog": site.catalog, "bundle_url": BUNDLE_URL, "schema_url": SCHEMA_URL,
                       "model_cap": MODEL_CAP}

    def page(self, template: str, path: str, edit: str | None = None, /, **context: object) -> GeneratedFile:
        """Render `template` as the page at `path`; the edit link defaults to the template."""
        text = self.renderer.render(template, path, **self.common, **context)
        return GeneratedFile(path, text.encode(), edit or _TEMPLATE_EDIT + template)

    def section_pages(self) -> Iterator[GeneratedFile]:
        """The overview pages of the Providers, Models and Reference sections."""
        site, catalog = self.site, self.site.catalog
        yield self.page("providers_index.md.j2", "providers/index.md")
        yield self.page("providers_compare.md.j2", "providers/compare.md", coverage=matrices.capability_coverage(site),
                        capability_names=matrices.MATRIX_CAPABILITIES, overlap=matrices.overlap(site),
                        prices=matrices.price_matrix(site))
        yield self.page("models_index.md.j2", "models/index.md", kinds=analysis.kind_counts(catalog),
                        priced=analysis.priced_count(catalog))
        yield self.page("families_index.md.j2", "models/families.md")
        yield self.page("capabilities.md.j2", "models/capabilities.md", rows=analysis.capability_rows(catalog))
        yield self.page("pricing.md.j2", "models/pricing.md", matrix=analysis.cheapest_matrix(catalog),
                        classes=analysis.CONTEXT_CLASSES, workloads=analysis.workloads(catalog),
                        spread=analysis.price_spread(site), free=len(analysis.free_chat_models(catalog.models)),
                        beyond=analysis.beyond_token_rankings(catalog))
        yield self.page("data_quality.md.j2", "models/data-quality.md", ages=quality.source_ages(catalog),
                        agreement=quality.agreement_rows(catalog), totals=quality.totals(catalog),
                        percent=quality.percent, flags=quality.flag_summary(catalog), units=quality.unit_rows(catalog))
        recorded = self.recorded
        yield self.page("changes.md.j2", change_pages.PAGE_PATH, rows=change_pages.page_rows(recorded),
                        total=len(recorded), change_type=change_pages.change_type,
                        feed=Markup(fmt.rel(change_pages.PAGE_PATH, change_pages.FEED_PATH)),
                        script=Markup(fmt.rel("models/changes/index.html", LIBRARY_FILTER_JS)))
        yield self.page("cli.md.j2", "reference/cli.md", EDIT_BASE + "runtime/knollm/cli.py",
                        knollm=clidoc.knollm_commands(), builder=clidoc.build_commands())
        records_source = EDIT_BASE + "generator/knollm_compiler/bundle_records.py"
        yield self.page("bundle_format.md.j2", "reference/bundle.md", records_source, records=schemadoc.records())
        # The notes are the runtime's own module docstrings (trusted Markdown, several lines), printed as they are.
        notes = {name: Markup(text) for name, text in configdoc.notes().items()}
        yield self.page("config_format.md.j2", "reference/configuration.md",
                        EDIT_BASE + "runtime/knollm/config/model.py", tables=configdoc.tables(), notes=notes)

    def provider_pages(self) -> Iterator[GeneratedFile]:
        """One page per provider."""
        for page in self.site.providers:
            example = next((m for m in page.models if m.kind == "chat"), None)
            yield self.page("provider.md.j2", page.path, page.edit_path, page=page,
                            snippets=snippets(page.provider, example),
                            listing_day=change_pages.provider_source_day(self.site.catalog, page.provider.id))

    def library_pages(self) -> Iterator[GeneratedFile]:
        """The Libraries section: overview, comparison, recommendations, compatibility, one page per library."""
        guide = self.site.libraries
        common = {"guide": guide, "features": FEATURES, "feature_labels": library_pages.FEATURE_LABELS,
                  "reach_labels": library_pages.REACH_LABELS, "reach_cells": library_pages.REACH_CELLS,
                  "use_case_ids": USE_CASES, "category_ids": CATEGORIES,
                  "lib_python": library_pages.python_text, "lib_dependencies": library_pages.dependencies_text,
                  "lib_size": library_pages.size_text, "pypi_url": library_pages.pypi_url}
        first = guide.pages[0].library.id if guide.pages else None
        yield self.page("libraries_index.md.j2", "libraries/index.md", categories=guide.categories(),
                        criteria=library_pages.criteria_docs(), derived=library_pages.DERIVED_CRITERIA,
                        checked=library_pages.checked_date(guide.guide), example_id=first, **common)
        yield self.page("libraries_compare.md.j2", "libraries/compare.md",
                        script=Markup(fmt.rel("libraries/compare/index.html", LIBRARY_FILTER_JS)), **common)
        yield self.page("libraries_recommendations.md.j2", "libraries/recommendations.md",
                        use_cases=guide.use_cases(), criteria=CRITERIA, derived=library_pages.DERIVED_CRITERIA,
                        top=library_pages.TOP, **common)
        yield self.page("libraries_compatibility.md.j2", "libraries/compatibility.md", tables=guide.reach_tables(),
                        unreached=guide.unreached_providers(p.provider.id for p in self.site.providers), **common)
        for page in guide.pages:
            yield self.page("library.md.j2", page.path, page.edit_path, page=page,
                            criteria=library_pages.criteria_docs(), providers=guide.providers_of(page.library),
                            places=guide.places(page.library.id), **common)

    def family_pages(self) -> Iterator[GeneratedFile]:
        """One page per family worth a page (see `views`)."""
        edit = EDIT_BASE + "catalog/families/rules.toml"
        prices = change_pages.price_index(self.recorded)
        for page in self.site.families:
            chart = change_pages.price_chart(change_pages.price_series(page.offers, prices)) if prices else Markup("")
            yield self.page("family.md.j2", page.path, edit, page=page, turn=TURN, turn_cost=turn_cost,
                            capabilities=capability_list, price_chart=chart)


TURN = TURN_TOKENS
"""The chat turn priced in the family tables (input, output tokens): in the comparable price's proportions, so the
column orders the offers exactly as the table does."""


def turn_cost(model: Model) -> Decimal | None:
    """The exact cost of one `TURN` on `model`, or None when a price it needs is unknown."""
    try:
        return knollm.estimate_cost(model, *TURN).total
    except knollm.PriceUnknown:
        return None


def capability_list(model: Model) -> str:
    """The capabilities the model declares, comma-separated."""
    return ", ".join(sorted(c for c, on in model.capabilities.items() if on))


def generate(site: SiteData, bundle: Path, templates: Path = TEMPLATES, assets: Path = ASSETS) -> list[GeneratedFile]:
    """Every generated file of the site for `site` (loaded from the bundle file `bundle`)."""
    builder = PageBuilder(site, templates)
    files = [*builder.section_pages(), *builder.provider_pages(), *builder.family_pages(), *builder.library_pages()]
    site_url = os.environ.get("KNOLLM_SITE_URL") or SITE_URL
    files.append(GeneratedFile(change_pages.FEED_PATH, change_pages.atom_feed(builder.recorded, site_url)))
    files.extend(with_copies(BUNDLE_URL, bundle.read_bytes()))
    files.extend(with_copies(SCHEMA_URL, schema_bytes(bundle)))
    files.extend(explorer_files(site, bundle))
    files.extend(asset_files(assets))
    files.extend(asset_files(EXPLORER_ASSETS, "assets/explorer/"))
    # The explorer page loads its modules as one file (fewer fetches before its first rows); model.js stays modular.
    files.extend(with_copies("assets/explorer/" + BUNDLE_NAME, bundle_source(EXPLORER_ASSETS).encode("utf-8")))
    return files


def with_copies(path: str, data: bytes) -> list[GeneratedFile]:
    """The file at `path` and its precompressed `.gz` and `.br` copies."""
    return [GeneratedFile(path, data), *(GeneratedFile(name, copy) for name, copy in compressed_copies(path, data))]


def page_url(path: str) -> str:
    """The URL (relative to the site root) of a docs page path, with directory URLs: `a/b.md` -> `a/b/`."""
    stem = path.removesuffix(".md")
    return "" if stem == "index" else stem.removesuffix("/index") + "/"


def explorer_files(site: SiteData, bundle: Path) -> list[GeneratedFile]:
    """The explorer's compact data, with the URL of every provider and family page, in three files (a head with
    the default view's first rows, then the first part, then the second: `published_parts`), each beside its
    `.gz` and `.br` copies for servers that send precompressed files."""
    pages = {
        "providers": {pid: page_url(page.path) for pid, page in site.provider_pages.items()},
        "families": {fid: page_url(page.path) for fid, page in site.family_pages.items()},
    }
    catalog = site.catalog  # the bundle as the runtime parsed it: read once per build, never parsed again here
    document = {name: catalog.section(name) for name in ("providers", "families", "models")}
    parts = published_parts(explorer_document({**document, "data_date": catalog.data_date}, pages))
    folder = EXPLORER_DATA_URL.rsplit("/", 1)[0]
    files = []
    for name, part in parts.items():
        path = f"{folder}/{name}" if name else EXPLORER_DATA_URL
        files += with_copies(path, part_bytes(part))
    return files


def asset_files(assets: Path = ASSETS, prefix: str = "assets/site/") -> list[GeneratedFile]:
    """Everything under `assets` (default `assets/site/`), published under `prefix`."""
    if not assets.is_dir():
        return []
    return [
        GeneratedFile(prefix + path.relative_to(assets).as_posix(), path.read_bytes())
        for path in sorted(assets.rglob("*")) if path.is_file()
    ]
