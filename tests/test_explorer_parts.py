"""The explorer's published files (format 5): names coded from the id, the head with the default view's first
rows in the browser's default order, family names in the second part, and the Performance page's table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knollm_site.explorer_data import (
    HEAD_ROWS,
    MORE_FILE,
    ROWS_FILE,
    default_order,
    explorer_document,
    head_document,
    published_parts,
    split_document,
)
from knollm_site.performance import NOT_RECORDED, load_results, performance_markdown


def model(model_id: str, provider: str = "p", **fields: Any) -> dict[str, Any]:
    return {"model_id": model_id, "provider": provider, "kind": "chat", **fields}


def bundle(models: list[dict[str, Any]], families: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"providers": [{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}], "families": families or [],
            "models": models}


def test_names_are_coded_when_the_id_says_them() -> None:
    doc = explorer_document(bundle([
        model("org/Alpha-7B", name="Alpha-7B"), model("org/Beta:free", name="Beta"), model("gamma", name="gamma"),
        model("org/delta", name="Delta Chat"), model("org/eps"),
    ]))
    at = doc["fields"].index("name")
    assert [row[at] for row in doc["models"]] == [1, 2, None, "Delta Chat", None]


def test_default_order_and_head() -> None:
    families = [{"id": "solo", "name": "Solo", "provider_count": 1},
                {"id": "wide", "name": "Wide Family", "provider_count": 3}]
    models = [
        model("solo-1", family="solo", pricing={"input_per_mtok": "1", "output_per_mtok": "1"}),
        model("wide-pricey", family="wide", pricing={"input_per_mtok": "5", "output_per_mtok": "5"}),
        model("wide-unknown", family="wide"),
        model("wide-free", family="wide", variant="free", pricing={"input_per_mtok": "0", "output_per_mtok": "0"}),
        model("wide-cheap", "q", family="wide", pricing={"input_per_mtok": "0.5", "output_per_mtok": "2"}),
        model("no-family", pricing={"input_per_mtok": "0.1", "output_per_mtok": "0.1"}),
    ]
    first, second = split_document(explorer_document(bundle(models, families)))
    assert default_order(first) == [4, 1, 2, 3, 0, 5]  # widest family, regular cheapest first, unknown, variant
    head = head_document(first, rows=2)
    at, family_at = head["fields"].index("row"), head["fields"].index("family")
    assert [row[at] for row in head["models"]] == [4, 1] and head["rows"] == ROWS_FILE
    assert head["families"] == [["wide", None, None, None, 3, None]]  # only the families its rows use
    assert {row[family_at] for row in head["models"]} == {0}
    assert second["family_names"] == ["Solo", "Wide Family"] and all(f[1] is None for f in first["families"])


def test_published_parts_name_each_other() -> None:
    parts = published_parts(explorer_document(bundle([model(f"m-{i}") for i in range(HEAD_ROWS + 5)])))
    assert set(parts) == {"", ROWS_FILE, MORE_FILE}
    head, rows = parts[""], parts[ROWS_FILE]
    assert head["rows"] == ROWS_FILE and head["more"] == rows["more"] == MORE_FILE
    assert len(head["models"]) == HEAD_ROWS and len(rows["models"]) == HEAD_ROWS + 5


def test_performance_table_rows_and_missing_results(tmp_path: Path) -> None:
    assert load_results(tmp_path / "absent.json") == {}
    (tmp_path / "bad.json").write_text("[1, 2", encoding="utf-8")
    assert load_results(tmp_path / "bad.json") == {}
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    assert load_results(tmp_path / "list.json") == {}
    empty = performance_markdown({})
    assert len(empty.splitlines()) == 2 + 11 and "not recorded yet" in empty.splitlines()[-1]
    summary = {"median": 20.0, "p90": 40.0, "min": 1.0, "max": 50.0, "n": 41}
    explorer = {"desktop": {"first_rows_ms": summary, "keystroke_ms": summary, "shared_link_first_rows_ms": summary,
                            "typing_long_tasks": 0, "typing_longest_task_ms": 0.0},
                "phone, CPU 4x slower": {"first_rows_ms": summary, "keystroke_ms": summary,
                                         "shared_link_first_rows_ms": summary, "typing_long_tasks": 3,
                                         "typing_longest_task_ms": 64.6},
                "data_kb_gz": {"head": 5.9, "rows": 353, "more": 110}, "models": 14542,
                "measured_at": "2026-11-30 03:00 UTC", "cpus": 2}
    runtime = {"rows": {"lookup": "0.3 µs <script>x</script>"}}
    table = performance_markdown({"explorer": explorer, "runtime": runtime})
    assert "median 20 ms, p90 40 ms (n=41)" in table and "5.9 KB gzipped" in table
    assert "desktop: none; phone, CPU 4x slower: 3, the longest 65 ms" in table
    assert "<script>" not in table and "0.3 µs" in table
    assert table.count(NOT_RECORDED.split(" (")[0]) == 5  # the runtime rows not recorded
    assert "14,542 models" in table and "2 CPUs" in table


def test_performance_page_is_built(fixture_site: Path) -> None:
    page = (fixture_site / "performance" / "index.html").read_text(encoding="utf-8")
    assert "explorer keystroke → painted rows" in page and "How it is measured" in page


def test_explorer_page_preloads_its_bundle_and_the_head() -> None:
    import re

    page = (Path(__file__).resolve().parents[1] / "src_docs" / "md" / "models" / "explorer.md").read_text("utf-8")
    preloaded = re.findall(r'<link rel="modulepreload" href="\.\./\.\./assets/explorer/([\w.-]+\.js)">', page)
    assert preloaded == ["explorer.bundle.js"]
    assert '<link rel="preload" href="../../api/v1/explorer.json" as="fetch" crossorigin="anonymous">' in page
    config = (Path(__file__).resolve().parents[1] / "src_docs" / "mkdocs.yml").read_text("utf-8")
    assert "path: assets/explorer/explorer.bundle.js" in config and "path: assets/explorer/explorer.js" not in config


def test_the_explorer_page_preloads_every_row_for_the_views_the_explorer_needs_them_for() -> None:
    """The page's inline script names the same view keys as explorer.js (whose headView needs every row for
    them), builds no markup from text, and fetches the rows file the head names."""
    import re

    from browser import rows_preload_script

    script = rows_preload_script()
    explorer = (Path(__file__).resolve().parents[1] / "assets" / "explorer" / "explorer.js").read_text("utf-8")
    found = re.search(r"const VIEW_KEYS = \[(.*?)\];", explorer, re.S)
    assert found
    view_keys = re.findall(r'"(\w+)"', found.group(1))
    keys = re.search(r'var keys = "([\w ]+)"\.split', script)
    assert keys and keys.group(1).split() == view_keys
    assert "innerHTML" not in script and "document.write" not in script
    assert 'link.href = "explorer-rows.json"' in script
    assert ROWS_FILE == "explorer-rows.json"
