"""mkdocs-gen-files script: write the generated pages, the bundle and the assets into the docs tree.

The bundle is `$KNOLLM_SITE_BUNDLE` (default: `dist/catalog.json` of this checkout). All logic lives in
`knollm_site`; this file only hands its output to mkdocs-gen-files.
"""

from __future__ import annotations

import mkdocs_gen_files

from knollm_site import site_files

for generated in site_files():
    with mkdocs_gen_files.open(generated.path, "wb") as out:
        out.write(generated.data)
    if generated.edit_path:
        mkdocs_gen_files.set_edit_path(generated.path, generated.edit_path)
