"""mkdocs-macros module: live numbers from the bundle for hand-written pages that set `render_macros: true`.

Variables: provider_count, providers_with_models, authored_provider_count, model_count, priced_model_count,
free_chat_count, family_count, multi_provider_family_count, family_page_count, data_date, schema_version,
source_count. Macros: `cheapest(capability=None, min_context=0)`, `performance_table()`. See `knollm_site.macros`.
"""

from __future__ import annotations

from typing import Any

from knollm_site import load_site
from knollm_site.macros import register


def define_env(env: Any) -> None:
    """Called by mkdocs-macros once per build."""
    register(env, load_site())
