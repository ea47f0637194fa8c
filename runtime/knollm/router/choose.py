"""The routing decision: which candidates can serve a request (the others kept with the reason), and in which
order a strategy tries them. No I/O: `knollm route` prints the same decision a call makes, without calling.

Strategies:
- `ordered`: the configured chain, as written.
- `cheapest`: the lowest exact cost of this request (input estimate, `max_tokens` or `DEFAULT_OUTPUT_TOKENS` out)
  from the catalog's or the configuration's prices; unknown prices last.
- `fastest`: the lowest observed time to first token (health EWMA; a plain answer's whole latency, a stream's
  time to its first text); an unobserved candidate counts `PRIOR_LATENCY_S`, so a new provider is tried once the
  known ones are slower than that.
- `balanced`: a weighted sum of cost, latency and failure rate, each scaled to 0..1 across the candidates
  (weights from the route, default `DEFAULT_WEIGHTS`); lowest first.
- `shuffle`: weighted random order (route weights per candidate, default equal), to spread load.
- `adaptive`: learns from outcomes: discounted Thompson sampling over success times a latency and cost reward
  (`knollm.router.adaptive`; the score shown is `1 - utility`, lowest first). Without a scorer, the prior only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..costs import MTOK, ZERO
from ..records import Model
from ..tokens import estimate_tokens
from ..vocab import STRATEGIES
from .adaptive import AdaptiveScorer
from .health import HealthStore, KeyHealth

DEFAULT_OUTPUT_TOKENS = 500
"""Output tokens assumed for cost when the request sets no `max_tokens`."""
PRIOR_LATENCY_S = 1.0
DEFAULT_WEIGHTS = {"cost": 0.5, "latency": 0.3, "success": 0.2}
_DEFAULT_RNG = random.Random()
"""The generator used when the caller passes none: seeding a new one per decision costs more than deciding."""


@dataclass(frozen=True, slots=True)
class Needs:
    """What a request requires of a candidate: derived from the request (`needs_of`) or given (`--needs`)."""

    input_tokens: int = 0
    max_tokens: int | None = None
    tools: bool = False
    vision: bool = False
    structured_output: bool = False


@dataclass(slots=True)
class Option:
    """A candidate as a strategy sees it: its id, its price record and context, and its health."""

    id: str
    provider: str
    key: str
    model: Model | None
    weight: float = 1.0


@dataclass(slots=True)
class Ranked:
    option: Option
    score: float | None
    cost: Decimal | None
    latency_s: float | None
    success_rate: float | None
    ttft_s: float | None = None


@dataclass(slots=True)
class Decision:
    """The order to try, with each candidate's score, and every excluded candidate with its reason."""

    strategy: str
    ranked: list[Ranked] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)


def needs_of(messages: Sequence[Mapping[str, object]], *, tools: object = None, response_format: object = None,
             max_tokens: int | None = None) -> Needs:
    """What a chat request needs: its estimated input tokens, tools, an image part, structured output."""
    text, vision = [], False
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            text.append(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict):
                    vision = vision or part.get("type") in ("image_url", "image", "input_image")
                    if isinstance(part.get("text"), str):
                        text.append(str(part["text"]))
    structured = isinstance(response_format, dict) and response_format.get("type") == "json_schema"
    return Needs(estimate_tokens("\n".join(text)), max_tokens, bool(tools), vision, structured)


def exclusion(option: Option, needs: Needs, health: KeyHealth | None, now: float, *,
              allow: Sequence[str] = (), deny: Sequence[str] = (), max_price: Decimal | None = None) -> str | None:
    """Why `option` cannot serve the request, or None when it can."""
    if allow and option.provider not in allow:
        return "not in the allowed providers"
    if option.provider in deny:
        return "a denied provider"
    if health is not None and (state := health.state(now)) in ("retired", "cooling"):
        return f"key retired ({health.retired})" if state == "retired" else \
            f"cooling down for {health.cooldown_until - now:.0f} s more ({health.last_error})"
    model = option.model
    context = model.context_window if model else None
    wanted = needs.input_tokens + (needs.max_tokens or 0)
    if context is not None and wanted > context:
        return f"needs {wanted} tokens of context, has {context}"
    capabilities: Mapping[str, bool] = model.capabilities if model else {}
    for needed, name in ((needs.tools, "tools"), (needs.vision, "vision"), (needs.structured_output,
                                                                            "structured_output")):
        if needed and capabilities.get(name) is False:  # unknown is not no: only a declared no excludes
            return f"declares no {name}"
    if max_price is not None and (cost := cost_of(option, needs)) is not None:
        per_mtok = cost * 1_000_000 / max(1, needs.input_tokens + (needs.max_tokens or DEFAULT_OUTPUT_TOKENS))
        if per_mtok > max_price:
            return f"over the maximum price ({per_mtok:.4f} > {max_price} USD per million tokens)"
    return None


def cost_of(option: Option, needs: Needs) -> Decimal | None:
    """The exact cost of this request on the option, or None when a price it needs is unknown.

    The token part of `knollm.estimate_cost` (tiers, per-request fee), inlined because it runs once per candidate
    in every decision: the same value, without building a full breakdown (a test holds them equal)."""
    pricing = option.model.pricing if option.model is not None else None
    output_tokens = needs.max_tokens or DEFAULT_OUTPUT_TOKENS
    if pricing is None or needs.input_tokens < 0 or output_tokens < 0:
        return None
    total = pricing.per_request or ZERO
    for component, tokens in (("input_per_mtok", needs.input_tokens), ("output_per_mtok", output_tokens)):
        if tokens:
            rate = pricing.rate(component, needs.input_tokens)
            if rate is None:
                return None
            total += rate * tokens / MTOK
    return total


def decide(options: Sequence[Option], needs: Needs, strategy: str = "ordered", *, health: HealthStore | None = None,
           weights: Mapping[str, float] | None = None, allow: Sequence[str] = (), deny: Sequence[str] = (),
           max_price: Decimal | None = None, rng: random.Random | None = None,
           scorer: AdaptiveScorer | None = None) -> Decision:
    """Filter `options` for the request, then order them by `strategy` (`adaptive` learns in `scorer`)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; use one of: {', '.join(STRATEGIES)}")
    now = health.clock() if health is not None else time.time()
    known = health.records() if health is not None else {}
    decision = Decision(strategy)
    for option in options:
        record = known.get((option.provider, option.key))
        if (why := exclusion(option, needs, record, now, allow=allow, deny=deny, max_price=max_price)) is not None:
            decision.excluded[option.id] = why
            continue
        decision.ranked.append(Ranked(option, None, cost_of(option, needs), record.latency_s if record else None,
                                      record.success_rate if record else None, record.ttft_s if record else None))
    draw = rng or _DEFAULT_RNG
    if strategy == "adaptive":
        _adaptive(decision.ranked, scorer or AdaptiveScorer(), draw)
    _order(decision, weights or DEFAULT_WEIGHTS, draw)
    return decision


def _order(decision: Decision, weights: Mapping[str, float], rng: random.Random) -> None:
    ranked, strategy = decision.ranked, decision.strategy
    if strategy == "cheapest":
        for r in ranked:
            r.score = float(r.cost) if r.cost is not None else None
    elif strategy == "fastest":
        for r in ranked:
            r.score = r.ttft_s if r.ttft_s is not None else r.latency_s if r.latency_s is not None else \
                PRIOR_LATENCY_S  # a record kept before time to first token was (no ttft): its latency
    elif strategy == "balanced":
        _balanced(ranked, weights)
    elif strategy == "shuffle":
        for r in ranked:  # Efraimidis-Spirakis: a weighted random permutation from one draw each
            r.score = -(rng.random() ** (1.0 / max(r.option.weight, 1e-9)))
    if strategy == "adaptive":  # every score is set (1 - utility): no None to place last
        ranked.sort(key=_score_of)
    elif strategy != "ordered":
        ranked.sort(key=lambda r: (r.score is None, r.score if r.score is not None else 0.0))


def _score_of(ranked: Ranked) -> float:
    return ranked.score or 0.0


def _adaptive(ranked: list[Ranked], scorer: AdaptiveScorer, rng: random.Random) -> None:
    utilities = scorer.sampled([r.option.id for r in ranked], rng, [r.cost for r in ranked])
    for r, utility in zip(ranked, utilities, strict=True):
        r.score = 1.0 - utility


def _balanced(ranked: list[Ranked], weights: Mapping[str, float]) -> None:
    costs = _scaled([float(r.cost) if r.cost is not None else None for r in ranked])
    latencies = _scaled([r.latency_s if r.latency_s is not None else PRIOR_LATENCY_S for r in ranked])
    for r, cost, latency in zip(ranked, costs, latencies, strict=True):
        failure = 1.0 - (r.success_rate if r.success_rate is not None else 1.0)
        r.score = weights.get("cost", 0) * (1.0 if cost is None else cost) + \
            weights.get("latency", 0) * (latency or 0.0) + weights.get("success", 0) * failure


def _scaled(values: list[float | None]) -> list[float | None]:
    """Each value scaled to 0..1 between the smallest and the largest (all 0 when they are equal)."""
    known = [v for v in values if v is not None]
    if not known:
        return [None for _ in values]
    low, high = min(known), max(known)
    return [None if v is None else (0.0 if high == low else (v - low) / (high - low)) for v in values]
