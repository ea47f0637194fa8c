"""Curated price data from the PyPI package `genai-prices` (pydantic's), read at build time.

Each genai-prices model is matched to our models with genai-prices' own match clauses, so its prices land
on the ids the providers really use; models no listing has become new models under genai-prices' id.
Hugging Face router prices (genai-prices providers `huggingface_<route>`) become `<model>:<route>` ids,
the router's own syntax for choosing a route. Prices are those in force at a fixed instant (the build's
as-of date, at noon UTC), so every build at the same as-of date resolves them identically.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import metadata
from typing import Any

from .drafts import Draft
from .ingest import values
from .problems import ProblemLog
from .sources import Ingested, ProviderResolver

SOURCE = "genai-prices"
PRICE_KEYS = {
    "input_mtok": "input_per_mtok", "output_mtok": "output_per_mtok", "cache_read_mtok": "cache_read_per_mtok",
    "cache_write_mtok": "cache_write_per_mtok", "output_reasoning_mtok": "reasoning_per_mtok",
}
# genai-prices units that are not text tokens -> our field; all are already in our unit (per million, per hour,
# per thousand). Its direction-less `audio_hours` is left out: it does not say whether audio is read or made.
NON_TOKEN_KEYS = {
    "input_audio_mtok": "input_audio_per_mtok", "output_audio_mtok": "output_audio_per_mtok",
    "input_audio_hours": "audio_input_per_hour", "output_audio_hours": "audio_output_per_hour",
    "input_mchars": "per_mchar", "rerank_searches_kcount": "per_kquery", "web_searches_kcount": "web_search_per_k",
}
HF_ROUTE_PREFIX = "huggingface_"
LATEST = datetime(2100, 1, 1, 12, tzinfo=UTC)


def genai_prices_version() -> str | None:
    try:
        return metadata.version("genai-prices")
    except metadata.PackageNotFoundError:
        return None


def ingest_genai_prices(
    known: dict[str, set[str]], resolve: ProviderResolver, as_of: str | None, dated: str | None = None
) -> Ingested | None:
    """Drafts for every genai-prices model; `known` maps our provider id -> model ids other sources have.

    Dated prices are resolved at noon UTC of `as_of` (the newest price when None); `dated` is the package's
    data date, which every draft carries as its `as_of`.
    """
    version = genai_prices_version()
    if version is None:
        return None
    from genai_prices import data  # imported here: an optional build-time source

    label = f"genai-prices=={version}"
    result = Ingested(label, None, "catalog", "python-package", log=ProblemLog(label), records_emitted=0)
    when = datetime.combine(date.fromisoformat(as_of), datetime.min.time().replace(hour=12), UTC) \
        if as_of else LATEST
    for provider in sorted(data.providers, key=lambda p: p.id):
        ours, route = _our_provider(provider.id, provider.name, resolve)
        matches = _match_known(provider, sorted(known.get(ours, ())), route)
        for model in provider.models:
            result.read += 1
            targets = matches.get(model.id) or [f"{model.id}:{route}" if route else model.id]
            fields = _fields(model, when, result.log)
            for model_id in targets:
                result.drafts.append(Draft(ours, model_id, SOURCE, label, dict(fields), as_of=dated))
            result.records_emitted = (result.records_emitted or 0) + 1
        result.catalog_providers[provider.id] = ours
    return result


def _our_provider(genai_id: str, name: str, resolve: ProviderResolver) -> tuple[str, str | None]:
    if genai_id.startswith(HF_ROUTE_PREFIX):
        return resolve("huggingface"), genai_id.removeprefix(HF_ROUTE_PREFIX)
    ours = resolve(genai_id)
    if ours in resolve.created and resolve.created[ours] == genai_id:
        resolve.created[ours] = name
    return ours, None


def _match_known(provider: Any, model_ids: list[str], route: str | None) -> dict[str, list[str]]:
    """genai model id -> our model ids it prices, by genai-prices' own matching."""
    if route:
        return {}
    matched: dict[str, list[str]] = defaultdict(list)
    for model_id in model_ids:
        found = provider.find_model(model_id)
        if found is not None:
            matched[found.id].append(model_id)
    return matched


def _fields(model: Any, when: datetime, log: ProblemLog | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if model.name:
        out["name"] = values.plain_text(model.name, values.MAX_NAME, keep_newlines=False)[0]
    if model.description:
        out["description"] = values.plain_text(model.description, values.MAX_DESCRIPTION, keep_newlines=True)[0]
    if model.context_window:
        out["context_window"] = model.context_window
    prices = model.get_prices(when)
    tiers: dict[int, dict[str, Decimal]] = {}
    for key, name in PRICE_KEYS.items():
        price = getattr(prices, key, None)
        if isinstance(price, Decimal):
            out[f"pricing.{name}"] = price
        elif price is not None and hasattr(price, "base"):
            out[f"pricing.{name}"] = price.base
            for tier in price.tiers:
                tiers.setdefault(int(tier.start), {})[name] = tier.price
    requests = getattr(prices, "requests_kcount", None)
    if isinstance(requests, Decimal):
        out["pricing.per_request"] = requests / 1000
    for key, name in NON_TOKEN_KEYS.items():
        price = getattr(prices, key, None)
        price = getattr(price, "base", price)  # a tiered non-token price: its base (tiers are for tokens)
        if isinstance(price, Decimal) and price > 0:
            out[f"pricing.{name}"] = price
    if tiers:
        out["pricing.tiers"] = tiers
    return {k: v for k, v in out.items() if v is not None}
