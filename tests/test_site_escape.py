"""The escaping helpers of the site generator: untrusted catalog text must come out inert."""

from __future__ import annotations

import html
from decimal import Decimal

import markdown
import pytest
from markupsafe import Markup

from knollm_site.clidoc import fence
from knollm_site.escape import (
    EMPTY_CELL,
    code_text,
    collapse,
    escape_md,
    escape_md_spans,
    front_matter,
    html_text,
    md_cell,
    md_code,
    md_link,
    safe_url,
    trusted_md,
    yaml_str,
)
from knollm_site.fmt import money, rel, slug
from knollm_site.page_render import environment, finalize

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    "*bold* _em_ **strong** `code` ~~del~~",
    "| a | b |",
    "# heading",
    "- item",
    "1. item",
    "!!! note",
    "::: os.system",
    "{{ 7*7 }} {% raw %}",
    "{: .class onclick=alert(1) }",
    "line one\n\n    indented code\n---",
    "&lt;already escaped&gt; &amp;",
    "a\\*b",
    "<http://autolink.example>",
]
MD = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html", "admonition", "toc"])


def render(text: str) -> str:
    MD.reset()
    return MD.convert(text)


def visible(rendered: str) -> str:
    """The text a browser shows for a single paragraph of rendered HTML."""
    assert rendered.startswith("<p>") and rendered.endswith("</p>"), rendered
    inner = rendered[3:-4]
    assert "<" not in inner, f"markup leaked: {rendered}"
    return html.unescape(inner)


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_exactly_the_text(text: str) -> None:
    assert visible(render("x " + escape_md(text))) == "x " + collapse(text)
    assert visible(render(escape_md(text))) == collapse(text)  # at the start of a block too


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_in_a_table_cell_stays_in_its_cell(text: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {md_cell(text)} | after |\n"
    out = render(table)
    assert out.count("<td>") == 2 and "<td>after</td>" in out
    cell = out.split("<td>")[1].split("</td>")[0]
    assert "<" not in cell and html.unescape(cell) == collapse(text)


@pytest.mark.parametrize("text", [*HOSTILE, "through `extra_body` <b>", "`<script>alert(1)</script>` x",
                                  "# `x`", "1. `x`", "`a` `b` `c", "`[x](javascript:alert(1))`"])
def test_code_spans_render_as_code_and_the_rest_as_text(text: str) -> None:
    for context in ("x ", ""):
        out = render(context + escape_md_spans(text))
        assert out.startswith("<p>") and out.endswith("</p>"), out
        inner = out[3:-4].replace("<code>", "").replace("</code>", "")
        assert "<" not in inner, f"markup leaked: {out}"
        expected = collapse(text)
        if expected.count("`") >= 2 and expected.count("`") % 2 == 0:
            expected = expected.replace("`", "")
            assert "<code>" in out
        assert html.unescape(inner) == context + expected
    table = render(f"| a | b |\n| --- | --- |\n| {escape_md_spans(text)} | after |\n")
    assert table.count("<td>") == 2 and "<td>after</td>" in table


def test_code_text_keeps_lines_and_drops_controls() -> None:
    assert code_text("a\r\nb\rc\x1b[31m\td  \n\n\n") == "a\nb\nc[31m\td"
    example = "print('```')\n````\n"
    body = code_text(example)
    fenced = f"{fence(body)}python\n{body}\n{fence(body)}\n"
    out = markdown.markdown(fenced, extensions=["pymdownx.superfences"])
    assert out.count("<pre") == 1 and "````</span>" in out and out.endswith("</code></pre></div>")


def test_escape_covers_the_markdown_and_html_specials() -> None:
    escaped = escape_md("a<b>&\"`*_[]|{}~^$\\")
    for char in "<>&\"`*_[]|{}~^$\\":
        assert char not in escaped.replace("&#", "").replace("&lt;", "").replace("&gt;", "").replace(
            "&amp;", "").replace("&quot;", "").replace(";", "")
    assert escape_md("line\nbreak\r\n\ttab") == "line break tab"
    assert escape_md(None) == "None"
    assert escape_md("   ") == ""


def test_ordered_list_and_block_starts_are_neutralised() -> None:
    assert escape_md("2024. was a year").startswith("2024&#46;")
    assert escape_md("# x").startswith("&#35;")
    assert escape_md("- x").startswith("&#45;")
    assert escape_md("0.5 USD") == "0.5 USD"


def test_cells_and_code() -> None:
    assert md_cell(None) == EMPTY_CELL
    assert md_cell("") == EMPTY_CELL
    assert md_cell("a|b") == "a&#124;b"
    assert md_code("x`y") == "<code>x&#96;y</code>"
    assert visible(render(md_code("<b>id</b>")).replace("<code>", "").replace("</code>", "")) == "<b>id</b>"


def test_urls_only_http_and_cannot_break_out() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,<script>") is None
    assert safe_url("/relative") is None
    assert safe_url(None) is None
    assert safe_url('https://x.example/a b")<x>') == "https://x.example/a%20b%22%29%3Cx%3E"
    assert md_link("docs", "javascript:alert(1)") == "docs"
    assert md_link("<b>", "https://x.example") == "[&lt;b&gt;](https://x.example)"
    out = render(md_link("docs", 'https://x.example/"><script>alert(1)</script>'))
    assert "<script" not in out and 'href="https://x.example/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E"' in out


def test_front_matter_is_yaml_with_html_escaped_strings() -> None:
    import yaml

    text = front_matter(title="</title><script>alert(1)</script>", description='say "hi" \\ é 😀', hide=["navigation"])
    data = yaml.safe_load(text.strip().strip("-"))
    assert data["title"] == "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert data["description"] == "say &quot;hi&quot; \\ é 😀"
    assert data["hide"] == ["navigation"]
    assert text.isascii()
    with pytest.raises(ValueError):
        front_matter(hide=["x]: y"])
    assert yaml.safe_load(yaml_str("a\nb")) == "a b"
    assert html_text("<a href='x'>") == "&lt;a href=&#x27;x&#x27;&gt;"


def test_trusted_docstrings_keep_code_spans_and_escape_the_rest() -> None:
    assert trusted_md("see `a|b` <x> | c") == "see `a|b` &lt;x&gt; &#124; c"


def test_finalize_escapes_everything_but_markup() -> None:
    assert finalize("<b>") == "&lt;b&gt;"
    assert finalize(Markup("<b>")) == "<b>"
    assert finalize(None) == ""
    env = environment()
    template = env.from_string("{{ name }} | {{ name|code }} | {{ price|money }} | {{ none_value }}")
    out = template.render(name="<script>x</script>", price=Decimal("2.5"), none_value=None)
    assert out == "&lt;script&gt;x&lt;/script&gt; | <code>&lt;script&gt;x&lt;/script&gt;</code> | $2.50 | "


def test_formatting_helpers() -> None:
    assert money(None) == EMPTY_CELL
    assert money(Decimal(0)) == "$0"
    assert money(Decimal("0.0375")) == "$0.0375"
    assert money(Decimal("1500")) == "$1,500.00"
    assert money(Decimal("1E+1")) == "$10.00"
    taken: set[str] = set()
    assert slug("Llama 3.1/70B", taken) == "llama-3.1-70b"
    assert slug("llama 3.1 70b", taken) == "llama-3.1-70b-2"
    assert slug("<>", taken) == "item"
    assert slug("index", taken, frozenset({"index"})) == "index-2"
    assert rel("providers/a.md", "families/b.md") == "../families/b.md"
    assert rel("index.md", "models/pricing.md#x") == "models/pricing.md#x"
