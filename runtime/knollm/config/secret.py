"""`Secret`: an API key that does not print itself.

A key leaves a `Secret` only through `reveal()`; `repr`, `str`, f-strings and pickling never show it. What they
show is the key's `alias` (where it came from, e.g. `env:ALPHA_KEY_1`) and, for keys long enough that four
characters give nothing useful away, the last four characters, so a person can tell two keys apart.
The client engineer's `client/target.py` may define the same class; the lead keeps one of them.
"""

from __future__ import annotations

import hmac
from typing import NoReturn

TAIL = 4
"""How many trailing characters a `Secret` shows."""
MIN_LENGTH_FOR_TAIL = 12
"""Shorter keys show no tail at all: four characters of an eight-character key would be half of it."""


class Secret:
    """An API key with a printable alias. `reveal()` is the only way to the key itself."""

    __slots__ = ("_value", "alias", "show_tail")

    def __init__(self, value: str, alias: str, *, show_tail: bool = True) -> None:
        self._value = value
        self.alias = alias
        """Where the key came from: `env:NAME`, or `literal:<provider>#<n>` for a literal key in the file."""
        self.show_tail = show_tail
        """False for literal keys: their characters are never printed, not even the last four."""

    def reveal(self) -> str:
        """The key itself: put it in a request header, nowhere else."""
        return self._value

    @property
    def tail(self) -> str | None:
        """The last four characters, or None when they are not shown (short or literal keys)."""
        if not self.show_tail or len(self._value) < MIN_LENGTH_FOR_TAIL:
            return None
        return self._value[-TAIL:]

    def describe(self) -> str:
        """`env:ALPHA_KEY_1 (…wxyz)`, or `env:ALPHA_KEY_1 (…)` when the tail is not shown."""
        return f"{self.alias} (…{self.tail or ''})"

    def __repr__(self) -> str:
        return f"Secret({self.describe()!r})"

    __str__ = describe

    def __eq__(self, other: object) -> bool:
        # Constant-time comparison: equality of keys must not leak through timing either.
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __copy__(self) -> Secret:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: pass the key by its environment variable instead")
