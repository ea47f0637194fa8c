"""The Libraries section of the site, generated from the hostile site fixture and from the committed library data
(no mkdocs here; `test_site_build` builds the site, `test_site_library_filter` drives the filter in a browser).

The recommendations must be the runtime's own `LibraryGuide.recommend()` ranking and the compatibility matrix the
bundle's derived data, so both are compared cell by cell with what the runtime and the bundle say.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import knollm
from knollm.libraries import FEATURES, USE_CASES, LibraryGuide
from knollm_site import GeneratedFile, site_files
from knollm_site import library_pages as site_libraries
from knollm_site.escape import escape_md, escape_md_spans
from knollm_site.pages import PageBuilder
from knollm_site.views import SiteData, build_site_data

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "site" / "bundle.json"
SECTION = ("libraries/index.md", "libraries/compare.md", "libraries/recommendations.md", "libraries/compatibility.md")
LINK = re.compile(r"\[[^\]]*\]\(([^)#]+)(?:#[^)]*)?\)")


@pytest.fixture(scope="module")
def catalog() -> knollm.Catalog:
    return knollm.Catalog.load(FIXTURE)


@pytest.fixture(scope="module")
def files() -> dict[str, GeneratedFile]:
    return {f.path: f for f in site_files(FIXTURE)}


@pytest.fixture(scope="module")
def guide(catalog: knollm.Catalog) -> LibraryGuide:
    return LibraryGuide.from_catalog(catalog)


@pytest.fixture(scope="module")
def site(catalog: knollm.Catalog) -> SiteData:
    return build_site_data(catalog)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteData, dict[str, str], list[dict[str, object]]]:
    """The committed catalog (library data included) compiled without snapshots: its site data, its generated
    Libraries pages, and the raw library records of the bundle."""
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    raw = bundle_bytes(compile_catalog(ROOT / "catalog", None).bundle)
    bundle = tmp_path_factory.mktemp("real-libraries") / "catalog.json"
    bundle.write_bytes(raw)
    site = build_site_data(knollm.Catalog.load(bundle))
    pages = {f.path: f.data.decode() for f in PageBuilder(site).library_pages()}
    return site, pages, list(json.loads(raw).get("libraries") or [])


def text(files: dict[str, GeneratedFile], path: str) -> str:
    return files[path].data.decode()


def section(page: str, anchor: str) -> str:
    """The part of `page` under the heading with `{ #anchor }`, up to the next heading of the same level."""
    match = re.search(rf"^(#+) .* \{{ #{re.escape(anchor)} \}}$", page, re.M)
    assert match, anchor
    level = match.group(1)
    rest = page[match.end():]
    end = re.search(rf"^{level} ", rest, re.M)
    return rest[: end.start()] if end else rest


def linked_libraries(site: SiteData, markdown: str, here: str = "libraries/x.md") -> list[str]:
    """The library ids linked from `markdown` (a part of a page under libraries/), in order."""
    by_path = {page.path: page.library.id for page in site.libraries.pages}
    found = []
    for target in LINK.findall(markdown):
        path = str(Path(here).parent / target) if not target.startswith("..") else None
        if path in by_path:
            found.append(by_path[path])
    return found


def tables(markdown: str) -> list[list[list[str]]]:
    """Every Markdown table of `markdown` as rows of cells (header first, the delimiter row dropped)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def provider_of(site: SiteData, cell: str) -> str:
    (target,) = LINK.findall(cell)
    path = target.removeprefix("../")
    return next(p.provider.id for p in site.providers if p.path == path)


# -- pages ---------------------------------------------------------------------------------------------------------


def test_every_library_gets_a_page(files: dict[str, GeneratedFile], guide: LibraryGuide, site: SiteData) -> None:
    assert len(guide) == 4
    pages = sorted(p for p in files if p.startswith("libraries/") and p not in SECTION)
    assert pages == sorted(site.libraries.path(lib.id) for lib in guide)
    for path in SECTION:
        assert path in files, path
    for lib in guide:
        path = site.libraries.path(lib.id)
        page = text(files, path)
        assert files[path].edit_path == f"../../catalog/libraries/{lib.id}.toml"
        assert f"\nknollm libraries show {lib.id}\n" in page
        assert f"# {escape_md(lib.name)}\n" in page
        for where in ("libraries/index.md", "libraries/compare.md", "libraries/compatibility.md"):
            assert lib.id in linked_libraries(site, text(files, where)), (lib.id, where)
    assert files["libraries/compare.md"].edit_path == "../../site_templates/libraries_compare.md.j2"


def test_overview_names_criteria_categories_and_that_judgement_is_ours(files: dict[str, GeneratedFile],
                                                                       site: SiteData) -> None:
    page = text(files, "libraries/index.md")
    assert "**our opinion**" in page and "## How we rate { #ratings }" in page
    for name in ("api design", "docs", "maintenance", "performance", "flexibility", "reach", "lightness"):
        assert f"\n| {name} | " in page, name
    for category, (title, _) in site_libraries.CATEGORY_DOCS.items():
        assert f"### {title} {{ #{category} }}" in page
    assert linked_libraries(site, section(page, "framework")) == ["evil-lib"]
    assert linked_libraries(site, section(page, "tool")) == ["tok"]
    assert "None in this bundle." in section(page, "unified-client")


def test_library_page_shows_facts_judgement_coverage_and_example(files: dict[str, GeneratedFile],
                                                                guide: LibraryGuide) -> None:
    lib = guide.get("acme-sdk")
    page = text(files, "libraries/acme-sdk.md")
    assert "```sh\npip install acme-sdk\n```" in page
    assert "| PyPI | [acme-sdk](https://pypi.org/project/acme-sdk/) |" in page
    assert "| latest version | <code>3.1.0</code> |" in page and "| released | 2026-11-20 |" in page
    assert "| license | Apache-2.0 |" in page and "| Python | &gt;=3.10; classifiers 3.10–3.13 |" in page
    assert "| dependencies | 6 direct, 13 installed |" in page and "| installed size | 19.1 MB with" in page
    assert "| tools | yes | [documentation](https://sdk.acme.example/docs/tools) |" in page
    assert "**native** (1): [Acme &lt;script&gt;alert(1)&lt;/script&gt;](../providers/acme.md)." in page
    assert "**OpenAI-compatible** (2): [HostCo](../providers/hostco.md), [Routr](../providers/routr.md)." in page
    assert "## Our judgement" in page and "**our opinion**" in page
    assert "| api design | 5 |" in page and "| mean | 4.6 |" in page
    for item in (*lib.judgement.pros, *lib.judgement.cons):
        assert f"\n- {escape_md_spans(item)}\n" in page
    assert "[simple-calls](recommendations.md#simple-calls) 1 of 3" in page
    assert f"```python\n{lib.judgement.example.strip()}\n```" in page
    httpx = text(files, "libraries/httpx.md")
    assert "**HTTP** (3):" in httpx and "| released | 2024-12-06 |" in httpx
    tok = text(files, "libraries/tok.md")
    assert "It reaches none of the catalog's providers" in tok and "Its places" not in tok


def test_hostile_library_is_inert_text(files: dict[str, GeneratedFile]) -> None:
    page = text(files, "libraries/evil-lib.md")
    assert 'title: "Evil &lt;script&gt;alert(1)&lt;/script&gt; Lib"' in page
    assert "- &lt;script&gt;alert(1)&lt;/script&gt; is a pro" in page
    assert "- &lt;img src=x onerror=alert(1)&gt; too" in page
    assert "- &#35; not a heading" in page
    assert "- &#91;click&#93;(javascript:alert(1))" in page
    assert "&#123;&#123; 7&#42;7 &#125;&#125; &#123;% raw %&#125;" in page
    assert "| documentation | javascript:alert(1) |" in page  # shown, not linked
    assert "| tools | yes | documentation |" in page
    assert "](javascript:" not in page and "\n!!! " not in page and "\n::: " not in page
    assert "pip install 'evil-lib[<script>]' 'x; rm -rf ~'\n" in page  # shell-quoted, inside a code block
    example = re.search(r"^(`{4,})python\n(.*?)^\1$", page, re.S | re.M)
    assert example and "```` try to close the fence" in example.group(2)
    assert "</code></pre><script>alert(1)</script>" in example.group(2)  # literal text of a code block
    compare = text(files, "libraries/compare.md")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;; classifiers 3.12–&lt;img src=x onerror=alert(1)&gt;" in compare


def test_recommendations_are_the_runtime_ranking(files: dict[str, GeneratedFile], guide: LibraryGuide,
                                                 site: SiteData) -> None:
    page = text(files, "libraries/recommendations.md")
    for use_case in USE_CASES:
        ranking = guide.recommend(use_case)
        part = section(page, use_case)
        assert linked_libraries(site, part, "libraries/recommendations.md") == [r.library for r in ranking]
        for rec in ranking[: site_libraries.TOP]:
            assert f"{rec.rank}. **[" in part and f"score {rec.score:.2f}" in part
            for reason in rec.reasons:
                assert f"\n    - {escape_md(reason)}\n" in part
        assert f"knollm libraries recommend --use-case {use_case} --limit 0" in part
    assert "tok" not in linked_libraries(site, page, "libraries/recommendations.md")  # reaches no provider


def test_recommendations_beyond_the_top_are_listed_in_order(catalog: knollm.Catalog,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_libraries, "TOP", 1)
    site = build_site_data(catalog)
    page = next(f for f in PageBuilder(site).library_pages() if f.path == "libraries/recommendations.md")
    part = section(page.data.decode(), "simple-calls")
    ranking = site.libraries.guide.recommend("simple-calls")
    assert linked_libraries(site, part, "libraries/recommendations.md") == [r.library for r in ranking]
    rest = next(line for line in part.splitlines() if line.startswith("Then, in order: "))
    assert rest.startswith("Then, in order: 2. [") and "(2.89)" in rest
    assert part.count("\n    - ") == len(ranking[0].reasons)


def test_compatibility_matrix_is_the_bundles_derived_data(files: dict[str, GeneratedFile], guide: LibraryGuide,
                                                          site: SiteData) -> None:
    check_compatibility(site, text(files, "libraries/compatibility.md"),
                        json.loads(FIXTURE.read_text(encoding="utf-8")).get("libraries") or [])
    assert guide.compatibility_matrix()["httpx"] == {"acme": "http", "hostco": "http", "routr": "http"}


def check_compatibility(site: SiteData, page: str, records: list[dict[str, object]]) -> None:
    """Every cell of the per-category matrices and the summary agrees with the bundle's `compatibility`."""
    expected = {str(r["id"]): dict(r.get("compatibility") or {}) for r in records}  # type: ignore[call-overload]
    assert expected == site.libraries.guide.compatibility_matrix()
    cells = {v: k for k, v in site_libraries.REACH_CELLS.items()}
    found: dict[str, dict[str, str]] = {lib: {} for lib in expected}
    for table in tables(page.split("\n## By category\n", 1)[1]):
        header, *rows = table
        columns = [linked_libraries(site, cell)[0] for cell in header[1:]]
        for row in rows:
            provider = provider_of(site, row[0])
            for library, cell in zip(columns, row[1:], strict=True):
                if cell != "—":
                    found[library][provider] = cells[cell]
    assert found == expected
    summary = tables(page.split("\n## Summary\n", 1)[1].split("\n## ", 1)[0])[0]
    for row in summary[1:]:
        (library,) = linked_libraries(site, row[0])
        reach = expected[library]
        counts = [sum(1 for how in reach.values() if how == h) for h in site_libraries.REACH_LABELS]
        assert row[2:6] == [f"{n:,}" for n in (*counts, len(reach))], library
    unreached = [lib for lib, reach in expected.items() if not reach]
    for library in unreached:
        assert f"]({site.libraries.path(library).removeprefix('libraries/')}): no provider" in page


def test_comparison_table_and_its_filter(files: dict[str, GeneratedFile], guide: LibraryGuide,
                                         site: SiteData) -> None:
    page = text(files, "libraries/compare.md")
    labels = [site_libraries.FEATURE_LABELS[f] for f in FEATURES]
    assert (f'<div class="knollm-filter" data-filter-category="category" data-filter-features="{",".join(labels)}"'
            in page)
    assert '<script src="../../assets/site/library-filter.js"></script>' in page
    (table,) = tables(page)
    header, *rows = table
    assert header[:2] == ["library", "category"] and header[2:8] == labels
    for key in ("Python", "license", "latest version", "released", "dependencies", "size"):
        assert key in header
    assert [linked_libraries(site, row[0])[0] for row in rows] == [lib.id for lib in guide]
    for row, lib in zip(rows, guide, strict=True):
        assert row[1] == lib.category
        assert row[2:8] == ["yes" if lib.supports(f) else "no" for f in FEATURES]
    script = files["assets/site/library-filter.js"].data.decode()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert banned not in script, banned
    assert ".hidden = " in script and ".textContent" in script


def test_provider_pages_list_the_libraries_that_reach_them(files: dict[str, GeneratedFile]) -> None:
    acme = text(files, "providers/acme.md")
    part = acme.split("\n## Python libraries\n", 1)[1].split("\n## ", 1)[0]
    assert "- natively: [Acme SDK](../libraries/acme-sdk.md)\n" in part
    assert "- through an OpenAI-compatible client: [Evil &lt;script&gt;alert(1)&lt;/script&gt; Lib]" in part
    assert "- over raw HTTP: [HTTPX](../libraries/httpx.md)\n" in part


def test_a_bundle_without_libraries_still_has_the_section_pages(tmp_path: Path) -> None:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document.pop("libraries", None)
    bundle = tmp_path / "catalog.json"
    bundle.write_text(json.dumps(document), encoding="utf-8")
    found = {f.path: f.data.decode() for f in site_files(bundle) if not f.path.endswith((".gz", ".br"))}
    assert [p for p in found if p.startswith("libraries/")] == list(SECTION)
    assert "carries no library data" in found["libraries/compare.md"]
    assert "## Python libraries" not in found["providers/acme.md"]


def test_omitted_null_fields_change_nothing(files: dict[str, GeneratedFile], tmp_path: Path) -> None:
    """A bundle that leaves out null library fields (instead of writing `null`) renders the same pages."""

    def without_nulls(value: object) -> object:
        if isinstance(value, dict):
            return {k: without_nulls(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [without_nulls(v) for v in value]
        return value

    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document["libraries"] = without_nulls(document["libraries"])
    assert "release_date" not in document["libraries"][1]["package"]  # evil-lib has only a release month
    bundle = tmp_path / "catalog.json"
    bundle.write_text(json.dumps(document), encoding="utf-8")
    for generated in site_files(bundle):
        if generated.path.startswith("libraries/"):
            assert generated.data == files[generated.path].data, generated.path


# -- the committed library data ------------------------------------------------------------------------------------


def test_real_library_data_pages(real: tuple[SiteData, dict[str, str], list[dict[str, object]]]) -> None:
    site, pages, records = real
    guide = site.libraries.guide
    assert len(guide) >= 20 and len(pages) == len(guide) + len(SECTION)
    for lib in guide:
        assert site.libraries.path(lib.id) == f"libraries/{lib.id}.md"
    recommendations = pages["libraries/recommendations.md"]
    for use_case in USE_CASES:
        ranking = guide.recommend(use_case)
        assert len(ranking) > site_libraries.TOP
        part = section(recommendations, use_case)
        assert linked_libraries(site, part, "libraries/recommendations.md") == [r.library for r in ranking]
    check_compatibility(site, pages["libraries/compatibility.md"], records)
