"""Text hygiene at ingestion, beyond single values: URLs in provider facts and look-alike ids.

The character rules themselves live in the runtime (`knollm.texthygiene`), shared with the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable

from knollm.texthygiene import confusable, http_url

from .bundle_records import Model
from .problems import ProblemLog
from .report_records import ConfusableId

URL_FACTS = ("base_url", "docs_url", "homepage")
"""Provider facts that are links: only http(s) URLs are kept (a `javascript:` link would run in a reader)."""


def keep_http_urls(hints: dict[str, dict[str, str]], log: ProblemLog) -> dict[str, dict[str, str]]:
    """`hints` (provider id -> facts) without URL facts that are not http(s); each dropped one is a problem."""
    kept: dict[str, dict[str, str]] = {}
    for pid, facts in hints.items():
        kept[pid] = dict(facts)
        for name in URL_FACTS:
            value = facts.get(name)
            if value and (reason := http_url(value.strip())):
                log.drop(pid, name, reason)
                del kept[pid][name]
    return kept


def confusable_ids(models: Iterable[Model]) -> tuple[ConfusableId, ...]:
    """Model ids that may pass for another id: kept, but listed for a reviewer."""
    found = []
    for model in models:
        # An ASCII id is its own NFKC form and has Latin letters only: nothing to flag, and most ids are ASCII.
        if not model.model_id.isascii() and (reason := confusable(model.model_id)):
            found.append(ConfusableId(provider=model.provider, id=model.model_id, reason=reason))
    return tuple(sorted(found, key=lambda c: (c.provider, c.id)))


def render_confusables(found: tuple[ConfusableId, ...]) -> list[str]:
    """Lines for dist/report.txt: one per look-alike id (there are none in a healthy build)."""
    lines = [f"look-alike ids: {len(found)} kept, check them:"] if found else []
    return lines + [f"  {c.provider}/{c.id!a}: {c.reason}" for c in found]
