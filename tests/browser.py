"""Browser tests use the shared headless-Chromium helpers of tools/headless.py, and `explorer_dir` to lay out a
stand-alone explorer (its assets, its data, a page) from a parsed bundle."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from headless import CHROMIUM, CHROMIUM_ARGS, browser, have_chromium, serve, watched_page

from knollm_site.explorer_data import explorer_document, part_bytes, published_parts

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "browser", "explorer_dir", "explorer_modules", "have_chromium",
           "rows_preload_script", "serve", "watched_page"]

EXPLORER_ASSETS = Path(__file__).resolve().parents[1] / "assets" / "explorer"


def explorer_dir(root: Path, bundle: dict[str, Any], page: str, with_bundle: bool = False) -> Path:
    """Write the explorer's assets, `explorer.json` from `bundle` (in three files, as the site publishes it:
    `published_parts`), and `page` as index.html into `root` (and the bundle as catalog.json when asked);
    returns `root`."""
    if with_bundle:
        (root / "catalog.json").write_bytes(orjson.dumps(bundle))
    for name, part in published_parts(explorer_document(bundle)).items():
        (root / (name or "explorer.json")).write_bytes(part_bytes(part))
    for asset in EXPLORER_ASSETS.iterdir():
        shutil.copy(asset, root / asset.name)
    (root / "index.html").write_text(page, encoding="utf-8")
    return root


EXPLORER_PAGE = Path(__file__).resolve().parents[1] / "src_docs" / "md" / "models" / "explorer.md"


def rows_preload_script(folder: str = "") -> str:
    """The explorer page's inline script that starts fetching every row at once when the address holds a shared
    view, for a page whose data is in `folder` (the site's is ../../api/v1/)."""
    import re

    found = re.search(r"<script>\n.*?</script>", EXPLORER_PAGE.read_text(encoding="utf-8"), re.S)
    assert found, f"no inline script in {EXPLORER_PAGE}"
    return found.group(0).replace("../../api/v1/", folder)


def explorer_modules(entry: str = "explorer.js") -> list[str]:
    """The file names of the modules `entry` imports, directly or not (what its page preloads), sorted."""
    import re

    seen: set[str] = set()
    todo = [entry]
    while todo:
        text = (EXPLORER_ASSETS / todo.pop()).read_text(encoding="utf-8")
        for name in re.findall(r'from "\./([\w-]+\.js)"', text):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return sorted(seen)
