"""The client's exception tree. Every error the client raises on purpose is a `knollm.KnollmError`.

```
KnollmError
└── ClientError                       base of every client error
    ├── ProviderError                 the provider answered with an error (status, provider, request_id, body_excerpt)
    │   ├── AuthenticationFailed      401/403: the key is missing, wrong, revoked or lacks access to the model
    │   ├── RateLimited               429: slow down; `retry_after` seconds when the provider said so
    │   └── ProviderUnavailable       5xx, connection refused or reset: try again later or another provider
    │       └── ProviderTimeout       408/504: the provider (or its gateway) timed out; also a `Timeout`
    ├── Timeout                       no answer within the target's `timeout_s`
    ├── InvalidResponse               malformed JSON, an HTML page instead of JSON, no choices
    ├── StreamInterrupted             a stream ended early; carries `text_so_far` and the number of `chunks`
    ├── NoCandidate                   no candidate of the request was usable; `reasons` says why for each
    ├── BudgetExceeded                a route's or profile's daily/monthly budget would be exceeded (before any call)
    └── UnsupportedRequest            the request or target needs something this adapter cannot send
```

Messages always say what to do next. They never contain a key: provider text passes through `redact()` (known
keys and key-shaped strings are masked) and is cut to a short, printable excerpt, since it is untrusted text.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..errors import KnollmError
from ..redact import MARK
from ..redact import redact as shared_redact
from ..texthygiene import UNSAFE_TEXT

EXCERPT_LIMIT = 300
"""Longest body excerpt an error carries (characters, after redaction)."""

MASK = MARK
"""What a masked credential shows (the shared `knollm.redact` mark)."""


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret and every key-shaped string masked.

    Known secrets go first (exact matches, longest first, so a key that contains another is masked whole); the
    shared `knollm.redact` then catches credentials the client was never given, e.g. a provider echoing some
    other key.
    """
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return shared_redact(text)


def excerpt(text: str, secrets: Iterable[str] = (), limit: int = EXCERPT_LIMIT) -> str:
    """A short, single-line, printable, redacted excerpt of untrusted provider text."""
    flat = " ".join(UNSAFE_TEXT.sub(" ", text).split())  # controls become spaces: words stay apart
    flat = redact(flat, secrets)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ClientError(KnollmError):
    """Base class of every error the client raises on purpose.

    When a call fails after trying several candidates, the error raised is the last one, and `attempts` holds
    every try (`knollm.client.records.Attempt`: provider, status, error class, seconds, key alias).
    """

    attempts: tuple[object, ...] = ()


class ProviderError(ClientError):
    """The provider answered with an error status (or not at all: `status` is None for a refused connection).

    `body_excerpt` is a redacted, printable excerpt of what it said (≤ 300 characters); `request_id` comes from
    the `x-request-id` / `request-id` headers when the provider sent one (quote it to the provider's support).
    """

    hint = "Check the provider's status page and the request, or try another provider."

    def __init__(
        self,
        status: int | None,
        provider: str,
        request_id: str | None = None,
        body_excerpt: str = "",
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.provider = provider
        self.request_id = request_id
        self.body_excerpt = body_excerpt
        if hint is not None:
            self.hint = hint
        # Not super(): in ProviderTimeout's MRO the next class is Timeout, whose __init__ takes other arguments.
        ClientError.__init__(self, self._message())

    def _message(self) -> str:
        answered = f"answered HTTP {self.status}" if self.status is not None else "could not be reached"
        message = f"provider {self.provider!r} {answered}"
        if self.request_id:
            message += f" (request id {self.request_id})"
        if self.body_excerpt:
            message += f": {self.body_excerpt}"
        return f"{message}. {self.hint}"

    def __str__(self) -> str:
        return str(self.args[0])


class AuthenticationFailed(ProviderError):
    """401/403: the key was refused."""

    hint = (
        "Check that the key's environment variable holds a valid, active key for this provider "
        "and that the key may use this model (`knollm config check` shows which variable is used)."
    )


class RateLimited(ProviderError):
    """429: too many requests or tokens. `retry_after` is seconds to wait when the provider said so, else None."""

    def __init__(
        self,
        status: int | None,
        provider: str,
        request_id: str | None = None,
        body_excerpt: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        wait = f"Wait {retry_after:g} s" if retry_after is not None else "Wait a little"
        super().__init__(status, provider, request_id, body_excerpt, hint=f"{wait}, add keys, or route elsewhere.")


class ProviderUnavailable(ProviderError):
    """5xx, connection refused or reset: the provider is down or overloaded."""

    hint = "The provider is failing or unreachable: retry later or route the request to another provider."


class Timeout(ClientError):
    """No (complete) answer within the timeout. `phase` is `connect`, `read`, `write`, `pool` or `provider`."""

    def __init__(self, provider: str, timeout_s: float | None, phase: str = "read") -> None:
        self.provider = provider
        self.timeout_s = timeout_s
        self.phase = phase
        limit = f" after {timeout_s:g} s" if timeout_s is not None else ""
        ClientError.__init__(
            self,
            f"provider {provider!r} timed out ({phase}){limit}. Raise `timeout_s` for this provider in the "
            "configuration, ask for fewer output tokens, or route to a faster provider."
        )


class ProviderTimeout(ProviderUnavailable, Timeout):
    """408/504: the provider or its gateway gave up. Both a `ProviderUnavailable` and a `Timeout`."""

    hint = "The provider (or its gateway) timed out: retry, ask for fewer tokens, or route elsewhere."

    def __init__(
        self, status: int | None, provider: str, request_id: str | None = None, body_excerpt: str = ""
    ) -> None:
        self.timeout_s = None
        self.phase = "provider"
        ProviderError.__init__(self, status, provider, request_id, body_excerpt)


class InvalidResponse(ClientError):
    """A 2xx answer the client cannot use: malformed JSON, an HTML page, a body without choices."""

    def __init__(self, provider: str, problem: str, body_excerpt: str = "", status: int | None = None) -> None:
        self.provider = provider
        self.problem = problem
        self.body_excerpt = body_excerpt
        self.status = status
        said = f": {body_excerpt}" if body_excerpt else ""
        super().__init__(
            f"provider {provider!r} sent an unusable response ({problem}){said}. Check the provider's `base_url` "
            "and `api` in the configuration (a proxy or login page answers HTML), or try another provider."
        )


class StreamInterrupted(ClientError):
    """A stream ended before its terminal event. `text_so_far` holds the text received; `chunks` their count."""

    def __init__(self, provider: str, text_so_far: str, chunks: int, reason: str = "the stream ended early") -> None:
        self.provider = provider
        self.text_so_far = text_so_far
        self.chunks = chunks
        self.reason = reason
        super().__init__(
            f"stream from provider {provider!r} interrupted after {chunks} chunk(s), "
            f"{len(text_so_far)} character(s): {reason}. The partial text is in `.text_so_far`; "
            "retry the request (without streaming if this repeats)."
        )


class NoCandidate(ClientError):
    """No candidate for the request could be used. `reasons` maps each candidate id to why."""

    def __init__(self, model: str, reasons: dict[str, str]) -> None:
        self.model = model
        self.reasons = dict(reasons)
        listed = "; ".join(f"{candidate}: {why}" for candidate, why in self.reasons.items()) or "no candidates"
        super().__init__(
            f"no usable provider for {model!r} ({listed}). Configure a key (`keys = [\"env:NAME\"]`) for one of "
            "them, or pick another model or route (`knollm config check` lists what is configured)."
        )


class UnsupportedRequest(ClientError, ValueError):
    """The request (or the target's auth) needs something this adapter cannot send; the message says what."""


class BudgetExceeded(ClientError):
    """The call would exceed a budget (`on_exceed = "refuse"`), or no candidate fits it (`"downgrade"`); raised
    before any provider is called. `scope` is the route or profile, `window` `daily` or `monthly`; `limit_usd`,
    `spent_usd` (actual costs plus estimates of calls in flight) and `estimate_usd` (None: a price is unknown)
    are exact `Decimal` amounts."""

    def __init__(self, scope: str, window: str, limit_usd: Decimal, spent_usd: Decimal,
                 estimate_usd: Decimal | None) -> None:
        self.scope = scope
        self.window = window
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd
        self.estimate_usd = estimate_usd
        cost = f"this call is estimated at {estimate_usd} USD" if estimate_usd is not None else \
            "this call's cost is unknown (a price is missing), so the budget cannot cover it"
        super().__init__(
            f"the {window} budget of {scope!r} is {limit_usd} USD, {spent_usd} USD is spent or held, and {cost}. "
            "Wait for the budget window to roll over (UTC), raise the budget, set `on_exceed = \"downgrade\"` to "
            "use the cheapest candidate that fits, or choose a cheaper model."
        )
