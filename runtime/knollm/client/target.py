"""Where one attempt goes: `Target` (provider, model, URL, API kind, auth) and `Secret` (a key that never prints)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from ..vocab import CLIENT_AUTH_HEADERS, CallableApiKind

ApiKind = CallableApiKind
"""The wire protocols the client speaks; the catalog's `api_kind` or the configuration's `api` picks one."""

AUTH_HEADERS = CLIENT_AUTH_HEADERS
"""How a key is sent (the catalog's `auth.header` values the client supports); `custom:<Header-Name>` sends the
bare key in that header (the catalog's `custom` with its `header_name`)."""

TAIL = 4
"""How many trailing characters a `Secret` shows."""
MIN_LENGTH_FOR_TAIL = 12
"""Shorter keys show no tail at all: four characters of an eleven-character key would give too much away."""


class Secret:
    """An API key that never appears in reprs, str(), f-strings, logs or pickles; `.reveal()` is the only way out.

    `alias` names where the key came from (`env:ALPHA_KEY_1`, or `literal:<provider>#<n>` for a key written in
    the configuration file) so logs, errors and `knollm config check` can say which key was used; they show
    `env:ALPHA_KEY_1 (…wxyz)`: the alias and, for keys long enough, the last four characters.
    """

    __slots__ = ("_value", "alias", "show_tail")

    _value: str
    alias: str
    show_tail: bool

    def __init__(self, value: str, alias: str = "", *, show_tail: bool = True) -> None:
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "alias", alias)
        object.__setattr__(self, "show_tail", show_tail)  # False for literal keys: not even four characters

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        """The key itself: call only where it goes into a request header."""
        return self._value

    @property
    def tail(self) -> str | None:
        """The last four characters, or None when they are not shown (short or literal keys)."""
        if not self.show_tail or len(self._value) < MIN_LENGTH_FOR_TAIL:
            return None
        return self._value[-TAIL:]

    @property
    def hint(self) -> str:
        """`…abcd` (the last 4 characters), or `…` when they are not shown."""
        return "…" + (self.tail or "")

    def describe(self) -> str:
        """`env:ALPHA_KEY_1 (…wxyz)`, or `env:ALPHA_KEY_1 (…)` when the tail is not shown."""
        return f"{self.alias} ({self.hint})" if self.alias else self.hint

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"Secret({self.describe()!r})"

    def __format__(self, spec: str) -> str:
        return format(self.describe(), spec)

    def __eq__(self, other: object) -> bool:
        # Constant-time: equality of keys must not leak through timing. The alias is where a key came from,
        # not part of it: one key under two names is one key.
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __copy__(self) -> Secret:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the key to wherever the pickle goes (caches, multiprocessing queues, crash dumps).
        raise TypeError("a Secret cannot be pickled; pass its alias (e.g. env:NAME) and resolve it again")


@dataclass(slots=True, frozen=True)
class Target:
    """One concrete place to send a request: a provider's model at a URL, spoken to with one API.

    `model_id` is the provider's own id (what goes into the request body or URL), `base_url` has no trailing
    path (`https://api.openai.com/v1`), `auth_header` is one of `AUTH_HEADERS` or `custom:<Header-Name>`, `key`
    is None for providers that need none (local servers), `headers` are added to every request.
    """

    provider: str
    model_id: str
    base_url: str
    api: ApiKind = "openai"
    auth_header: str = "bearer"
    key: Secret | None = None
    timeout_s: float = 60.0
    headers: dict[str, str | Secret] = field(default_factory=dict, hash=False)
    also_redact: tuple[Secret, ...] = field(default=(), hash=False, compare=False)
    """Other keys of the same call (its other candidates): masked in this target's errors too, should a provider
    ever echo a key that was not sent to it."""

    @property
    def key_alias(self) -> str | None:
        """Where the key came from (`env:NAME`), for the response's `.knollm` record; never the key."""
        return self.key.alias if self.key is not None else None

    def url(self, path: str) -> str:
        """`base_url` joined with `path` (one slash between them)."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def secrets(self) -> tuple[str, ...]:
        """The key's value and secret header values, for redacting provider text; empty without them."""
        found = [value.reveal() for value in self.headers.values() if isinstance(value, Secret)]
        found += [secret.reveal() for secret in self.also_redact]
        return ((self.key.reveal(),) if self.key is not None else ()) + tuple(found)
