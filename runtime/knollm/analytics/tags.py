"""What the calls made inside a `with` block are part of (an A/B test and its arm), for the usage recorder.

A context variable, so it follows the call into the client's observers in the same thread or asyncio task and
never leaks into calls made elsewhere. Tiny on purpose: `knollm.multi.ab` imports it on every A/B call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

AB_CALL: ContextVar[tuple[str, str] | None] = ContextVar("knollm_ab_call", default=None)
"""(test name, arm) of the A/B call in progress, or None."""


@contextmanager
def ab_call(test: str, arm: str) -> Iterator[None]:
    """Calls made in this block are recorded as `arm` of the A/B test `test`."""
    token = AB_CALL.set((test, arm))
    try:
        yield
    finally:
        AB_CALL.reset(token)
