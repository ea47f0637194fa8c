"""A provider's live model listing (`GET <base_url><models_path>`), for `knollm providers check`.

The three APIs list models in three shapes: OpenAI and Anthropic `{"data": [{"id": ...}]}`, Gemini
`{"models": [{"name": "models/<id>"}]}`. Only the ids are read.
"""

from __future__ import annotations

import httpx

from .adapters.anthropic_request import anthropic_version
from .adapters.base import auth_headers, error_for_transport, read_json
from .adapters.values import as_list, as_obj, as_str
from .calls import timed
from .resolve import Candidate

MAX_LISTED = 100_000
"""Most ids read from one listing (a hostile or broken endpoint cannot make the check use unbounded memory)."""


def fetch_model_ids(http: httpx.Client, candidate: Candidate) -> list[str]:
    """The model ids the provider lists now; raises the client's errors (auth, status, timeout, bad JSON)."""
    target = candidate.target
    headers = {"Accept": "application/json", **auth_headers(target)}
    if target.api == "anthropic":
        headers["anthropic-version"] = anthropic_version(target)
    request = timed(httpx.Request("GET", target.url(candidate.models_path), headers=headers), target.timeout_s)
    try:
        response = http.send(request)
        response.read()
    except httpx.TransportError as exc:
        raise error_for_transport(exc, target) from None
    data = read_json(response, target)
    entries = as_list(data.get("data")) or as_list(data.get("models"))
    ids = (as_str(as_obj(entry).get("id")) or as_str(as_obj(entry).get("name")).removeprefix("models/")
           for entry in entries[:MAX_LISTED])
    return sorted({i for i in ids if i})
