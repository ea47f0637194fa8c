"""The documentation site's generated pages, rendered from a compiled bundle: the third stage, after the
compiler (which writes the bundle) and beside the runtime (through whose `knollm.Catalog` it reads the bundle,
once per build, so the site shows exactly what `knollm` returns).

`src_docs/gen_pages.py` (run by mkdocs-gen-files) writes `site_files()` into the docs tree, and
`src_docs/main.py` (mkdocs-macros) exposes `macros.register` for the hand-written pages. Modules:

- `load`: which bundle (`$KNOLLM_SITE_BUNDLE`, default `dist/catalog.json`), read once through the runtime;
- `views`: which pages exist and what they list (family pages only for families worth one);
- `analysis`, `matrices`: the numbers of the overview, capability, pricing and comparison pages;
- `library_pages`: the Libraries section (library pages, comparison, the runtime's recommendations, compatibility);
- `escape`, `fmt`, `page_render`: untrusted text made inert, and the jinja2 templates of `site_templates/`;
- `snippets`, `clidoc`, `schemadoc`, `configdoc`: provider call snippets, the CLI reference, the bundle format
  reference, the configuration file reference;
- `explorer_data`: the explorer's compact data (two parts);
- `change_pages`: the "What changed" page, its Atom feed, family price charts and source freshness;
- `pages`: all of it as a list of files.
"""

from __future__ import annotations

import os
from pathlib import Path

from .load import bundle_path, load_catalog
from .page_render import TEMPLATES
from .pages import ASSETS, GeneratedFile, generate
from .views import SiteData, build_site_data

__all__ = ["GeneratedFile", "SiteData", "bundle_path", "load_site", "site_files"]

_sites: list[SiteData] = []


def load_site(bundle: str | os.PathLike[str] | None = None) -> SiteData:
    """The site's view of the bundle (`bundle`, else `$KNOLLM_SITE_BUNDLE`, else `dist/catalog.json`).

    Computed once per loaded catalog: the page generator and the macros of one build share it.
    """
    catalog = load_catalog(bundle_path(bundle))
    if not _sites or _sites[0].catalog is not catalog:
        _sites[:] = [build_site_data(catalog)]
    return _sites[0]


def site_files(bundle: str | os.PathLike[str] | None = None, templates: Path = TEMPLATES,
               assets: Path = ASSETS) -> list[GeneratedFile]:
    """Every generated file of the site: pages, the bundle and its schema under `api/v1/`, the assets."""
    return generate(load_site(bundle), bundle_path(bundle), templates, assets)
