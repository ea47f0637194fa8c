"""MkDocs hooks: keep the site-search index to prose and names.

Tables (offer lists, price and capability grids) make most of a catalog page's text but make poor search
snippets (a flattened row of numbers) and most of the index's weight, which every page downloads. Marking
each table `data-search-exclude` (Material's search plugin skips such elements) leaves headings, names and
prose indexed; the explorer is the place to search models by their fields.

The generated catalog pages (one per family and per provider, thousands of them) repeat the same explanations
and code snippets under their second-level headings; only their first section is indexed: the name, the
provider's notes or the family's description, and the provider's facts.

On a terminal, a progress bar counts the rendered pages (`knollm.progress`; nothing is drawn when piped).
"""

from __future__ import annotations

import re
from typing import Any

from knollm.progress import Bar, progress_bar

_TABLE = re.compile(r"<table(?=[\s>])")
_SUBHEADING = re.compile(r"<h([2-6])(?=[\s>])")
NAMES_ONLY = ("families/", "providers/")
"""Docs folders of generated catalog pages (see gen_pages.py), indexed by their first section only."""


def on_page_content(html: str, page: Any, **_: Any) -> str:
    """Runs before the search plugin indexes the page (it reads the page in `on_page_context`)."""
    html = _TABLE.sub("<table data-search-exclude", html)
    if page.file.src_uri.startswith(NAMES_ONLY):
        html = _SUBHEADING.sub(r"<h\1 data-search-exclude", html)
    return html


# -- a progress bar over the rendered pages, on a terminal only (knollm.progress draws nothing when piped) -------

_bar: Bar = Bar()


def on_files(files: Any, **_: Any) -> Any:
    """Runs after gen-files added the generated pages, so the total counts them."""
    global _bar
    _bar.close()  # `mkdocs serve` rebuilds: a bar left by a failed build is finished first
    _bar = progress_bar("site", sum(1 for file in files if file.is_documentation_page()))
    return files


def on_post_page(output: str, page: Any, **_: Any) -> str:
    _bar.advance(description=page.file.src_uri)
    return output


def on_post_build(**_: Any) -> None:
    global _bar
    _bar.close()
    _bar = Bar()


def on_build_error(**_: Any) -> None:
    on_post_build()
