"""The site built (`mkdocs build --strict`) from the bundle `make build` compiles from this checkout's default
sources: the home page shows the bundle's data date and every source with its own date (issue 17's done-when),
and model links whose ids hold "_" or "~" survive the page escaping (they broke the strict build)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from knollm import Catalog
from knollm_site.escape import url_component

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalog]:
    work = tmp_path_factory.mktemp("default-site")
    shutil.copytree(ROOT / "catalog", work / "catalog")
    build = subprocess.run(
        [sys.executable, "-m", "knollm_compiler.build_cli", "--catalog", str(work / "catalog"), "--out",
         str(work / "dist"), "--quiet"], capture_output=True, text=True, timeout=300, check=False)
    assert build.returncode == 0, build.stderr
    bundle = work / "dist" / "catalog.json"
    env = {**os.environ, "KNOLLM_SITE_BUNDLE": str(bundle), "NO_MKDOCS_2_WARNING": "1",
           "DISABLE_MKDOCS_2_WARNING": "true"}
    site = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "src_docs" / "mkdocs.yml"), "-d",
         str(work / "site")], capture_output=True, text=True, env=env, timeout=600, check=False)
    assert site.returncode == 0, site.stderr[-5000:]
    return work / "site", Catalog.load(bundle)


def test_home_page_shows_the_data_date_and_every_source_date(default_site: tuple[Path, Catalog]) -> None:
    site, catalog = default_site
    assert catalog.data_date and catalog.source_dates
    home = unescape((site / "index.html").read_text(encoding="utf-8"))
    assert f"Data date (the newest source data in this build): <strong>{catalog.data_date}</strong>" in home
    table = home.split("How fresh the data is", 1)[1]
    for source, day in catalog.source_dates.items():
        assert f"<td>{source}</td>\n<td>{day}</td>" in table, source
    assert "not recorded" not in home


def test_model_links_keep_underscores_and_tildes(default_site: tuple[Path, Catalog]) -> None:
    site, catalog = default_site
    linked = {url_component(m.id) for m in catalog.models if "_" in m.id or "~" in m.id}
    pages = "".join(p.read_text(encoding="utf-8") for folder in ("providers", "families")
                    for p in (site / folder).glob("*/index.html"))
    assert "?id=" in pages and "&amp;#95;" not in pages and "&amp;#126;" not in pages
    assert any(f"?id={target}" in pages for target in linked)
