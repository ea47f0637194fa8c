"""The parts of a call that do no I/O, shared by `Client` and `AsyncClient`: the request from `create()`'s
keywords, what a finished call records, and how a stream's chunks add up.

A call is "resolve candidates → pick → attempt → record": `resolve.Resolver` finds the candidates, the router
(`knollm.router.attempts`) picks, fails over and rotates keys, and this module records the outcome.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from .costing import cost_of
from .errors import ClientError
from .records import Attempt, CallFailure, CallInfo
from .resolve import Candidate
from .types import ChatCompletion, ChatCompletionChunk, ChatRequest, JSONObject, Usage

log = logging.getLogger("knollm.client")

_NAMED = ("tools", "tool_choice", "response_format", "max_tokens", "temperature")


def request_from(model: str, messages: list[JSONObject], stream: bool, options: dict[str, Any]) -> ChatRequest:
    """The canonical request from `create()`'s keywords: the named OpenAI parameters, the rest in `extra`
    (passed to the provider as given; None values are left out, as the OpenAI SDK does with NOT_GIVEN)."""
    named = {name: options.pop(name) for name in _NAMED if name in options}
    cache = options.pop("cache", None)  # the response cache's switch, never sent to a provider
    extra = {name: value for name, value in options.items() if value is not None}
    return ChatRequest(model, list(messages), stream, extra=extra, cache=cache, **named)


def timed(request: httpx.Request, seconds: float) -> httpx.Request:
    """The request with the target's timeout for every phase (connect, write, read, pool)."""
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
    return request


def attempt_record(candidate: Candidate, started: float, error: BaseException | None = None) -> Attempt:
    """The record of one attempt that ended now; logged without keys (only their aliases)."""
    target = candidate.target
    seconds = time.perf_counter() - started
    status = "ok" if error is None else "failed"
    attempt = Attempt(target.provider, target.model_id, status, type(error).__name__ if error else None,
                      round(seconds, 6), target.key_alias)
    log.debug("attempt %s/%s %s%s in %.3f s (key %s)", target.provider, target.model_id, status,
              f" ({attempt.error})" if error else "", seconds, target.key_alias or "none")
    return attempt


def call_info(requested: str, candidate: Candidate, attempts: list[Attempt], started: float,
              usage: Usage | None, ttft_s: float | None = None) -> CallInfo:
    """The `.knollm` record of a finished call."""
    cost, note = cost_of(candidate.model, usage)
    target = candidate.target
    return CallInfo(
        provider=target.provider, model_id=target.model_id, model=candidate.id,
        family=candidate.model.family if candidate.model else None, key_alias=target.key_alias,
        attempts=tuple(attempts), latency_s=round(time.perf_counter() - started, 6),
        ttft_s=None if ttft_s is None else round(ttft_s, 6), cost=cost, cost_note=note, requested=requested,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
    )


def abandoned_info(requested: str, candidate: Candidate, attempts: list[Attempt], started: float,
                   progress: StreamProgress) -> CallInfo:
    """What observers learn of a stream the caller stopped reading: the tokens and cost known so far (None when
    the usage chunk never came: unknown, never zero)."""
    target = candidate.target
    seconds = round(time.perf_counter() - progress.started, 6)
    last = Attempt(target.provider, target.model_id, "abandoned", None, seconds, target.key_alias)
    info = call_info(requested, candidate, [*attempts, last], started, progress.usage, progress.ttft_s)
    return replace(info, abandoned=True)


def with_info(completion: ChatCompletion, info: CallInfo) -> ChatCompletion:
    return replace(completion, knollm=info)


def failure_record(requested: str, error: ClientError, attempts: list[Attempt], started: float) -> CallFailure:
    """What observers learn of a call no candidate answered."""
    return CallFailure(requested, type(error).__name__, tuple(attempts), round(time.perf_counter() - started, 6))


def failed(error: ClientError, attempts: list[Attempt]) -> ClientError:
    """The error a call raises when no candidate answered: the last one, carrying every attempt."""
    error.attempts = tuple(attempts)
    return error


@dataclass(slots=True)
class StreamProgress:
    """What one stream has delivered so far: chunk count, text, time to the first token, final usage."""

    started: float = field(default_factory=time.perf_counter)
    chunks: int = 0
    text: list[str] = field(default_factory=list)
    ttft_s: float | None = None
    usage: Usage | None = None
    delivered: bool = False
    """True once text or a tool call reached the caller: from then on, another candidate would repeat it."""

    def see(self, chunk: ChatCompletionChunk) -> None:
        self.chunks += 1
        if chunk.usage is not None:
            self.usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.tool_calls:
                self.delivered = True
            if choice.delta.content:
                self.delivered = True
                if self.ttft_s is None:
                    self.ttft_s = time.perf_counter() - self.started
                self.text.append(choice.delta.content)
