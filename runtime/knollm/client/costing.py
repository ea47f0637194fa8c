"""The exact cost of one answer from its usage and the model's prices (`knollm.estimate_cost`)."""

from __future__ import annotations

from ..costs import estimate_cost
from ..errors import KnollmError
from ..records import CostBreakdown, Model
from .types import Usage


def cost_of(model: Model | None, usage: Usage | None) -> tuple[CostBreakdown | None, str | None]:
    """(cost, None), or (None, why not): no usage in the answer, no record of the model, or an unknown price.

    `prompt_tokens` is the whole prompt; cached and cache-write tokens are parts of it (how every adapter
    reports usage), which is exactly what `estimate_cost` expects.
    """
    if usage is None:
        return None, "the provider returned no usage"
    if model is None:
        return None, "the catalog has no record of this model; add its prices under [models] in knollm.toml"
    try:
        cost = estimate_cost(
            model,
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
            cached_input_tokens=usage.cached_tokens or 0,
            cache_write_tokens=usage.cache_write_tokens or 0,
        )
    except KnollmError as exc:
        return None, str(exc)
    return cost, None
