"""Generated pages from a fixture bundle full of hostile strings (no mkdocs here; see test_site_build)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

import knollm
from knollm_compiler.bundle_records import Bundle
from knollm_site import GeneratedFile, site_files
from knollm_site.clidoc import knollm_commands, walk
from knollm_site.schemadoc import records
from knollm_site.snippets import plain_url, snippets
from knollm_site.views import build_site_data

FIXTURE = Path(__file__).parent / "fixtures" / "site" / "bundle.json"
RAW = ("<script>", "<img", "onerror=alert(1)>", "](javascript:", "{{ 7*7 }}", "{% raw %}")


@pytest.fixture(scope="module")
def files() -> dict[str, GeneratedFile]:
    return {f.path: f for f in site_files(FIXTURE)}


@pytest.fixture(scope="module")
def catalog() -> knollm.Catalog:
    return knollm.Catalog.load(FIXTURE)


def text(files: dict[str, GeneratedFile], path: str) -> str:
    return files[path].data.decode()


def test_fixture_is_a_valid_bundle() -> None:
    Bundle.model_validate(json.loads(FIXTURE.read_text(encoding="utf-8")))


def test_expected_pages_exist(files: dict[str, GeneratedFile]) -> None:
    for path in ("providers/index.md", "providers/compare.md", "providers/acme.md", "providers/hostco.md",
                 "providers/routr.md", "models/index.md", "models/families.md", "models/capabilities.md",
                 "models/pricing.md", "reference/cli.md", "reference/bundle.md", "families/acme-large.md",
                 "families/evil-family.md", "api/v1/catalog.json", "api/v1/catalog.schema.json",
                 "assets/site/knollm.css", "assets/site/library-filter.js", "libraries/index.md",
                 "libraries/compare.md", "libraries/recommendations.md", "libraries/compatibility.md",
                 "libraries/evil-lib.md"):
        assert path in files, path
    assert files["api/v1/catalog.json"].data == FIXTURE.read_bytes()
    assert json.loads(files["api/v1/catalog.schema.json"].data)["title"] == "Knollm catalog bundle"


def test_no_page_carries_raw_hostile_text(files: dict[str, GeneratedFile]) -> None:
    for path, generated in files.items():
        if not path.endswith(".md"):
            continue
        body = generated.data.decode()
        body = re.sub(r"^(```+)[a-z]*\n.*?^\1$", "", body, flags=re.S | re.M)  # code blocks show text literally
        for raw in RAW:
            assert raw not in body, f"{path} carries {raw!r}"


def test_hostile_provider_page(files: dict[str, GeneratedFile]) -> None:
    page = text(files, "providers/acme.md")
    assert 'title: "Acme &lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "# Acme &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Evil &lt;img src=x onerror=alert(1)&gt; notes with &#42;stars&#42;" in page
    assert "&#123;&#123; 7&#42;7 &#125;&#125;" in page
    assert "home page\n:   javascript:alert(1)\n" in page  # shown, not linked
    assert "](https://docs.acme.example/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E)" in page
    assert "<code>&lt;b&gt;bold&lt;/b&gt;</code>" in page
    assert "<summary>Error as recorded</summary><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert "None" not in page and "| fact | value |" not in page
    assert "\n::: " not in page and "\n!!! " not in page and "\n--8<--" not in page


def test_family_pages_highlight_the_cheapest(files: dict[str, GeneratedFile]) -> None:
    page = text(files, "families/llama-4-70b.md")
    rows = [line for line in page.splitlines() if line.startswith("| ") and "/providers/" in line]
    assert rows[0].startswith("| ★ ") and "**$" in rows[0]
    assert sum(row.startswith("| ★") for row in rows) == 1
    evil = text(files, "families/evil-family.md")
    assert 'title: "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in evil
    assert "hide: [navigation]" in evil


def test_edit_paths(files: dict[str, GeneratedFile]) -> None:
    assert files["providers/acme.md"].edit_path == "../../catalog/providers/acme.toml"
    assert files["providers/routr.md"].edit_path == "../../../../new/main/catalog/providers?filename=routr.toml"
    assert files["families/acme-large.md"].edit_path == "../../catalog/families/rules.toml"
    assert files["reference/cli.md"].edit_path == "../../runtime/knollm/cli.py"
    assert files["models/pricing.md"].edit_path == "../../site_templates/pricing.md.j2"
    assert files["libraries/evil-lib.md"].edit_path == "../../catalog/libraries/evil-lib.toml"
    assert files["libraries/recommendations.md"].edit_path == "../../site_templates/libraries_recommendations.md.j2"


def test_family_page_selection_and_provider_cap(catalog: knollm.Catalog) -> None:
    site = build_site_data(catalog, model_cap=2)
    with_pages = {p.family.id for p in site.families}
    for family in catalog.families():
        offers = catalog.offers(family)
        expected = bool(offers) and (family.provider_count >= 2 or any(m.input_price is not None for m in offers))
        assert (family.id in with_pages) is expected
    acme = site.provider_pages["acme"]
    assert acme.capped and len(acme.models) == 2 and acme.total == 5
    assert acme.models[0].featured  # featured first


def test_capped_provider_table_says_so(catalog: knollm.Catalog, tmp_path: Path) -> None:
    from knollm_site.pages import PageBuilder

    builder = PageBuilder(build_site_data(catalog, model_cap=2))
    page = next(f for f in builder.provider_pages() if f.path == "providers/acme.md").data.decode()
    # the rest are one click away: the explorer filtered to this provider, not a JSON file
    assert "a selection of **5**" in page and "See all 5 in the" in page
    assert "(../models/explorer.md?provider=acme)" in page and "catalog.json" not in page.split("## Models")[1]
    assert "(../models/view.md?id=acme/" in page  # every model id links to the model page


def test_cli_reference_covers_every_command_of_the_real_parser(files: dict[str, GeneratedFile]) -> None:
    from knollm.cli import build_parser

    page = text(files, "reference/cli.md")
    names = []

    def collect(parser: argparse.ArgumentParser, prefix: str) -> None:
        names.append(prefix)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    collect(sub, f"{prefix} {name}")

    collect(build_parser(), "knollm")
    assert len(names) > 10
    assert [c.name for c in knollm_commands()] == names
    for name in names:
        assert re.search(rf"^#+ {re.escape(name)}$", page, re.M), name
    for command in knollm_commands():
        assert command.help_text in page
    assert "usage: knollm-build" in page


def test_walk_is_deterministic_in_width() -> None:
    parser = argparse.ArgumentParser(prog="x", description="d")
    parser.add_argument("--option", help="word " * 40)
    (command,) = walk(parser)
    assert max(len(line) for line in command.help_text.splitlines()) <= 100


def test_bundle_format_reference_covers_every_record(files: dict[str, GeneratedFile]) -> None:
    page = text(files, "reference/bundle.md")
    found = records()
    assert {"Bundle", "Provider", "Model", "Pricing", "Family", "Report"} <= {r.name for r in found}
    for record in found:
        assert f"\n## {record.name}\n" in page
        for field in record.fields:
            assert f"<code>{field.name.replace('_', '&#95;')}</code>" in page


def test_snippets_refuse_unsafe_values(catalog: knollm.Catalog) -> None:
    from dataclasses import replace

    acme = catalog.provider("acme")
    model = catalog.get("acme/acme-small")
    good = snippets(acme, model)
    assert good.list_models == 'curl -H "Authorization: Bearer $ACME_API_KEY" https://api.acme.example/v1/models'
    assert good.python is not None and "base_url='https://api.acme.example/v1'" in good.python
    evil = replace(acme, base_url="https://x.example/$(rm -rf ~)'", auth=replace(acme.auth, env_var="X; rm -rf"))
    bad = snippets(evil, model)
    assert bad.list_models is None and bad.python is None
    assert plain_url("https://x.example/a b") is None
    assert plain_url("javascript:alert(1)") is None


def test_macros_variables_and_cheapest(catalog: knollm.Catalog) -> None:
    from types import SimpleNamespace

    from knollm_site.macros import cheapest_text, register, variables

    site = build_site_data(catalog)
    values = variables(site)
    assert values["provider_count"] == "3" and values["model_count"] == "13" and values["data_date"] == "2025-09-02"
    text = cheapest_text(site, "guides/x.md", "tools")
    assert text.startswith("[") and "](../families/" in text and "per million tokens" in text
    assert "<script>" not in cheapest_text(site, "index.md")
    assert cheapest_text(site, "index.md", "computer_use") == "no priced model in this bundle"

    macros: dict[str, object] = {}
    env = SimpleNamespace(variables={}, page=None, macro=lambda f: macros.setdefault(f.__name__, f))
    register(env, site)
    assert env.variables["family_count"] == values["family_count"]
    assert macros["cheapest"]("tools").startswith("[")


def test_pages_show_prices_beyond_tokens_with_units(files: dict[str, GeneratedFile]) -> None:
    page = text(files, "providers/hostco.md")
    row = next(line for line in page.splitlines() if "image-maker" in line)
    assert "image $0.04" in row and "queries $2.00/1K" in row and "image 1024x1024" in row and "$0.08" in row
    assert "<img" not in row  # the source's quality text is escaped
    assert "other prices" in page


def test_pricing_page_ranks_prices_beyond_tokens_by_unit(files: dict[str, GeneratedFile]) -> None:
    page = text(files, "models/pricing.md")
    section = page[page.index("## Prices beyond tokens"):]
    assert "### Images (USD/image)" in section and "hostco/image-maker" in section and "$0.04" in section
    assert "### Rerank and search queries (USD/1K queries)" in section and "$2.00" in section
