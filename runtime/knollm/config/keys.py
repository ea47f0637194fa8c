"""From key references (`env:NAME`) to `Secret`s, at the moment a provider is used.

An unset variable is not an error of the configuration (the provider may never be called); the client reports
it when it needs the provider (`missing_keys`), and `knollm config check` shows it as a warning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import ENV_PREFIX, ProviderSettings, is_literal_key
from .secret import Secret


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """What a key reference resolves to, for display: never the key itself."""

    ref: str
    """`env:NAME`, or `literal:<provider>#<n>` for a literal key (its text is never shown)."""
    set: bool
    tail: str | None
    """The last four characters when shown (see `Secret.tail`)."""

    def describe(self) -> str:
        """`env:ALPHA_KEY_1 (…wxyz)`, `env:ALPHA_KEY_1 (not set)`, `literal:alpha#1 (hidden)`."""
        if not self.set:
            return f"{self.ref} (not set)"
        return f"{self.ref} (…{self.tail})" if self.tail else f"{self.ref} (hidden)"


def _secret(ref: str, index: int, provider_id: str, env: Mapping[str, str]) -> Secret | None:
    if is_literal_key(ref):
        return Secret(ref, f"literal:{provider_id}#{index + 1}", show_tail=False)
    value = env.get(ref[len(ENV_PREFIX):])
    return Secret(value, ref) if value else None


def resolve_keys(provider: ProviderSettings, env: Mapping[str, str] | None = None, *,
                 provider_id: str = "provider") -> list[Secret]:
    """The provider's keys that are available now, in the configured order (unset variables are skipped)."""
    return resolve_refs(provider.keys, env, provider_id=provider_id)


def resolve_refs(refs: Sequence[str], env: Mapping[str, str] | None = None, *,
                 provider_id: str = "provider") -> list[Secret]:
    """The keys behind references (`env:NAME`, or literal keys where allowed) that are available now, in order
    (e.g. an `Endpoint`'s keys, which include the catalog's documented variable)."""
    source = os.environ if env is None else env
    found = (_secret(ref, i, provider_id, source) for i, ref in enumerate(refs))
    return [secret for secret in found if secret is not None]


def missing_keys(provider: ProviderSettings, env: Mapping[str, str] | None = None) -> list[str]:
    """The `env:NAME` references (keys, then header values) whose variable is unset or empty."""
    source = os.environ if env is None else env
    refs = [*provider.keys, *provider.headers.values()]
    return [ref for ref in refs if not is_literal_key(ref) and not source.get(ref[len(ENV_PREFIX):])]


def resolve_headers(provider: ProviderSettings, env: Mapping[str, str] | None = None) -> dict[str, str | Secret]:
    """The provider's extra headers: plain values as written, `env:NAME` values as `Secret`s (reveal them only
    into the request). A header whose variable is unset is left out (see `missing_keys`)."""
    source = os.environ if env is None else env
    headers: dict[str, str | Secret] = {}
    for name, value in provider.headers.items():
        if is_literal_key(value):
            headers[name] = value
        elif found := source.get(value[len(ENV_PREFIX):]):
            headers[name] = Secret(found, value)
    return headers


def key_statuses(provider: ProviderSettings, env: Mapping[str, str] | None = None, *,
                 provider_id: str = "provider") -> list[KeyStatus]:
    """One `KeyStatus` per configured key, in order, for `knollm config check`."""
    source = os.environ if env is None else env
    statuses = []
    for index, ref in enumerate(provider.keys):
        secret = _secret(ref, index, provider_id, source)
        shown = ref if not is_literal_key(ref) else f"literal:{provider_id}#{index + 1}"
        statuses.append(KeyStatus(shown, secret is not None, secret.tail if secret else None))
    return statuses
