"""The explorer's modules as one generated file (knollm_site.explorer_bundle): the bundle is a valid module that
mounts the explorer like the separate modules do, the site publishes it, and sources the bundler cannot take
safely (cycles, missing modules, other import forms) are refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from browser import browser, explorer_dir, have_chromium, serve
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_site.explorer_bundle import BUNDLE_NAME, BundleError, bundle_source

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO / "assets" / "explorer"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorer.css"></head>
<body><div id="knollm-explorer" data-src="explorer.json"></div><script type="module" src="explorer.bundle.js">
</script></body></html>"""


def test_the_bundle_holds_every_module_once_in_dependency_order() -> None:
    text = bundle_source(ASSETS)
    scopes = [line.split(" = ")[0].removeprefix("const ") for line in text.splitlines()
              if line.startswith("const __kx_")]
    assert scopes[-1] == "__kx_explorer" and len(scopes) == len(set(scopes))
    assert scopes.index("__kx_dom") < scopes.index("__kx_panels") < scopes.index("__kx_explorer")
    assert "__kx_model" not in scopes  # the model page's module is not the explorer's
    assert "\nimport " not in text and "\nexport " not in text
    assert "const { el, formatTokens: formatCount, options } = __kx_dom;" in text  # a renamed import


def test_export_lists_and_renames(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('const x = 1;\nconst y = 2;\nexport { x, y as why };\n', encoding="utf-8")
    (tmp_path / "main.js").write_text('import { why as z, x } from "./a.js";\nconsole.log(x, z);\n', encoding="utf-8")
    text = bundle_source(tmp_path, "main.js")
    assert "return { x, why: y };" in text and "const { why: z, x } = __kx_a;" in text


@pytest.mark.parametrize(("files", "message"), [
    ({"main.js": 'import { a } from "./a.js";\n', "a.js": 'import { b } from "./main.js";\nexport const a = 1;\n'},
     "import cycle through main.js"),
    ({"main.js": 'import { a } from "./gone.js";\n'}, "missing module gone.js"),
    ({"main.js": 'import * as all from "./a.js";\n', "a.js": "export const a = 1;\n"}, "only `import"),
    ({"main.js": 'import a from "./a.js";\n', "a.js": "export default 1;\n"}, "only `import"),
])
def test_sources_it_cannot_take_are_refused(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(BundleError, match=message):
        bundle_source(tmp_path, "main.js")


@pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")
def test_the_bundle_mounts_the_explorer(tmp_path: Path) -> None:
    fixtures = REPO / "tests" / "fixtures" / "explorer"
    bundle = orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", fixtures).bundle))
    explorer_dir(tmp_path, bundle, PAGE)
    (tmp_path / BUNDLE_NAME).write_text(bundle_source(ASSETS), encoding="utf-8")
    with serve(tmp_path) as base, browser() as chromium:
        page = chromium.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + "index.html")
        page.wait_for_selector("#knollm-explorer[data-ready=true]")
        everything = page.locator("#kx-explore tbody tr").count()
        page.fill("input[name=find]", bundle["models"][0]["model_id"])
        page.wait_for_function(f"document.querySelectorAll('#kx-explore tbody tr').length < {everything}")
        assert page.locator("#kx-explore tbody tr").count() >= 1 and errors == []
