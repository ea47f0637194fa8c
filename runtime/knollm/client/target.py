"""Where one attempt goes: `Target` (provider, model, URL, API kind, auth) and `Secret` (a key that never prints)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Literal

ApiKind = Literal["openai", "anthropic", "gemini"]
"""The wire protocols the client speaks; the catalog's `api_kind` or the configuration's `api` picks one."""

AUTH_HEADERS = ("bearer", "token", "authorization-raw", "x-api-key", "x-goog-api-key", "api-key", "none")
"""How a key is sent (the catalog's `auth.header` values the client supports); `custom:<Header-Name>` sends the
bare key in that header (the catalog's `custom` with its `header_name`)."""

_SHOWN = 4
_MIN_SHOWN_LEN = 12  # a short key would be too guessable from its last 4 characters: show none of it


class Secret:
    """An API key that never appears in reprs, str(), f-strings or logs; `.reveal()` is the only way out.

    `alias` names where the key came from (`env:ALPHA_KEY_1`) so logs and errors can say which key was used.
    """

    __slots__ = ("_value", "alias")

    _value: str
    alias: str

    def __init__(self, value: str, alias: str = "") -> None:
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "alias", alias)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        """The key itself: call only where it goes into a request header."""
        return self._value

    @property
    def hint(self) -> str:
        """`…abcd` (the last 4 characters), or `…` for keys too short to show any of."""
        if len(self._value) < _MIN_SHOWN_LEN:
            return "…"
        return "…" + self._value[-_SHOWN:]

    def __str__(self) -> str:
        return f"{self.alias} {self.hint}" if self.alias else self.hint

    def __repr__(self) -> str:
        return f"Secret({self})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode()) and self.alias == other.alias

    def __hash__(self) -> int:
        return hash((Secret, self.alias, len(self._value)))

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
    headers: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def key_alias(self) -> str | None:
        """Where the key came from (`env:NAME`), for the response's `.knollm` record; never the key."""
        return self.key.alias if self.key is not None else None

    def url(self, path: str) -> str:
        """`base_url` joined with `path` (one slash between them)."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def secrets(self) -> tuple[str, ...]:
        """The key's value, for redacting provider text; empty without a key."""
        return (self.key.reveal(),) if self.key is not None else ()
