"""How long to wait before the next attempt: exponential backoff with full jitter, honouring `Retry-After`.

Full jitter (a uniform draw between 0 and the exponential cap) spreads retries of many clients apart, which a fixed
exponential schedule does not (AWS Architecture Blog, "Exponential Backoff And Jitter"). A provider's own
`Retry-After` is a floor: retrying sooner would only earn another 429. Every wait is capped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Backoff:
    """Backoff settings: `base_s` doubles per attempt up to `cap_s`; `Retry-After` waits are capped by `max_s`."""

    base_s: float = 0.25
    cap_s: float = 8.0
    max_s: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1 for the first retry)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(0, attempt - 1))
        jittered = self.rng.uniform(0, ceiling)
        if retry_after is not None and retry_after > 0:
            return min(self.max_s, max(jittered, retry_after))
        return jittered
