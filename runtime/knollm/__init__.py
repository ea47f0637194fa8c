"""Knollm runtime: load the compiled catalog bundle and query it. Never imports the compiler.

```python
import knollm

catalog = knollm.Catalog.load()          # packaged bundle, or $KNOLLM_BUNDLE, or Catalog.load(path)
model = catalog.get("openai/gpt-4o")
catalog.search("llama", capability="tools", min_context=128_000, sort="price", limit=5)
knollm.estimate_cost(model, input_tokens=12_000, output_tokens=800).total   # exact Decimal, USD
```

The command line is `knollm` (or `python -m knollm`); the CLI module is imported only when it runs.
"""

from .catalog import Catalog
from .costs import compare, estimate_cost
from .errors import (
    BundleError,
    FamilyNotFound,
    InvalidArgument,
    KnollmError,
    ModelNotFound,
    NotFound,
    PriceUnknown,
    ProviderNotFound,
)
from .libraries import Library, LibraryGuide
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

__version__ = "0.1.0"

load = Catalog.load
"""Shorthand for `Catalog.load(path=None)`."""

__all__ = [
    "Auth",
    "BundleError",
    "Catalog",
    "Comparison",
    "CostBreakdown",
    "Family",
    "FamilyNotFound",
    "InvalidArgument",
    "KnollmError",
    "Library",
    "LibraryGuide",
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
