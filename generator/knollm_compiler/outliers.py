"""Outlier flags: a published price more than 10x above or below its family's median at other providers.

A flag is a warning, not a correction: a cheap host can be genuinely cheap. It tells a reader which prices
to check before trusting them, and the report lists them so data errors get fixed at the source.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from .bundle_records import Model, PriceFlag
from .bundle_vocab import NON_TOKEN_KINDS
from .ingest.prices import plain_decimal
from .precedence import DECLARING_SOURCES
from .report_records import PriceFlagReport
from .strict import replaced

FLAGGED_FIELDS = ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok")
"""Per-million-token components compared with the same component at other providers."""
OUTLIER_FACTOR = Decimal(10)
MEDIA_OUTPUT = frozenset({"image", "audio"})
MIN_PEER_PROVIDERS = 2
EXAMPLES_SHOWN = 30


def flag_outliers(models: list[Model]) -> tuple[list[Model], PriceFlagReport]:
    """Return the models with `price_flags` set, and the report summary."""
    by_family: dict[str, dict[str, dict[str, list[Decimal]]]] = defaultdict(lambda: defaultdict(dict))
    declared: set[tuple[str, str, str]] = set()
    """(family, field, provider) whose price a declaring source states (the provider's listing, curated data)."""
    for model in models:
        family = model.family or model.id
        for name, value in _prices(model):
            by_family[family][name].setdefault(model.provider, []).append(value)
            if _declared(model, name):
                declared.add((family, name, model.provider))
    updated: list[Model] = []
    examples: list[dict[str, str]] = []
    flags = 0
    medians: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    """(family, field) -> (provider, its median), by provider: computed once, not once per member."""
    for model in models:
        family = model.family or model.id
        found = tuple(
            f for name, value in _prices(model)
            if (f := _flag(name, value, _medians(medians, family, name, by_family), model.provider)
                or _flag_against_one(name, value, by_family[family][name], model,
                                     _declares(declared, family, name))))
        flags += len(found)
        examples += [_example(model, f) for f in found]
        updated.append(replaced(model, price_flags=found) if found else model)
    examples.sort(key=lambda e: (-abs(Decimal(e["ratio"]).log10()), e["model"], e["field"]))
    report = PriceFlagReport(count=sum(1 for m in updated if m.price_flags), flags=flags,
                             examples=tuple(examples[:EXAMPLES_SHOWN]))
    return updated, report


def _prices(model: Model) -> list[tuple[str, Decimal]]:
    """The model's comparable per-million prices, which are neither peers nor flagged when they are not:
    - zero (free or a placeholder, not a price to compare);
    - a variant's (`Model.variant`: free, batch, extended, ...), meant to differ from the list price;
    - a model of a kind billed by images, audio time, characters or queries (`NON_TOKEN_KINDS`);
    - the output price of a model that makes images or audio: sources state it for text output or for the
      image/audio tokens, which cost 10x more, so peers do not price the same thing."""
    if model.pricing is None or model.variant is not None or model.kind in NON_TOKEN_KINDS:
        return []
    media_out = bool(MEDIA_OUTPUT.intersection(model.output_modalities))
    names = [n for n in FLAGGED_FIELDS if not (media_out and n == "output_per_mtok")]
    found = [(name, getattr(model.pricing, name)) for name in names]
    return [(name, value) for name, value in found if value is not None and value > 0]


def _medians(
    memo: dict[tuple[str, str], list[tuple[str, Decimal]]], family: str, name: str,
    by_family: dict[str, dict[str, dict[str, list[Decimal]]]],
) -> list[tuple[str, Decimal]]:
    if (family, name) not in memo:
        by_provider = by_family[family][name]
        memo[family, name] = [(provider, statistics.median(values)) for provider, values in sorted(by_provider.items())]
    return memo[family, name]


def _flag(name: str, value: Decimal, medians: list[tuple[str, Decimal]], own: str) -> PriceFlag | None:
    """One value per other provider (its median, when it lists the family several times), then their median."""
    peers = [median for provider, median in medians if provider != own]
    if len(peers) < MIN_PEER_PROVIDERS:
        return None
    median = statistics.median(peers)
    if _within(value, median) or not _consensus(peers, median):
        return None
    ratio = value / median
    return PriceFlag(field=name, value=value, peer_median=plain_decimal(median), peers=len(peers),
                     ratio=format(Decimal(f"{ratio:.3g}"), "f"))


def _declares(declared: set[tuple[str, str, str]], family: str, name: str) -> Callable[[str], bool]:
    """Whether a provider declares `name` for `family` itself (a factory: each call binds its own values)."""
    return lambda provider: (family, name, provider) in declared


def _declared(model: Model, name: str) -> bool:
    return model.provenance.get(f"pricing.{name}") in DECLARING_SOURCES


def _flag_against_one(
    name: str, value: Decimal, by_provider: dict[str, list[Decimal]], model: Model, declares: Callable[[str], bool]
) -> PriceFlag | None:
    """With a single other provider, a price only a third-party map states is flagged when that provider's own
    declared price is more than 10x away: the provider's word beats a map's (a stale map price, for example)."""
    others = [provider for provider in by_provider if provider != model.provider]
    if len(others) != 1 or _declared(model, name) or not declares(others[0]):
        return None
    median = statistics.median(by_provider[others[0]])
    if _within(value, median):
        return None
    return PriceFlag(field=name, value=value, peer_median=plain_decimal(median), peers=1,
                     ratio=format(Decimal(f"{value / median:.3g}"), "f"))


def _within(value: Decimal, median: Decimal) -> bool:
    return value <= median * OUTLIER_FACTOR and value * OUTLIER_FACTOR >= median


def _consensus(peers: list[Decimal], median: Decimal) -> bool:
    """Most peers (and at least two) lie within 10x of their median: else there is no price to be far from
    (two peers at $0.2 and $75 have a 'median' of $37.6 that describes neither)."""
    agreeing = sum(1 for peer in peers if _within(peer, median))
    return agreeing >= MIN_PEER_PROVIDERS and 2 * agreeing > len(peers)


def _example(model: Model, flag: PriceFlag) -> dict[str, str]:
    return {"model": model.id, "family": model.family or "", "field": flag.field, "value": format(flag.value, "f"),
            "peer_median": format(flag.peer_median, "f"), "peers": str(flag.peers), "ratio": flag.ratio}


def render_flags(report: PriceFlagReport | None, shown: int = 5) -> list[str]:
    """Lines for the text report."""
    if report is None:
        return []
    lines = [f"price flags: {report.count} models ({report.flags} prices) more than 10x from their family's "
             f"median at other providers"]
    lines += [f"  ! {e['model']} {e['field']} {e['value']} vs peer median {e['peer_median']} "
              f"({e['peers']} providers, {e['ratio']}x)" for e in report.examples[:shown]]
    return lines
