"""`knollm chat` and `knollm providers check`: the CLI commands that call providers (through `knollm.Client`).

Imported only when one of them runs: the client needs httpx and pydantic (the `client` extra). Everything a
provider sends is untrusted text; `Output` escapes what reaches the terminal, and keys never appear (only the
names of their variables).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .render import Output, money
from .serialize import to_data

if TYPE_CHECKING:  # the client loads only when a command that calls providers runs
    from .client.resolve import Candidate
    from .client.sync import Client
    from .client.types import JSONObject


def _client(args: argparse.Namespace) -> Client:
    from .catalog import Catalog
    from .client.sync import Client

    return Client(args.config, profile=args.profile, catalog=Catalog.load(getattr(args, "bundle", None)))


def _messages(args: argparse.Namespace) -> list[JSONObject]:
    prompt = args.prompt if args.prompt not in (None, "-") else sys.stdin.read()
    system: list[JSONObject] = [{"role": "system", "content": args.system}] if args.system else []
    return [*system, {"role": "user", "content": prompt}]


def chat(args: argparse.Namespace, out: Output) -> int:
    """Stream the answer to the terminal (`--json`: one JSON document with the answer and its `.knollm` record)."""
    with _client(args) as client:
        if out.json:
            result = client.chat.completions.create(model=args.model, messages=_messages(args),
                                                    max_tokens=args.max_tokens)
            out.data({"response": result.to_dict(), "knollm": to_data(result.knollm)})
            return 0
        stream = client.chat.completions.create(model=args.model, messages=_messages(args), stream=True,
                                                max_tokens=args.max_tokens)
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    out.stream.write(choice.delta.content)
                    out.stream.flush()
        out.stream.write("\n")
    info = stream.knollm
    if info is not None and not args.quiet:
        cost = money(info.cost.total) if info.cost else f"cost unknown ({info.cost_note})"
        sys.stderr.write(f"-- {info.model} · {info.latency_s:.2f} s · {cost}\n")
    return 0


@dataclass(slots=True)
class Checked:
    """One provider's check: its listing and, with `--deep`, a one-token completion."""

    provider: str
    status: str
    seconds: float | None = None
    listed: int | None = None
    catalog_lacks: tuple[str, ...] = ()
    no_longer_served: tuple[str, ...] = ()
    deep: str | None = None


def providers_check(args: argparse.Namespace, out: Output) -> int:
    """For each provider with a key: call its models endpoint, time it, and compare its ids with the catalog."""
    from .client.errors import ClientError

    with _client(args) as client:
        resolver, checked = client.resolver, []
        providers = [args.provider] if args.provider else sorted(
            {p.id for p in resolver.catalog.providers()} | set(resolver.config.providers))
        for pid in providers:
            candidate = resolver.candidate(pid, "-")
            if isinstance(candidate, str):
                if args.provider:
                    checked.append(Checked(pid, f"not checked: {candidate}"))
                continue
            try:
                checked.append(_check(client, candidate, args.deep))
            except ClientError as exc:
                checked.append(Checked(pid, f"{type(exc).__name__}: {str(exc)[:200]}"))
    _print_checks(checked, out, args.verbose)
    return 0 if all(c.status == "ok" for c in checked) else 1


def _check(client: Client, candidate: Candidate, deep: bool) -> Checked:
    from .client.listing import fetch_model_ids

    started = time.perf_counter()
    listed = fetch_model_ids(client.http, candidate)
    seconds = time.perf_counter() - started
    pid = candidate.target.provider
    known = {m.model_id for m in client.resolver.catalog.models if m.provider == pid}
    result = Checked(pid, "ok", round(seconds, 3), len(listed), tuple(sorted(set(listed) - known)),
                     tuple(sorted(known - set(listed))))
    if deep:
        result.deep = _deep(client, pid, sorted(set(listed) & known) or listed)
    return result


def _deep(client: Client, pid: str, models: list[str]) -> str:
    from .client.errors import ClientError

    if not models:
        return "no model to try"
    started = time.perf_counter()
    try:
        client.chat.completions.create(model=f"{pid}/{models[0]}", messages=[{"role": "user", "content": "ping"}],
                                       max_tokens=1)
    except ClientError as exc:
        return f"{models[0]}: {type(exc).__name__}"
    return f"{models[0]}: ok in {time.perf_counter() - started:.2f} s"


def _print_checks(checked: list[Checked], out: Output, verbose: bool) -> None:
    if out.json:
        out.data(checked)
        return
    if not checked:
        out.line("No provider has a key: set a provider's key variable or add keys in knollm.toml "
                 "(`knollm config check` shows what is configured).")
        return
    rows = [[c.provider, c.status, "-" if c.seconds is None else f"{c.seconds:.2f} s",
             "-" if c.listed is None else str(c.listed), str(len(c.catalog_lacks)), str(len(c.no_longer_served)),
             c.deep or "-"] for c in checked]
    out.table(["provider", "status", "latency", "listed", "catalog lacks", "no longer served", "deep"], rows,
              right=(2, 3, 4, 5))
    for c in checked:
        if verbose and (c.catalog_lacks or c.no_longer_served):
            out.line(f"{c.provider}: catalog lacks {', '.join(c.catalog_lacks) or '-'}; "
                     f"no longer served: {', '.join(c.no_longer_served) or '-'}")


def route(args: argparse.Namespace, out: Output) -> int:
    """The routing decision for MODEL without calling any provider: candidates in order with their scores, the
    excluded ones with reasons, and the choice."""
    from .router.choose import Needs
    from .router.route import policy_for

    needs_given = set(args.needs)
    needs = Needs(args.input_tokens, args.max_tokens, "tools" in needs_given, "vision" in needs_given,
                  "structured_output" in needs_given)
    with _client(args) as client:  # the plan a call makes (same policy, health and options), without calling
        resolution = client.resolve(args.model)
        policy = policy_for(client.config, args.model, args.strategy)
        store = client.router.store(client.config)
        plan, budget_note = client.router.explain(resolution, needs, policy, store, client.config)  # holds nothing
        decision = plan.decision
    if out.json:
        out.data({"model": args.model, "strategy": decision.strategy,
                  "candidates": [{"id": r.option.id, "key": r.option.key, "score": r.score, "cost": r.cost}
                                 for r in decision.ranked],
                  "excluded": decision.excluded, "choice": decision.ranked[0].option.id if decision.ranked else None,
                  "budget": budget_note})
        return 0 if decision.ranked else 1
    rows = [[str(i), r.option.id, r.option.key, "-" if r.score is None else f"{r.score:.6g}",
             money(r.cost) if r.cost is not None else "unknown"] for i, r in enumerate(decision.ranked, 1)]
    out.table(["#", "candidate", "key", "score", "cost of this request"], rows, right=(0, 3, 4),
              title=f"{args.model}: strategy {decision.strategy}")
    for cid, why in decision.excluded.items():
        out.line(f"excluded {cid}: {why}")
    if budget_note is not None:
        out.line(budget_note)
    out.line(f"choice: {decision.ranked[0].option.id}" if decision.ranked else "choice: none (no usable candidate)")
    return 0 if decision.ranked else 1
