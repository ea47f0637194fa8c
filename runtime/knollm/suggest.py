"""'Did you mean': the closest known ids for an unknown one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

LIMIT = 5


def closest(query: str, ids: Iterable[str], short_ids: Mapping[str, list[str]] | None = None,
            limit: int = LIMIT) -> list[str]:
    """Up to `limit` ids close to `query`, best first.

    `short_ids` maps a provider-local id (e.g. `gpt-4o`) to the global ids carrying it, so `gpt-4o` suggests
    `openai/gpt-4o`, `azure-openai/gpt-4o`, ... Exact short-id hits come first, then case-insensitive
    matches, then fuzzy matches over global ids and short ids (difflib ratio >= 0.6).
    """
    import difflib  # only on the error path

    ids = list(ids)
    wanted = query.strip()
    lowered = wanted.lower()
    found: list[str] = []

    def add(candidates: Iterable[str]) -> None:
        for candidate in candidates:
            if candidate not in found and candidate != wanted:
                found.append(candidate)

    if short_ids:
        add(sorted(short_ids.get(wanted, ())))
        short = wanted.split("/", 1)[1] if "/" in wanted else ""
        add(sorted(short_ids.get(short, ())))
    add(i for i in ids if i.lower() == lowered)
    by_lower = {i.lower(): i for i in ids}
    add(by_lower[m] for m in difflib.get_close_matches(lowered, list(by_lower), n=limit, cutoff=0.6))
    if short_ids and len(found) < limit:
        shorts = {s.lower(): s for s in short_ids}
        tails = {lowered, lowered.split("/", 1)[-1]}
        for tail in sorted(tails):
            for match in difflib.get_close_matches(tail, list(shorts), n=limit, cutoff=0.6):
                add(sorted(short_ids[shorts[match]]))
    return found[:limit]
