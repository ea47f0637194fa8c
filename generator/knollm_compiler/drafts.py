"""A draft is what one source says about one model, before sources are merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .bundle_vocab import DERIVED


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
    raw_prices: list[RawPrice] = field(default_factory=list)
    """Token prices as read, for unit calibration (`calibrate.py`); empty for sources with known units."""
    declared: int | None = None
    """How many fields the draft declared, counted by `merge(release=True)` before it frees `values`."""
    derived: frozenset[str] = frozenset()
    """Keys of `values` computed from the draft's own upstream routes (`upstreams.py`), not declared by the
    source: tagged `derived` in provenance and counted apart in the report."""

    def tag(self, key: str) -> str:
        """The provenance tag of one of the draft's values: its source, or `derived`."""
        return DERIVED if key in self.derived else self.source


@dataclass(slots=True)
class RawPrice:
    """One token price as the source wrote it, kept until the file's unit is settled (`calibrate.py`).

    The normaliser writes a provisional value (converted with the unit the key names, or the file's
    provisional unit) into `container[key]`; calibration rewrites or removes it once the scale is chosen.
    """

    container: dict[str, Any]
    """The dict holding the value: the draft's values, a tier's dict or an upstream's dict."""
    key: str
    """Key of the value in `container` (`pricing.input_per_mtok`, `input_per_mtok` in a tier)."""
    raw: Decimal
    """The number as read, in the source's unit."""
    path: str
    """The price path that keys the unit (`pricing.prompt`, `providers[].pricing.input`)."""
    where: str
    """Dotted path named in problems (with the upstream's index)."""
    group: str
    """Unit group: sibling keys that share one unit (`pricing`), with the unit when the key names it."""
    component: str
    """input, output, cache_read, cache_write or reasoning."""
    stated: str | None
    """The unit the key's name states (`per_token`, `per_1k`, `per_mtok`), or None."""
    sample: bool
    """A base price of the model (not a long-context tier): evidence for choosing the scale."""
