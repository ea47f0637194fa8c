"""A real `mkdocs build --strict` of the site from the hostile fixture bundle: links clean, text inert.

Strict mode fails the build on any broken link, missing page, unknown anchor or nav entry; the HTML is then
parsed to prove that no catalog string became a live element or attribute.
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "site" / "bundle.json"


class Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text inside each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


@pytest.fixture(scope="module")
def site(fixture_site_build: tuple[Path, str]) -> Path:
    out, stderr = fixture_site_build
    assert "WARNING" not in stderr, stderr[-5000:]
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_expected_page_is_built(site: Path) -> None:
    for path in ("index.html", "getting-started/quickstart/index.html", "providers/index.html",
                 "providers/compare/index.html", "providers/acme/index.html", "families/acme-large/index.html",
                 "families/evil-family/index.html", "models/pricing/index.html", "models/capabilities/index.html",
                 "models/families/index.html", "guides/troubleshooting/index.html", "reference/cli/index.html",
                 "reference/bundle/index.html", "reference/api/catalog/index.html", "sitemap.xml",
                 "search/search_index.json", "assets/site/knollm.css", "libraries/index.html",
                 "libraries/compare/index.html", "libraries/recommendations/index.html",
                 "libraries/compatibility/index.html", "libraries/acme-sdk/index.html", "libraries/evil-lib/index.html",
                 "libraries/httpx/index.html", "libraries/tok/index.html", "assets/site/library-filter.js"):
        assert (site / path).is_file(), path
    assert (site / "api/v1/catalog.json").read_bytes() == FIXTURE.read_bytes()
    json.loads((site / "api/v1/catalog.schema.json").read_text(encoding="utf-8"))


def test_no_catalog_text_becomes_a_live_element(site: Path) -> None:
    for page in pages(site):
        parser = Elements()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attrs in parser.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), f"{page}: <{tag} {name}={value!r}>"
                if name in ("href", "src") and value:
                    assert not value.strip().lower().startswith(("javascript:", "data:")), f"{page}: {value}"
        for script in parser.scripts:
            assert "alert(" not in script, f"{page}: live script {script[:80]!r}"


def test_hostile_text_is_shown_as_text(site: Path) -> None:
    acme = (site / "providers/acme/index.html").read_text(encoding="utf-8")
    assert "<title>Acme &lt;script&gt;alert(1)&lt;/script&gt; - Knollm</title>" in acme
    assert "Evil &lt;img src=x onerror=alert(1)&gt; notes with &#42;stars&#42;" in acme
    assert "&#123;&#123; 7&#42;7 &#125;&#125;" in acme  # not evaluated by the macros plugin
    assert "49" not in acme.split("&#123;&#123; 7&#42;7")[1][:40]
    evil = (site / "families/evil-family/index.html").read_text(encoding="utf-8")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; - Knollm</title>" in evil
    assert 'content="&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in evil  # og:title
    index = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "<img src" not in index


def test_hostile_library_text_is_shown_as_text(site: Path) -> None:
    evil = (site / "libraries/evil-lib/index.html").read_text(encoding="utf-8")
    assert "<title>Evil &lt;script&gt;alert(1)&lt;/script&gt; Lib - Knollm</title>" in evil
    assert '<h1 id="evil-scriptalert1script-lib">Evil &lt;script&gt;alert(1)&lt;/script&gt; Lib<' in evil
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt; is a pro</li>" in evil
    assert "<li>&lt;img src=x onerror=alert(1)&gt; too</li>" in evil
    assert "<li>&#91;click&#93;(javascript:alert(1))</li>" in evil
    assert "&#123;&#123; 7&#42;7 &#125;&#125; &#123;% raw %&#125;" in evil  # not evaluated by the macros plugin
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in evil  # the example, as code text
    assert "<td>&lt;b&gt;MIT&lt;/b&gt;</td>" in evil
    for path in ("libraries/index.html", "libraries/compare/index.html", "libraries/recommendations/index.html",
                 "libraries/compatibility/index.html", "providers/acme/index.html"):
        page = (site / path).read_text(encoding="utf-8")
        assert ">Evil &lt;script&gt;alert(1)&lt;/script&gt; Lib</a>" in page, path
    compare = (site / "libraries/compare/index.html").read_text(encoding="utf-8")
    assert '<script src="../../assets/site/library-filter.js"></script>' in compare
    assert '<div class="knollm-filter" data-filter-category="category"' in compare
    assert "<th>structured output</th>" in compare  # the table is complete HTML without the script


def test_libraries_tab_sits_between_models_and_guides(site: Path) -> None:
    page = (site / "libraries/index.html").read_text(encoding="utf-8")
    tabs = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', page)
    assert tabs.index("Libraries") == tabs.index("Models") + 1 == tabs.index("Guides") - 1, tabs
    for label in ("Comparison", "Recommendations", "Compatibility", "HTTPX"):
        assert f">{label}<" in page or f"{label}\n" in page, label


def test_edit_links_point_at_the_catalog_sources(site: Path) -> None:
    acme = (site / "providers/acme/index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/knollm/knollm/edit/main/catalog/providers/acme.toml"' in acme
    routr = (site / "providers/routr/index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/knollm/knollm/new/main/catalog/providers?filename=routr.toml"' in routr
    family = (site / "families/acme-large/index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/knollm/knollm/edit/main/catalog/families/rules.toml"' in family
    guide = (site / "guides/troubleshooting/index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/knollm/knollm/edit/main/src_docs/md/guides/troubleshooting.md"' in guide
    for library in ("acme-sdk", "evil-lib", "httpx", "tok"):
        page = (site / f"libraries/{library}/index.html").read_text(encoding="utf-8")
        assert f'href="https://github.com/knollm/knollm/edit/main/catalog/libraries/{library}.toml"' in page


def test_metadata_and_live_numbers(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="An open catalog of LLM providers' in home
    assert '<meta property="og:title" content="Knollm">' in home
    assert "<strong>3</strong> providers" in home and "<strong>13</strong> models" in home
    assert "Data date (the newest source data in this build): <strong>2025-09-02</strong>" in home
    assert "fonts.googleapis.com" not in home
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://knollm.github.io/knollm/families/acme-large/" in sitemap
    api = (site / "reference/api/catalog/index.html").read_text(encoding="utf-8")
    assert 'id="knollm.Catalog.estimate_cost"' in api and "Load a bundle" in api


def test_data_quality_page_shows_source_ages_and_agreement(site: Path) -> None:
    text = re.sub(r"<[^>]+>", " ", (site / "models/data-quality/index.html").read_text(encoding="utf-8"))
    text = " ".join(html.unescape(text).split())
    assert "models_hostco.json 2025-08-01 32 days" in text  # aged from the as-of date 2025-09-02
    assert "acme 3 6 6 100.0%" in text and "<img src=x onerror=alert(1)> 1 2 1 50.0%" in text
    assert text.index("<img src=x") < text.index("acme 3 6 6")  # least agreeing first
    assert "won by the newer declaration 2" in text
    assert "models_acme.json pricing per_token peers 4 0.000001 → 1" in text
    assert "flags 1 models (1 prices)" in text and "acme/<b>bold</b> input_per_mtok 30 2 3 15x" in text


def test_no_table_leaks_into_a_paragraph(site: Path) -> None:
    """A template line that swallows the blank line before a table renders the table as text."""
    for page in pages(site):
        for paragraph in re.findall(r"<p>(.*?)</p>", page.read_text(encoding="utf-8"), re.S):
            assert "| --- |" not in paragraph and "| ---: |" not in paragraph, page
