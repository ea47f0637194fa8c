"""Per-key request and token limits (`rpm`, `tpm`) that hold exactly under concurrency.

Each limit is a sliding 60-second window of *scheduled* sends: a caller reserves its send time before it sends,
so the window counts calls in flight and calls still waiting alike, and the limit holds in every 60-second
window, not only on average (a token bucket of capacity `rpm` would let up to twice `rpm` through in one
window: a full burst, then the refill). A reservation returns how long to wait; the caller sleeps outside the
lock (a thread sleeps, a task awaits), so threads and asyncio tasks share one limiter. The token window holds
the estimate made before the call; `settle` replaces it by the usage the provider returned.

From asyncio, `await limiter.acquire(tokens)` reserves and then awaits the delay: the lock is held only for the
bookkeeping (microseconds), never across the wait, so the event loop is never blocked. From a thread,
`limiter.acquire_blocking(tokens)` does the same with `time.sleep`. Both take the sleep function as a parameter,
so tests can run them on a virtual clock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

WINDOW_S = 60.0


@dataclass(slots=True)
class Reservation:
    """One reserved send: when it may go, and the tokens it holds in the token window."""

    at: float
    tokens: int
    wait_s: float


class KeyLimiter:
    """The rpm and tpm limits of one key (None: no limit)."""

    def __init__(self, rpm: int | None = None, tpm: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._clock = clock
        self._lock = threading.Lock()
        self._sends: deque[float] = deque()
        self._tokens: deque[Reservation] = deque()

    def reserve(self, tokens: int = 0) -> Reservation:
        """Reserve a send with `tokens` estimated tokens; `wait_s` is how long to sleep before sending."""
        with self._lock:
            now = self._clock()
            at = max(now, self._request_slot(now), self._token_slot(now, tokens))
            self._sends.append(at)
            reservation = Reservation(at, tokens, at - now)
            if self.tpm:
                self._tokens.append(reservation)
            return reservation

    async def acquire(self, tokens: int = 0,
                      sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> Reservation:
        """Reserve a send and await its slot without blocking the event loop; returns the reservation."""
        reservation = self.reserve(tokens)
        if reservation.wait_s > 0:
            await sleep(reservation.wait_s)
        return reservation

    def acquire_blocking(self, tokens: int = 0, sleep: Callable[[float], object] = time.sleep) -> Reservation:
        """Reserve a send and sleep this thread until its slot; returns the reservation."""
        reservation = self.reserve(tokens)
        if reservation.wait_s > 0:
            sleep(reservation.wait_s)
        return reservation

    def settle(self, reservation: Reservation, used: int) -> None:
        """The call's real token count replaces its estimate in the token window."""
        with self._lock:
            reservation.tokens = used

    def _request_slot(self, now: float) -> float:
        while self._sends and self._sends[0] <= now - WINDOW_S:
            self._sends.popleft()
        if not self.rpm or len(self._sends) < self.rpm:
            return now
        # The window holds `rpm` sends: go when the one `rpm` places back has left it.
        return sorted(self._sends)[-self.rpm] + WINDOW_S

    def _token_slot(self, now: float, tokens: int) -> float:
        if not self.tpm or not tokens:
            return now
        while self._tokens and self._tokens[0].at <= now - WINDOW_S:
            self._tokens.popleft()
        used = sum(r.tokens for r in self._tokens)
        at = now
        for held in sorted(self._tokens, key=lambda r: r.at):
            if used + tokens <= self.tpm:
                break
            used -= held.tokens
            at = held.at + WINDOW_S  # a request larger than the whole limit waits for an empty window
        return at

    def try_reserve(self, tokens: int = 0) -> Reservation | None:
        """A reservation that may go now, or None (nothing reserved) when the limits say wait: lets a router
        pick another key instead of waiting, with the check and the reservation under one lock."""
        with self._lock:
            now = self._clock()
            if max(self._request_slot(now), self._token_slot(now, tokens)) > now:
                return None
            self._sends.append(now)
            reservation = Reservation(now, tokens, 0.0)
            if self.tpm:
                self._tokens.append(reservation)
            return reservation

    def headroom(self) -> float:
        """The share of the request limit still free in the current window (1.0 without a limit)."""
        with self._lock:
            if not self.rpm:
                return 1.0
            now = self._clock()
            recent = sum(1 for at in self._sends if at > now - WINDOW_S)
            return max(0.0, (self.rpm - recent) / self.rpm)
