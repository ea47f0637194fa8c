"""A draft is what one source says about one model, before sources are merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Draft:
    """Field values one source declares for one (provider, model id)."""

    provider: str
    model_id: str
    source: str
    """Source tag written into provenance: `listing`, `manual`, `litellm`, ..."""
    file: str
    values: dict[str, Any] = field(default_factory=dict)
    """Dotted field path (`context_window`, `pricing.input_per_mtok`, `capabilities.tools`) -> value."""
    featured: bool = False
    """Set by `_best` subset files: the provider's hand-picked selection."""
    as_of: str | None = None
    """The date (YYYY-MM-DD) the source's statement describes; None when the source is undated. Newer
    declarations win over older ones in the merge (see `precedence.py`)."""
