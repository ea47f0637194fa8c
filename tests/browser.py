"""Browser tests use the shared headless-Chromium helpers of tools/headless.py, and `explorer_dir` to lay out a
stand-alone explorer (its assets, its data, a page) from a parsed bundle."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from headless import CHROMIUM, CHROMIUM_ARGS, browser, have_chromium, serve, watched_page

from knollm_site.explorer_data import explorer_document, part_bytes, published_parts

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "browser", "crowded", "explorer_dir", "explorer_modules", "explorer_server",
           "have_chromium", "rows_preload_script", "serve", "sized_tab", "watched_page"]

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


def crowded(bundle: dict[str, Any], ids_and_names: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The bundle with one more model per `(model_id, name)`: copies of its first model under that id and name."""
    template = bundle["models"][0]
    extra = [{**template, "model_id": model_id, "id": f"{template['provider']}/{model_id}", "name": name}
             for model_id, name in ids_and_names]
    return {**bundle, "models": [*bundle["models"], *extra]}


@contextmanager
def explorer_server(root: Path, bundle: dict[str, Any], page: str) -> Iterator[tuple[str, Any]]:
    """A loopback server over `explorer_dir(root, bundle, page)` and a headless Chromium: `(base URL, browser)`."""
    explorer_dir(root, bundle, page)
    with serve(root) as base, browser() as chromium:
        yield base, chromium


@contextmanager
def sized_tab(served: tuple[str, Any], viewport: dict[str, int], init_script: str = "") -> Iterator[Any]:
    """A tab of the `explorer_server` browser in its own context of `viewport` size, carrying `base` (the server's
    URL) and `errors` (uncaught page errors, which must stay empty: checked when the tab closes)."""
    base, chromium = served
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.base, page.errors = base, []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    if init_script:
        page.add_init_script(init_script)
    yield page
    assert page.errors == []
    context.close()


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
