"""The catalog's change history: `history.jsonl` beside the bundle (one JSON line per change).

The build writes it next to `catalog.json` (from `catalog/history/changes.jsonl`); it is not inside the bundle,
so loading the catalog never pays for it. A bundle without the file simply has no history.

Each line: `date` (the data date of the build that saw the change), `kind` (`provider_added`, `provider_removed`,
`model_added`, `model_removed`, `price`, `context`, `capability`), `provider`, `model`, `field` (the price key,
`context_window` or the capability), `old` and `new` (prices as decimal strings), `percent` (decimal string).
Lines that cannot be read are skipped: the history is an aid, never a reason for a query to fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import safefile
from .errors import ModelNotFound

if TYPE_CHECKING:
    from .catalog import Catalog

HISTORY_FILE = "history.jsonl"
"""The history's file name beside a bundle."""
SINCE = re.compile(r"^(?P<n>\d{1,5})(?P<unit>[dwmy])$")
UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change. Prices are exact (`Decimal`); `old`/`new` is None when there was none."""

    date: str
    kind: str
    provider: str | None = None
    model: str | None = None
    field: str | None = None
    old: Decimal | int | bool | None = None
    new: Decimal | int | bool | None = None
    percent: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (decimals as strings)."""
        def plain(value: object) -> object:
            return str(value) if isinstance(value, Decimal) else value

        return {k: plain(getattr(self, k)) for k in ("date", "kind", "provider", "model", "field", "old", "new",
                                                      "percent")}

    def describe(self) -> str:
        """`input_per_mtok 2.5 → 3 (+20.00%)`, `context_window 8192 → 32768`, `model added`."""
        if self.kind in ("model_added", "model_removed", "provider_added", "provider_removed"):
            return self.kind.replace("_", " ")
        text = f"{self.field} {_show(self.old)} → {_show(self.new)}"
        if self.percent is not None:
            text += f" ({'+' if self.percent > 0 else ''}{self.percent}%)"
        return text


def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def history_path(bundle_path: Path | None) -> Path | None:
    """Where the history of the bundle at `bundle_path` lives (None for a catalog built from a dict)."""
    return bundle_path.with_name(HISTORY_FILE) if bundle_path is not None else None


def load_changes(path: Path | None) -> list[Change]:
    """Every readable change of the file, oldest first (none when there is no file)."""
    if path is None:
        return []
    try:
        text = safefile.read_bytes(path, safefile.configured_max_bytes()).decode("utf-8", errors="replace")
    except safefile.UnsafeFile:
        return []
    found = (_change(line) for line in text.splitlines() if line.strip())
    return sorted((c for c in found if c is not None), key=lambda c: c.date)


def _change(line: str) -> Change | None:
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("date"), str) or not isinstance(raw.get("kind"), str):
        return None
    kind = raw["kind"]
    number = _decimal if kind == "price" else _plain
    return Change(raw["date"], kind, _str(raw.get("provider")), _str(raw.get("model")), _str(raw.get("field")),
                  number(raw.get("old")), number(raw.get("new")), _decimal(raw.get("percent")))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _decimal(value: object) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(value: object) -> int | bool | None:
    return value if isinstance(value, (int, bool)) else None


def of_model(catalog: Catalog, model_id: str) -> list[Change]:
    """`Catalog.history`: the changes of the model `model_id` names (an alias works; a removed model's exact id
    too), from the history beside the catalog's bundle."""
    with contextlib.suppress(ModelNotFound):
        model_id = catalog.get(model_id).id
    return for_model(load_changes(history_path(catalog.path)), model_id)


def for_model(changes: Iterable[Change], model_id: str) -> list[Change]:
    """The changes of one model, oldest first."""
    return [c for c in changes if c.model == model_id]


def since_day(text: str, today: dt.date | None = None) -> str:
    """`30d`, `12w`, `6m`, `1y` (before today) or a `YYYY-MM-DD` day, as a day; ValueError otherwise."""
    if match := SINCE.match(text.strip()):
        days = int(match["n"]) * UNIT_DAYS[match["unit"]]
        return ((today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=days)).isoformat()
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError(f"expected an age like 30d, 12w, 6m, 1y or a day YYYY-MM-DD, got {text!r}") from None


def price_line(changes: list[Change]) -> str:
    """One line of a model's price history: `2026-01-01 input_per_mtok 2 → 3 (+50.00%); ...`, newest first."""
    prices = [c for c in changes if c.kind == "price"]
    return "; ".join(f"{c.date} {c.describe()}" for c in reversed(prices))
