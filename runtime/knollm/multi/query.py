"""`query_many`: one request to several models, families or routes at once, each answer with its latency, time to
first token, tokens and exact cost. A member that fails, times out or misses the batch's deadline is reported as
such; it never sinks the batch.

Members run as asyncio tasks on an `AsyncClient`, at most `concurrency` at a time. `timeout_s` bounds each member
(on top of each provider's own `timeout_s`); `deadline_s` bounds the whole batch: members still running (or still
waiting for their turn) then are cancelled and reported with status `deadline`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from ..redact import redact

if TYPE_CHECKING:
    from ..client.aio import AsyncClient
    from ..client.records import CallInfo
    from ..client.sync import Client
    from ..client.types import JSONObject, Usage

Status = Literal["ok", "failed", "timeout", "deadline"]


@dataclass(slots=True, frozen=True)
class MemberResult:
    """One member's outcome. `cost` is exact (USD) or None with `cost_note` saying why; never a guessed zero."""

    model: str
    """What was asked for: a global id, a family or a route."""
    status: Status
    answer: str | None = None
    latency_s: float | None = None
    ttft_s: float | None = None
    """Seconds to the first text (streamed members only)."""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: Decimal | None = None
    cost_note: str | None = None
    provider: str | None = None
    """The provider that answered."""
    answered_by: str | None = None
    """The global id `<provider>/<model_id>` that answered."""
    error: str | None = None
    """The exception class of a failed member (`RateLimited`, `Timeout`, ...)."""
    error_message: str | None = None
    """Its message, with anything that looks like a credential redacted."""
    cache_hit: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(slots=True, frozen=True)
class MultiResult:
    """Every member's result, in the order the models were given."""

    members: tuple[MemberResult, ...]
    elapsed_s: float

    @property
    def succeeded(self) -> list[MemberResult]:
        return [m for m in self.members if m.ok]

    @property
    def failed(self) -> list[MemberResult]:
        return [m for m in self.members if not m.ok]

    def answers(self) -> dict[str, str]:
        """Member → answer text, for the members that answered."""
        return {m.model: m.answer for m in self.members if m.ok and m.answer is not None}

    @property
    def total_cost(self) -> Decimal | None:
        """The exact cost of the batch; None when any answer's cost is unknown (unknown is never counted as 0)."""
        costs = [m.cost for m in self.members if m.ok and not m.cache_hit]
        return None if any(c is None for c in costs) else sum((c for c in costs if c is not None), Decimal(0))


async def aquery_many(client: AsyncClient, models: Sequence[str], messages: list[JSONObject], *,
                      timeout_s: float | None = None, deadline_s: float | None = None, concurrency: int = 4,
                      stream: bool = True, **options: Any) -> MultiResult:
    """Send `messages` to every model of `models` (ids, families or routes) on `client`; `options` go to each
    `create()` call (`max_tokens`, `temperature`, `cache`, ...). `stream=True` measures the time to first token."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    started, gate = time.perf_counter(), asyncio.Semaphore(concurrency)

    async def member(model: str) -> MemberResult:
        async with gate:
            try:
                return await asyncio.wait_for(_ask(client, model, messages, stream, options), timeout_s)
            except TimeoutError:
                return MemberResult(model, "timeout", error="Timeout",
                                    error_message=f"no answer within {timeout_s} s")
            except Exception as exc:  # any member's failure is reported, never raised: the batch goes on
                return MemberResult(model, "failed", error=type(exc).__name__, error_message=redact(str(exc))[:500])

    tasks = [asyncio.ensure_future(member(model)) for model in models]
    if tasks:
        await asyncio.wait(tasks, timeout=deadline_s)
    results = []
    for model, task in zip(models, tasks, strict=True):
        if task.done():
            results.append(task.result())
        else:
            task.cancel()
            results.append(MemberResult(model, "deadline", error="Deadline",
                                        error_message=f"the batch's deadline of {deadline_s} s passed first"))
    await asyncio.gather(*tasks, return_exceptions=True)  # let cancelled members close their connections
    return MultiResult(tuple(results), round(time.perf_counter() - started, 6))


async def _ask(client: AsyncClient, model: str, messages: list[JSONObject], stream: bool,
               options: dict[str, Any]) -> MemberResult:
    from ..client.records import CallInfo

    started = time.perf_counter()
    usage: Usage | None = None
    if stream:
        chunks = await client.chat.completions.create(model=model, messages=messages, stream=True, **options)
        text, first = [], None
        async with chunks:
            async for chunk in chunks:
                usage = chunk.usage or usage
                for choice in chunk.choices:
                    if choice.delta.content:
                        first = first if first is not None else time.perf_counter() - started
                        text.append(choice.delta.content)
        answer, info = "".join(text), chunks.knollm
        ttft = info.ttft_s if info is not None and info.ttft_s is not None else first
    else:
        completion = await client.chat.completions.create(model=model, messages=messages, **options)
        answer, usage, ttft = completion.choices[0].message.content or "", completion.usage, None
        info = completion.knollm if isinstance(completion.knollm, CallInfo) else None
    return _result(model, answer, started, ttft, usage, info)


def _result(model: str, answer: str, started: float, ttft: float | None, usage: Usage | None,
            info: CallInfo | None) -> MemberResult:
    cost = info.cost.total if info is not None and info.cost is not None else None
    return MemberResult(
        model, "ok", answer, latency_s=info.latency_s if info else round(time.perf_counter() - started, 6),
        ttft_s=None if ttft is None else round(ttft, 6), prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None, cost=cost,
        cost_note=info.cost_note if info else "no call record", provider=info.provider if info else None,
        answered_by=info.model if info else None, cache_hit=bool(info and info.cache_hit))


def query_many(client: Client, models: Sequence[str], messages: list[JSONObject], **options: Any) -> MultiResult:
    """`aquery_many` for synchronous code: runs the batch on an `AsyncClient` with `client`'s configuration,
    catalog and key variables (in a new event loop: call `aquery_many` from async code instead)."""
    from ..client.aio import AsyncClient

    async def run() -> MultiResult:
        async with AsyncClient(client.config, catalog=client.resolver.catalog,
                               env=client._env) as async_client:  # same key variables as `client`
            return await aquery_many(async_client, models, messages, **options)

    return asyncio.run(run())
