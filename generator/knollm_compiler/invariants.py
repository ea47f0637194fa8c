"""Checks every merged model must pass. A value that breaks one is dropped with the reason, never kept silently.

- A cache read never costs more than the input it replaces (`cache_read_per_mtok <= input_per_mtok`).
- A model never generates more tokens in one response than its context holds (`max_output_tokens <=
  context_window`); the maximum output is the value dropped, since listings often put the context length in
  a `max_tokens` key.
- A priced model that a source declares a chat model has an output price: a missing one is reported (the
  price stays unknown, so estimates that need it fail instead of pricing output at zero).
"""

from __future__ import annotations

from typing import Any

from .bundle_vocab import INFERRED
from .drafts import Draft
from .problems import Problem, Severity


def check_invariants(members: list[Draft], values: dict[str, Any], provenance: dict[str, str]) -> list[Problem]:
    """Apply the invariants to one model's merged `values` in place; returns what was dropped or is missing."""
    problems: list[Problem] = []

    def report(name: str, reason: str, severity: Severity = Severity.DROPPED) -> None:
        source = provenance.get(name)
        owner = next((d for d in members if d.source == source and name in d.values), members[0])
        problems.append(Problem(owner.file, owner.model_id, name, reason, severity))

    cache, paid = values.get("pricing.cache_read_per_mtok"), values.get("pricing.input_per_mtok")
    if cache is not None and paid is not None and cache > paid:
        report("pricing.cache_read_per_mtok", f"cache read price {cache} is above the input price {paid}")
        _drop(values, provenance, "pricing.cache_read_per_mtok")
    most, context = values.get("max_output_tokens"), values.get("context_window")
    if isinstance(most, int) and isinstance(context, int) and most > context:
        report("max_output_tokens", f"maximum output {most} is above the context window {context}")
        _drop(values, provenance, "max_output_tokens")
    declared_chat = values.get("kind") == "chat" and provenance.get("kind") != INFERRED
    if declared_chat and paid is not None and "pricing.output_per_mtok" not in values:
        report("pricing.input_per_mtok", "chat model priced without an output price: output stays unknown",
               Severity.WARNING)
    return problems


def _drop(values: dict[str, Any], provenance: dict[str, str], name: str) -> None:
    values.pop(name, None)
    provenance.pop(name, None)
