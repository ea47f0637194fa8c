"""`Secret`: an API key that does not print itself. Defined once, in `knollm.client.target` (the client sends
keys, the configuration resolves them); re-exported here for `knollm.config` users."""

from __future__ import annotations

from ..client.target import MIN_LENGTH_FOR_TAIL, TAIL, Secret

__all__ = ["MIN_LENGTH_FOR_TAIL", "TAIL", "Secret"]
