"""'Did you mean' read from the bundle index: the lower-cased ids, the provider-local ids and the suggestion pools'
names the compiler wrote (`bundle_index._spelling_sections`), so a first unknown id in a 100k catalog neither
parses the id columns nor builds a dictionary of every id.

Each is a section of lines `<key>\\0<value>\\n` sorted by key (no id or local id holds a NUL or a line break: the
compiler leaves the sections out otherwise) and a section of where each line starts: a lookup is a binary search."""

from __future__ import annotations

import operator
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain
from typing import overload


def spelling_sections(ids: list[str], model_ids: Sequence[str | None],
                      pools: dict[str, list[str]]) -> dict[str, tuple[bytes, list[int]]]:
    """What 'did you mean' would otherwise build from every id on the first unknown one, as sorted lines
    (`sorted_lines`): `ids_lower` (id lower-cased -> id), `shorts` (local id, the id when there is none -> id),
    `shorts_lower` (local id lower-cased -> each spelling, in first-seen order), and the pools' names
    (`suggest_<pool>_names`, one per line). Each is (its bytes, where each line starts); the index stores both.
    None of them when a text holds a NUL or a line break (the separators): the runtime then builds them itself."""
    shorts = [local or model_id for model_id, local in zip(ids, model_ids, strict=True)]
    if any("\0" in text or "\n" in text for text in chain(ids, shorts, *pools.values())):
        return {}
    sections = {"ids_lower": sorted_lines([(i.lower(), i) for i in ids]),
                "shorts": sorted_lines(list(zip(shorts, ids, strict=True))),
                "shorts_lower": sorted_lines([(s.lower(), s) for s in dict.fromkeys(shorts)])}
    for pool, names in pools.items():
        sections[f"suggest_{pool}_names"] = lines([name.encode() for name in names])
    return sections


def sorted_lines(pairs: list[tuple[str, str]]) -> tuple[bytes, list[int]]:
    """Lines `<key>\\0<value>` sorted by the key's UTF-8 bytes (pairs with one key keep their order)."""
    encoded = sorted(((key.encode(), value.encode()) for key, value in pairs), key=operator.itemgetter(0))
    return lines([b"%s\0%s" % (key, value) for key, value in encoded])


def lines(texts: list[bytes]) -> tuple[bytes, list[int]]:
    """The texts each followed by a line break, and where each line starts."""
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return b"".join(text + b"\n" for text in texts), starts


class SortedLines:
    """Key -> the values of the lines with that key, in the order written."""

    def __init__(self, data: bytes, starts: Sequence[int]) -> None:
        self._data = data
        self._starts = starts

    def _key(self, row: int) -> bytes:
        start = self._starts[row]
        return self._data[start: self._data.index(b"\0", start)]

    def get(self, key: str) -> list[str]:
        try:
            wanted = key.encode()
        except UnicodeEncodeError:  # a lone surrogate: nothing is spelt so
            return []
        found, row = [], bisect_left(range(len(self._starts)), wanted, key=self._key)
        while row < len(self._starts) and self._key(row) == wanted:
            start = self._starts[row] + len(wanted) + 1
            found.append(self._data[start: self._data.index(b"\n", start)].decode())
            row += 1
        return found

    def __len__(self) -> int:
        return len(self._starts)

    def keys(self) -> Iterator[str]:
        return (self._key(row).decode() for row in range(len(self._starts)))


class Lines(Sequence[str]):
    """The lines of a section by position, each decoded when asked for (a pool's 100k names are not split)."""

    def __init__(self, data: bytes, starts: Sequence[int]) -> None:
        self._data = data
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, row: int) -> str: ...

    @overload
    def __getitem__(self, row: slice) -> list[str]: ...

    def __getitem__(self, row: int | slice) -> str | list[str]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        start = self._starts[row]
        return self._data[start: self._data.index(b"\n", start)].decode()


class IndexedSpellings:
    """The `knollm.suggest.SpellingSource` of an index: each section is read (and checked) on first use."""

    def __init__(self, section: Callable[[str], bytes], positions: Callable[[bytes], Sequence[int]]) -> None:
        self._section = section
        self._positions = positions
        self._read: dict[str, SortedLines] = {}

    def _lines(self, name: str) -> SortedLines:
        if name not in self._read:
            self._read[name] = SortedLines(self._section(name), self._positions(self._section(f"{name}_at")))
        return self._read[name]

    def names(self, pool: str) -> Lines:
        """The lower-cased names of a suggestion pool, in the order `suggest.pool_names` gives them."""
        name = f"suggest_{pool}_names"
        return Lines(self._section(name), self._positions(self._section(f"{name}_at")))

    def id_spellings(self, lowered: str) -> list[str]:
        """Every model id that lower-cases to `lowered`, in bundle order."""
        return self._lines("ids_lower").get(lowered)

    def short_spelling(self, lowered: str) -> str | None:
        """The spelling a suggester's dict of lower-cased local ids keeps for `lowered`: of the spellings that
        lower-case to it, the one seen first last (`dict.fromkeys` order, the last write winning)."""
        spellings = self._lines("shorts_lower").get(lowered)
        return spellings[-1] if spellings else None

    def short_ids(self) -> IndexedShortIds:
        return IndexedShortIds(lambda: self._lines("shorts"))


class IndexedShortIds(Mapping[str, list[str]]):
    """Provider-local id -> the global ids carrying it, in bundle order (as `catalog_store.Grouped`), looked up in
    the index's `shorts` lines (keys listed in sorted order)."""

    def __init__(self, lines: Callable[[], SortedLines]) -> None:
        self._lines = lines

    def __getitem__(self, key: str) -> list[str]:
        found = self._lines().get(key)
        if not found:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self._lines().keys()))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:  # without listing every key
        return len(self._lines()) > 0
