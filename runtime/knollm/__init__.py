"""Knollm runtime: load the compiled catalog bundle and query it. Never imports the compiler.

```python
import knollm

catalog = knollm.Catalog.load()          # packaged bundle, or $KNOLLM_BUNDLE, or Catalog.load(path)
model = catalog.get("openai/gpt-4o")
catalog.search("llama", capability="tools", min_context=128_000, sort="price", limit=5)
knollm.estimate_cost(model, input_tokens=12_000, output_tokens=800).total   # exact Decimal, USD
```

The command line is `knollm` (or `python -m knollm`); the CLI module is imported only when it runs.
`knollm.Client` / `knollm.AsyncClient` (calling providers; the `client` extra) load on first use.
"""

from typing import TYPE_CHECKING

from .catalog import Catalog
from .costs import compare, estimate_cost
from .errors import (
    BundleError,
    FamilyNotFound,
    InvalidArgument,
    KnollmError,
    LibraryNotFound,
    ModelNotFound,
    NotFound,
    PriceUnknown,
    ProviderNotFound,
)
from .query import Query
from .records import (
    Auth,
    Comparison,
    CostBreakdown,
    Family,
    Model,
    PriceTier,
    Pricing,
    Provider,
    ProviderStatus,
    Unpriced,
    Upstream,
)
from .serialize import to_data
from .tokens import count_tokens, estimate_tokens, tokenizer

if TYPE_CHECKING:
    from .libraries import Library, LibraryGuide

__version__ = "0.1.0"

load = Catalog.load
"""Shorthand for `Catalog.load(path=None)`."""

__all__ = [
    "AsyncClient",
    "Auth",
    "BundleError",
    "Catalog",
    "Client",
    "Comparison",
    "CostBreakdown",
    "Family",
    "FamilyNotFound",
    "InvalidArgument",
    "KnollmError",
    "Library",
    "LibraryGuide",
    "LibraryNotFound",
    "Model",
    "ModelNotFound",
    "NotFound",
    "PriceTier",
    "PriceUnknown",
    "Pricing",
    "Provider",
    "ProviderNotFound",
    "ProviderStatus",
    "Query",
    "Unpriced",
    "Upstream",
    "__version__",
    "compare",
    "count_tokens",
    "estimate_cost",
    "estimate_tokens",
    "load",
    "to_data",
    "tokenizer",
]

# The client needs httpx and pydantic (the `client` extra) and is imported on first use only, so that
# `import knollm` stays as fast as the catalog alone.
_LAZY = {"Client": ("knollm.client.sync", "Client"), "AsyncClient": ("knollm.client.aio", "AsyncClient"),
         # the library guides are not needed to load the catalog: a cold start does not pay for them
         "Library": ("knollm.libraries", "Library"), "LibraryGuide": ("knollm.libraries", "LibraryGuide")}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'knollm' has no attribute {name!r}")
