"""Rendering Markdown pages from the jinja2 templates in `site_templates/`.

Autoescaping is off (the output is Markdown, not HTML), but the environment's `finalize` hook escapes every
value a template prints with `escape_md`, unless it is already `Markup`: the safe Markdown made by the filters
here (`link`, `code`, `money`, ...). A template that forgets a filter therefore prints inert text, never
Markdown or HTML from the catalog.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import escape, fmt
from .clidoc import fence
from .load import REPO_ROOT
from .provider_facts import fetch_status

TEMPLATES = REPO_ROOT / "site_templates"


def _safe(function: Callable[..., str]) -> Callable[..., Markup]:
    def wrapper(*args: Any, **kwargs: Any) -> Markup:
        return Markup(function(*args, **kwargs))

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def finalize(value: object) -> str:
    """Print hook: `Markup` as is, anything else escaped (`None` prints as an empty string)."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return escape.escape_md(value)


def _money_pair(input_price: Decimal | None, output_price: Decimal | None) -> str:
    if input_price is None and output_price is None:
        return escape.EMPTY_CELL
    return f"{fmt.money(input_price)} / {fmt.money(output_price)}"


FILTERS: dict[str, Callable[..., Markup]] = {
    "md": _safe(escape.escape_md),
    "prose": _safe(escape.escape_md_spans),
    "cell": _safe(escape.md_cell),
    "code": _safe(escape.md_code),
    "money": _safe(fmt.money),
    "flagmark": _safe(fmt.flag_mark),
    "prices": _safe(_money_pair),
    "other_prices": _safe(fmt.other_prices),
    "num": _safe(fmt.count),
    "yesno": _safe(fmt.yes_no),
    "html_text": _safe(escape.html_text),
    "docs": _safe(escape.trusted_md),
    "pyrepr": _safe(lambda value: repr(str(value))),
    "verbatim": _safe(str),
    "codeblock": _safe(escape.code_text),
    "shquote": _safe(lambda value: shlex.quote(escape.collapse(value))),
    "urlencode": _safe(escape.url_component),
}
"""`pyrepr`, `shquote`, `verbatim` and `codeblock` are for the inside of fenced code blocks only, where Markdown
shows text literally. `prose` is `md` with pairs of backticks shown as code. `urlencode` replaces jinja2's own,
whose plain-text result the escaping `finalize` would spoil ("_" and "~" became entities inside link targets)."""


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The jinja2 environment for `.md.j2` templates (strict undefined, escaping `finalize`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=False,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(
        link=_safe(escape.md_link),
        front_matter=_safe(escape.front_matter),
        fence=_safe(fence),
        percent=_safe(fmt.percent),
        heading=_safe(lambda level: "#" * int(level)),
        listing_status=fetch_status,
    )
    return env


class Renderer:
    """Renders one template per page; `page_link` builds links relative to the page being rendered."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.env = environment(templates)

    def render(self, template: str, here: str, **context: Any) -> str:
        """The Markdown of the page at docs path `here` from `template`."""

        def page_link(label: object, target: str | None) -> Markup:
            """`[label](relative path)` to another docs page; just the label when `target` is None."""
            text = escape.escape_md(label) or escape.EMPTY_CELL
            return Markup(text if target is None else f"[{text}]({fmt.rel(here, target)})")

        def href(target: str) -> Markup:
            """The relative path from this page to `target` (a docs path, optionally with `#anchor`)."""
            return Markup(fmt.rel(here, target))

        return self.env.get_template(template).render(here=here, page_link=page_link, href=href, **context)
