"""Follow-ups of issue 16: `[analytics]` per profile, abandoned streams recorded, `close()` flushing the usage
writer and closing the response cache, and A/B outcomes kept in (and rebuilt from) the usage store."""

from __future__ import annotations

from pathlib import Path

import knollm
from knollm.analytics.recorder import store_path
from knollm.config import load_config
from usage_helpers import ENV, write_config

HI = [{"role": "user", "content": "say hi"}]


def test_a_profile_changes_the_analytics_table(tmp_path: Path) -> None:
    path = write_config(tmp_path, "http://127.0.0.1:1")
    with path.open("a", encoding="utf-8") as out:
        out.write('\n[profiles.testing.analytics]\nenabled = false\n'
                  '\n[profiles.production.analytics]\npath = "prod.sqlite"\nbudget_per_day_usd = "5"\n')
    top, testing, production = (load_config(path, name, ENV) for name in (None, "testing", "production"))
    assert top.analytics is not None and top.analytics.enabled and store_path(top) == tmp_path / "usage.sqlite"
    assert testing.analytics is not None and not testing.analytics.enabled
    assert testing.analytics.path == "usage.sqlite"  # merged key by key: the top level's path stays
    assert production.analytics is not None and store_path(production) == tmp_path / "prod.sqlite"
    assert str(production.analytics.budget_per_day_usd) == "5"
    assert knollm.Client(load_config(path, "testing", ENV), env=ENV,
                         catalog=knollm.Catalog.load(Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"),
                         ).observers == []
