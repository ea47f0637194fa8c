"""`compare`: the answers of a `query_many` batch side by side: length, latency, time to first token, exact cost,
and the pairwise similarity of the answers (Jaccard similarity of their word 3-shingles, as the response cache's
near-duplicate match; 1.0 = the same words in the same order, 0.0 = nothing in common)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from ..cache.key import jaccard, shingles
from ..texthygiene import terminal_safe
from .query import MemberResult, MultiResult


@dataclass(slots=True, frozen=True)
class CompareRow:
    """One member's line of the comparison."""

    model: str
    status: str
    characters: int | None
    words: int | None
    latency_s: float | None
    ttft_s: float | None
    cost: Decimal | None
    answer: str | None


@dataclass(slots=True, frozen=True)
class Comparison:
    """Rows in the order of the batch, and the similarity of every pair of answers (by member names)."""

    rows: tuple[CompareRow, ...]
    similarity: dict[tuple[str, str], float]

    def table(self) -> str:
        """A plain-text table (answers' text is made terminal-safe)."""
        head = ("model", "status", "chars", "words", "latency s", "ttft s", "cost USD")
        lines = [head] + [(r.model, r.status, _n(r.characters), _n(r.words), _f(r.latency_s), _f(r.ttft_s),
                           "-" if r.cost is None else f"{r.cost:f}") for r in self.rows]
        widths = [max(len(terminal_safe(str(line[i]), single_line=True)) for line in lines) for i in range(len(head))]
        text = ["  ".join(terminal_safe(str(cell), single_line=True).ljust(w) for cell, w in zip(line, widths,
                                                                                               strict=True)).rstrip()
                for line in lines]
        text += [f"similarity {terminal_safe(a, single_line=True)} ~ {terminal_safe(b, single_line=True)}: {s:.2f}"
                 for (a, b), s in self.similarity.items()]
        return "\n".join(text)


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def similarity(first: str, second: str) -> float:
    """The Jaccard similarity of two texts' word 3-shingles (case-folded)."""
    return jaccard(shingles(first), shingles(second))


def compare(results: MultiResult | list[MemberResult]) -> Comparison:
    """The side-by-side of a batch (failed members are listed with their status and no figures)."""
    members = results.members if isinstance(results, MultiResult) else tuple(results)
    rows = tuple(CompareRow(m.model, m.status if m.ok else f"{m.status}: {m.error}",
                            len(m.answer) if m.answer is not None else None,
                            len(m.answer.split()) if m.answer is not None else None, m.latency_s, m.ttft_s, m.cost,
                            m.answer) for m in members)
    answered = [(m.model, m.answer) for m in members if m.ok and m.answer is not None]
    pairs = {(a, b): round(similarity(x, y), 4) for (a, x), (b, y) in combinations(answered, 2)}
    return Comparison(rows, pairs)
