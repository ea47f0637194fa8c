"""The exception tree. Every error the runtime raises on purpose is a `KnollmError`.

```
KnollmError
├── BundleError               bundle missing, unreadable, corrupt, or of an unsupported schema version
├── NotFound (LookupError)    an id that is not in the catalog; carries `query` and `suggestions`
│   ├── ModelNotFound
│   ├── FamilyNotFound
│   ├── ProviderNotFound
│   └── LibraryNotFound
├── PriceUnknown              a price the cost estimate needs is missing (names the model and the component)
├── InvalidArgument (ValueError)  bad usage numbers or query values (negative tokens, unknown sort key, ...)
├── ConfigError               knollm.toml has problems; `problems` lists each (file:line: key: expected, fix)
│                             (`knollm.config.ConfigError`)
└── ClientError               calling a provider failed (`knollm.client.errors`: AuthenticationFailed,
                              RateLimited, ProviderUnavailable, Timeout, InvalidResponse, StreamInterrupted,
                              NoCandidate, BudgetExceeded, ...); after failover, `attempts` lists every try
```

Catch `KnollmError` to handle everything the runtime reports; catch a leaf to handle one case.
"""

from __future__ import annotations

from .redact import redact

REBUILD_HINT = (
    "Run `make build` in a Knollm checkout to compile the catalog (it is copied into the package), "
    "or set KNOLLM_BUNDLE=/path/to/catalog.json to use a custom build."
)


class KnollmError(Exception):
    """Base class of every error the Knollm runtime raises on purpose."""

    def __str__(self) -> str:
        # Messages quote bundle text and user input, and end up in logs: never with a credential in them.
        return redact(super().__str__())


class BundleError(KnollmError):
    """The catalog bundle is missing, unreadable, corrupt or of an unsupported schema version.

    The message always says how to get a working bundle (`make build` or `KNOLLM_BUNDLE=path`).
    """

    def __init__(self, problem: str, path: str | None = None) -> None:
        self.problem = problem
        self.path = path
        where = f" ({path})" if path else ""
        super().__init__(f"Knollm catalog bundle{where}: {problem}. {REBUILD_HINT}")


class NotFound(KnollmError, LookupError):
    """An id that the catalog does not have. `suggestions` lists the closest ids, best first."""

    what = "id"

    def __init__(self, query: str, suggestions: list[str] | tuple[str, ...] = (), hint: str = "") -> None:
        self.query = query
        self.suggestions = list(suggestions)
        self.hint = hint
        message = f"unknown {self.what} {query!r}"
        if self.suggestions:
            message += "; did you mean: " + ", ".join(self.suggestions) + "?"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def __str__(self) -> str:
        return redact(str(self.args[0]))


class ModelNotFound(NotFound):
    """No model has this global id (`provider/model-id`) and no family has this id."""

    what = "model"


class FamilyNotFound(NotFound):
    """No family has this id (or the bundle carries no family data)."""

    what = "family"


class ProviderNotFound(NotFound):
    """No provider has this id or alias."""

    what = "provider"


class LibraryNotFound(NotFound):
    """No library of the guide has this id (or PyPI name)."""

    what = "library"


class PriceUnknown(KnollmError):
    """A price the estimate needs is not in the data. Knollm never prices an unknown as zero.

    `model` is the global model id; `component` the missing price (e.g. `cache_read_per_mtok`, or `pricing`
    when the model has no prices at all).
    """

    def __init__(self, model: str, component: str) -> None:
        self.model = model
        self.component = component
        if component == "pricing":
            message = f"no prices are known for model {model!r}"
        else:
            message = f"price unknown for model {model!r}: {component} is missing from the catalog data"
        super().__init__(message)


class InvalidArgument(KnollmError, ValueError):
    """An argument the runtime cannot work with: negative token counts, cached > input, an unknown sort key."""
