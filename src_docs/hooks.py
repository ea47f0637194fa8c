"""MkDocs hooks: keep the site-search index to prose and names.

Tables (offer lists, price and capability grids) make most of a catalog page's text but make poor search
snippets (a flattened row of numbers) and most of the index's weight, which every page downloads. Marking
each table `data-search-exclude` (Material's search plugin skips such elements) leaves headings, names and
prose indexed; the explorer is the place to search models by their fields.
"""

from __future__ import annotations

import re
from typing import Any

_TABLE = re.compile(r"<table(?=[\s>])")


def on_page_content(html: str, **_: Any) -> str:
    """Runs before the search plugin indexes the page (it reads the page in `on_page_context`)."""
    return _TABLE.sub("<table data-search-exclude", html)
