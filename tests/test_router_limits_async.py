"""Rate limits under concurrency: 50 asyncio tasks and 8 threads against one key's rpm=10, on a virtual clock,
never send more than 10 in any sliding minute, and the event loop is never blocked (the wait is awaited)."""

from __future__ import annotations

import asyncio
import random
import threading

from knollm.router.limits import WINDOW_S, KeyLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def most_in_one_window(times: list[float]) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + WINDOW_S) for start in ordered)


def test_fifty_async_tasks_never_exceed_the_rpm() -> None:
    clock = Clock()
    limiter = KeyLimiter(rpm=10, clock=clock)
    jitter = random.Random(4)
    sends: list[float] = []
    waits: list[float] = []
    ticks = 0

    async def virtual_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)  # yield to the loop as a real sleep would, without the real wait

    async def task() -> None:
        await asyncio.sleep(0)
        clock.now += jitter.uniform(0, 4)  # time passes between the tasks' arrivals
        reservation = await limiter.acquire(sleep=virtual_sleep)
        sends.append(reservation.at)

    async def ticker() -> None:  # runs between the tasks' steps: the loop stays free while they wait
        nonlocal ticks
        for _ in range(200):
            ticks += 1
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(ticker(), *(task() for _ in range(50)))

    asyncio.run(main())
    assert len(sends) == 50 and most_in_one_window(sends) == 10
    assert len(waits) >= 40 and ticks == 200  # most tasks had to wait; the loop kept running meanwhile
    assert max(sends) >= min(sends) + 4 * WINDOW_S  # 50 sends at 10 a minute span at least four more minutes


def test_eight_threads_never_exceed_the_rpm() -> None:
    clock = Clock()
    limiter = KeyLimiter(rpm=10, clock=clock)
    sends: list[float] = []
    lock = threading.Lock()
    slept: list[float] = []

    def caller() -> None:
        for _ in range(6):
            reservation = limiter.acquire_blocking(sleep=slept.append)
            with lock:
                sends.append(reservation.at)
                clock.now += 0.5

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sends) == 48 and most_in_one_window(sends) == 10 and len(slept) == 38


def test_without_limits_nothing_waits() -> None:
    limiter = KeyLimiter()
    assert asyncio.run(limiter.acquire(tokens=500)).wait_s == 0
    assert limiter.acquire_blocking(tokens=500).wait_s == 0
