"""Consensus among several models' answers: a majority vote over normalised short or structured answers, or a
judge model that groups free-text answers by meaning.

Vote normalisation: a JSON answer (also inside a ```json fence) is compared as data (key order, spacing and
`1` vs `1.0` do not count); any other answer is case-folded, its whitespace collapsed, and surrounding quotes,
backticks and final `.`/`!` dropped. So `"Paris."`, `paris` and `PARIS!` are one vote; `Paris, France` is another:
votes suit short answers (a label, a number, a yes/no, a JSON object), the judge suits prose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import KnollmError
from .query import MultiResult

if TYPE_CHECKING:
    from ..client.aio import AsyncClient
    from ..client.sync import Client
    from ..client.types import JSONObject

_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(.*?)\n?```$", re.S)
_EDGES = " \t\n\"'`“”‘’"
JUDGE_INSTRUCTIONS = (
    "You compare answers to one question. Group the answers that say the same thing (the same facts or the same "
    "conclusion, whatever the wording). Reply with JSON only, listing every answer number once: "
    '{"groups": [[1, 3], [2]]}'
)


class JudgeError(KnollmError):
    """The judge's answer holds no usable verdict (no JSON object with a `groups` list of answer numbers)."""


@dataclass(slots=True, frozen=True)
class Consensus:
    """The agreement among answers: the majority's answer, its share, and who dissented or gave no answer."""

    answer: str | None
    """The majority's answer, as its first member wrote it (None without any answer)."""
    agreement: float
    """The share of answering members in the largest group (0.0 to 1.0)."""
    agreeing: tuple[str, ...]
    dissenters: tuple[str, ...]
    """Members that answered something else."""
    abstained: tuple[str, ...]
    """Members that gave no answer (failed, timed out)."""
    groups: tuple[tuple[str, ...], ...]
    """Every group of members that agree, largest first."""
    method: Literal["vote", "judge"]

    @property
    def majority(self) -> bool:
        """More than half of the answering members agree."""
        return self.agreement > 0.5


def normalise_answer(text: str) -> str:
    """The vote key of an answer (see the module)."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):
        data = stripped
    if not isinstance(data, str):  # a JSON object, array, number, true/false/null: compared as data
        return json.dumps(_as_data(data), sort_keys=True, separators=(",", ":"))
    stripped = data
    words = " ".join(stripped.split()).casefold().strip(_EDGES)
    return words.rstrip(".!").strip(_EDGES)


def _as_data(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_as_data(v) for v in value]
    return {k: _as_data(v) for k, v in value.items()}


def _answers(answers: MultiResult | Mapping[str, str | None]) -> tuple[dict[str, str], list[str]]:
    if isinstance(answers, MultiResult):
        given = {m.model: m.answer if m.ok else None for m in answers.members}
    else:
        given = dict(answers)
    present = {k: v for k, v in given.items() if v is not None}
    return present, [k for k, v in given.items() if v is None]


def _consensus(present: dict[str, str], abstained: list[str], groups: list[list[str]],
               method: Literal["vote", "judge"]) -> Consensus:
    groups = sorted((g for g in groups if g), key=len, reverse=True)  # stable: ties keep the first group first
    top = groups[0] if groups else []
    return Consensus(answer=present[top[0]] if top else None,
                     agreement=len(top) / len(present) if present else 0.0, agreeing=tuple(top),
                     dissenters=tuple(m for m in present if m not in top), abstained=tuple(abstained),
                     groups=tuple(tuple(g) for g in groups), method=method)


def consensus(answers: MultiResult | Mapping[str, str | None]) -> Consensus:
    """Majority vote over normalised answers: a `query_many` result, or member → answer (None: no answer)."""
    present, abstained = _answers(answers)
    by_key: dict[str, list[str]] = {}
    for member, text in present.items():
        by_key.setdefault(normalise_answer(text), []).append(member)
    return _consensus(present, abstained, list(by_key.values()), "vote")


def judge_messages(question: str, answers: Sequence[str],
                   instructions: str = JUDGE_INSTRUCTIONS) -> list[JSONObject]:
    """The judge's request: the instructions as the system prompt, the question and the numbered answers."""
    listed = "\n\n".join(f"[{i}] {text}" for i, text in enumerate(answers, 1))
    return [{"role": "system", "content": instructions},
            {"role": "user", "content": f"Question:\n{question}\n\nAnswers:\n{listed}"}]


def parse_verdict(text: str, count: int) -> list[list[int]]:
    """The groups (0-based answer indexes) of the judge's answer: the first JSON object in it with a `groups` list;
    numbers out of range or repeated are ignored, answers it does not mention form groups of their own."""
    decoder, start = json.JSONDecoder(), text.find("{")
    while start != -1:
        try:
            found, _ = decoder.raw_decode(text, start)
        except ValueError:
            found = None
        if isinstance(found, dict) and isinstance(found.get("groups"), list):
            return _groups(found["groups"], count)
        start = text.find("{", start + 1)
    raise JudgeError("the judge's answer holds no JSON verdict with a 'groups' list")


def _groups(raw: list[Any], count: int) -> list[list[int]]:
    seen: set[int] = set()
    groups = []
    for group in raw:
        members = []
        for n in group if isinstance(group, list) else [group]:
            if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= count and n - 1 not in seen:
                seen.add(n - 1)
                members.append(n - 1)
        groups.append(members)
    return groups + [[i] for i in range(count) if i not in seen]


def _judged(present: dict[str, str], abstained: list[str], verdict: str) -> Consensus:
    members = list(present)
    groups = [[members[i] for i in group] for group in parse_verdict(verdict, len(members))]
    return _consensus(present, abstained, groups, "judge")


def judge_consensus(client: Client, judge: str, question: str, answers: MultiResult | Mapping[str, str | None],
                    *, instructions: str = JUDGE_INSTRUCTIONS, **options: Any) -> Consensus:
    """Ask the model `judge` to group free-text answers by meaning (`options` go to its `create()` call, e.g.
    `temperature=0`); `JudgeError` when its answer holds no verdict."""
    present, abstained = _answers(answers)
    if not present:
        return _consensus(present, abstained, [], "judge")
    reply = client.chat.completions.create(model=judge, messages=judge_messages(question, list(present.values()),
                                                                                 instructions), **options)
    return _judged(present, abstained, reply.choices[0].message.content or "" if reply.choices else "")


async def ajudge_consensus(client: AsyncClient, judge: str, question: str,
                           answers: MultiResult | Mapping[str, str | None], *,
                           instructions: str = JUDGE_INSTRUCTIONS, **options: Any) -> Consensus:
    """`judge_consensus` on an `AsyncClient`."""
    present, abstained = _answers(answers)
    if not present:
        return _consensus(present, abstained, [], "judge")
    reply = await client.chat.completions.create(
        model=judge, messages=judge_messages(question, list(present.values()), instructions), **options)
    return _judged(present, abstained, reply.choices[0].message.content or "" if reply.choices else "")
