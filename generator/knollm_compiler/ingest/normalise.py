"""Turn one raw listing entry into a Draft: generic by key names, strict about values, and keeping a
tally of keys it did not understand."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from knollm.serialize import json_type

from ..drafts import Draft, RawPrice
from ..problems import ProblemLog
from . import fieldmap as fm
from . import nontoken, prices, values
from .flatten import flatten, last_two, leaf_name
from .shapes import entry_label

PRICE_FIELDS = {
    "input": "input_per_mtok", "output": "output_per_mtok", "cache_read": "cache_read_per_mtok",
    "cache_write": "cache_write_per_mtok", "reasoning": "reasoning_per_mtok", "per_request": "per_request",
    "per_image": "per_image", **nontoken.FIELDS,
}
SCALAR_TARGETS = (
    ("context_window", fm.CONTEXT_KEYS), ("max_output_tokens", fm.MAX_OUTPUT_KEYS), ("name", fm.NAME_KEYS),
    ("kind", fm.KIND_KEYS), ("quantization", fm.QUANT_KEYS), ("created", fm.CREATED_KEYS),
    ("deprecation_date", fm.DEPRECATION_KEYS), ("description", fm.DESCRIPTION_KEYS),
    ("owned_by", fm.OWNER_KEYS), ("knowledge_cutoff", fm.KNOWLEDGE_KEYS),
)
TARGET_BY_KEY = {key: (target, rank) for target, keys in SCALAR_TARGETS for rank, key in enumerate(keys)}


def _price_sample_paths(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs = [(path, value) for path, value in flatten(entry) if prices.is_price_path(path)]
    for key in fm.UPSTREAM_KEYS:
        for item in entry.get(key) or () if isinstance(entry.get(key), list) else ():
            if isinstance(item, dict):
                pairs += [(f"{key}[].{p}", v) for p, v in flatten(item) if prices.is_price_path(p)]
    return pairs


class EntryNormaliser:
    """Normalises the entries of one source file; first `learn_units` over all of them, then `normalise`."""

    def __init__(self, file: str, provider: str | None, source: str, log: ProblemLog) -> None:
        self.file, self.provider, self.source, self.log = file, provider, source, log
        self.unknown_fields: Counter[str] = Counter()
        self.units: dict[str, str] = {}
        self.units_used: dict[str, str] = {}
        self.default_unit: str | None = None
        """Set by sources whose documentation states the unit of every price key (then nothing is guessed)."""
        self._raw: list[RawPrice] = []

    def learn_units(self, entries: Iterable[Any]) -> None:
        samples: dict[str, list[Decimal]] = {}
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for path, raw in _price_sample_paths(entry):
                key = prices.classify(path)
                number, _ = prices.parse_price_text(raw)  # out of range: no evidence of the unit (logged by _price)
                if key and key.unit is None and number is not None:
                    samples.setdefault(path, []).append(number)
        self.units = prices.detect_units(samples)

    def record_id(self, key: str | None, entry: Any, index: int) -> str | None:
        label = entry_label(key, index)
        if not isinstance(entry, dict):
            self.log.reject(label, "$", f"entry is a JSON {json_type(entry)}, not an object")
            return None
        raw = entry.get("id", key) if key is not None else next(
            (entry[k] for k in fm.ID_KEYS if k in entry), None
        )
        if raw is None:
            self.log.reject(label, "id", f"no id field (looked for {', '.join(fm.ID_KEYS)})")
            return None
        clean, reason = values.model_id(raw)
        if reason:
            self.log.reject(label, "id", reason)
        return clean if isinstance(clean, str) else None  # values.Result carries Any; a clean id is a str

    def normalise(self, model_id: str, entry: dict[str, Any], provider: str) -> Draft:
        draft = Draft(provider, model_id, self.source, self.file)
        self._raw = draft.raw_prices
        best: dict[str, tuple[int, str, Any]] = {}
        for path, raw in flatten(entry):
            route = _path_route(path)
            if route.ignored:
                continue
            if route.upstream_key and isinstance(raw, list):
                self._upstreams(model_id, path, raw, draft)
            elif route.price:
                self._price(model_id, path, raw, draft.values)
            elif not self._route(model_id, path, raw, draft.values, best) and raw is not None:
                self.unknown_fields[path] += 1
        for target, (_, path, raw) in best.items():
            self._scalar(model_id, target, path, raw, draft.values)
        self._check_tiers(model_id, draft.values)
        raw_kind = best["kind"][2] if "kind" in best else None
        for path, reason in nontoken.drop_mirrored_direction(draft.values, raw_kind):
            self.log.drop(model_id, path, reason)
        return draft

    def _check_tiers(self, mid: str, out: dict[str, Any]) -> None:
        """A long-context tier never costs less than the base price: such a tier price is a data error."""
        for threshold, tier in sorted(out.get("pricing.tiers", {}).items()):
            for name, price in sorted(tier.items()):
                base = out.get(f"pricing.{name}")
                if base is not None and price < base:
                    del tier[name]
                    self.log.drop(mid, f"pricing.tiers.{threshold}.{name}",
                                  f"tier price {price} is below the base price {base}")
        tiers = {t: v for t, v in out.get("pricing.tiers", {}).items() if v}
        if "pricing.tiers" in out:
            out["pricing.tiers"] = tiers
            if not tiers:
                del out["pricing.tiers"]

    def _route(self, mid: str, path: str, raw: Any, out: dict[str, Any],
               best: dict[str, tuple[int, str, Any]]) -> bool:
        route = _path_route(path)
        if route.is_id and raw == mid:
            return True
        if route.flag:
            if isinstance(raw, bool):
                self._flag(route.leaf, raw, out)
                return True
            if not route.feature_list:
                if raw is not None:
                    self.log.drop(mid, path, f"expected true/false, got {values.describe(raw)}")
                return True
        if route.feature_list and isinstance(raw, list | dict):
            self._features(raw, out)
            return True
        if route.modalities:
            return self._modalities(mid, path, raw, route.modalities, out)
        if route.arrow and (parsed := values.arrow_modalities(raw)):
            out.setdefault("input_modalities", parsed[0])
            out.setdefault("output_modalities", parsed[1])
            return True
        if route.open_weights and isinstance(raw, bool):
            out["open_weights"] = raw
            return True
        if route.target:
            target, depth_rank = route.target
            if raw is not None and (target not in best or depth_rank < best[target][0]):
                best[target] = (depth_rank, path, raw)
            return True
        return route.known_unused

    def _flag(self, leaf: str, raw: bool, out: dict[str, Any]) -> None:
        capability = fm.CAPABILITY_FLAGS.get(leaf)
        if capability:
            # A true from any key wins over a false from an alias (supports_tools vs supports_tool_choice).
            slot = sys.intern(f"capabilities.{capability}")  # one string for 100k drafts, not one each
            out[slot] = out.get(slot, False) or raw
        kind = fm.KIND_FLAGS.get(leaf)
        if kind and raw:
            out.setdefault("kind_flag", kind)

    def _features(self, raw: list[Any] | dict[str, Any], out: dict[str, Any]) -> None:
        items = raw.items() if isinstance(raw, dict) else ((item, True) for item in raw)
        for item, enabled in items:
            capability = fm.FEATURE_VALUES.get(str(item).lower())
            if capability and isinstance(enabled, bool):
                slot = sys.intern(f"capabilities.{capability}")
                out[slot] = out.get(slot, False) or enabled

    def _modalities(self, mid: str, path: str, raw: Any, target: str, out: dict[str, Any]) -> bool:
        known, unknown = values.modalities(raw)
        if known:
            out[target] = known
        for name in unknown:
            self.unknown_fields[f"{path}={name}"] += 1
        return True

    def _scalar(self, mid: str, target: str, path: str, raw: Any, out: dict[str, Any]) -> None:
        if target in ("context_window", "max_output_tokens"):
            value, reason = values.positive_int(raw)
        elif target in ("created", "deprecation_date"):
            value, reason = values.date(raw)
        elif target == "kind":
            value, reason = fm.KIND_VALUES.get(str(raw).strip().lower()), None
            if value is None and str(raw).strip().lower() not in fm.NOT_KIND_VALUES:
                self.unknown_fields[f"{path}={str(raw)[:40]}"] += 1
        else:
            limit = values.MAX_DESCRIPTION if target == "description" else values.MAX_NAME
            value, notes = values.plain_text(raw, limit, keep_newlines=target == "description")
            reason = None
            for note in notes:
                (self.log.drop if value is None else self.log.warn)(mid, path, note)
        if reason:
            self.log.drop(mid, path, reason)
        elif value is not None:
            out[target] = value

    def _price(self, mid: str, path: str, raw: Any, out: dict[str, Any], where: str | None = None) -> None:
        """`path` keys the unit detected for the file; `where` (default: path) is what problems name."""
        where = where or path
        key = prices.classify(path)
        if key is None and leaf_name(path) in fm.PRICE_CONTAINERS and raw not in (None, "", [], {}):
            self.log.drop(mid, where, f"expected an object of prices, got JSON {json_type(raw)} {values.describe(raw)}")
            return
        if key is None or raw is None or raw == "":
            return
        if isinstance(raw, list | dict):
            self.unknown_fields[path] += 1  # e.g. a list of price tiers in a shape we do not read
            return
        number, reason = prices.parse_price_text(raw)
        if number is None:
            self.log.drop(mid, where, reason or f"price is not a number: {values.describe(raw)}")
            return
        unit = key.unit or self.default_unit or self.units.get(path, "per_mtok")
        self.units_used.setdefault(path, unit)
        token = key.component in prices.TOKEN_COMPONENTS  # text tokens: calibrated; other units are checked now
        # Token prices are checked for plausibility only after calibration has settled the file's scale.
        value, reason = prices.provisional(number, unit) if token else prices.normalise(number, key, unit)
        if reason:
            self.log.drop(mid, where, reason)
            return
        if value is None or (key.component == "reasoning" and value == 0):
            return  # a zero reasoning price means "billed as output" (OpenRouter), not "free"
        if value == 0 and (key.component in nontoken.FIELDS or key.component in nontoken.BARE_TIME):
            return  # listings write 0 for fees a model does not have (web search on a model without it)
        if key.component in nontoken.BARE_TIME:
            out.setdefault(nontoken.TIMED + nontoken.BARE_TIME[key.component], value)
            return
        name = PRICE_FIELDS[key.component]
        if key.tier is not None:
            container, slot = out.setdefault("pricing.tiers", {}).setdefault(key.tier, {}), name
        else:
            container, slot = out, sys.intern(f"pricing.{name}")
        if slot in container:
            return  # an earlier key already gave this price
        container[slot] = value
        if token:
            self._raw.append(RawPrice(container, slot, number, sys.intern(path), sys.intern(where),
                                      _unit_group(path, key), key.component, key.unit or self.default_unit,
                                      key.tier is None))

    def _upstreams(self, mid: str, key: str, items: list[Any], draft: Draft) -> None:
        upstreams: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("provider"), str):
                self.log.drop(mid, f"{key}[{index}]", "upstream entry has no provider name")
                continue
            name = values.plain_text(item["provider"], values.MAX_NAME, keep_newlines=False)[0]
            if name is None:  # nothing left once control and invisible characters are gone
                self.log.drop(mid, f"{key}[{index}].provider", "upstream provider name is empty")
                continue
            sub: dict[str, Any] = {}
            best: dict[str, tuple[int, str, Any]] = {}
            for path, raw in flatten(item):
                if prices.is_price_path(path):
                    self._price(mid, f"{key}[].{path}", raw, sub, where=f"{key}[{index}].{path}")
                elif not self._route(mid, f"{key}[{index}].{path}", raw, sub, best) and raw is not None:
                    self.unknown_fields[f"{key}[].{path}"] += 1
            if "context_window" in best:
                _, path, raw = best["context_window"]
                self._scalar(mid, "context_window", path, raw, sub)
            status = item.get("status")
            if status is not None and not isinstance(status, str):
                self.log.drop(mid, f"{key}[{index}].status", f"expected text, got {values.describe(status)}")
                status = None
            status = values.plain_text(status, values.MAX_NAME, keep_newlines=False)[0]
            upstreams.append({"provider": name, "status": status,
                              "context_window": sub.pop("context_window", None),
                              **{k: v for k, v in sub.items() if k.startswith(("pricing.", "capabilities."))}})
            for pending in self._raw:
                if pending.container is sub:  # the route's prices now live in the route's dict
                    pending.container = upstreams[-1]
        draft.values["upstreams"] = upstreams


class _PathRoute(NamedTuple):
    """What `normalise` and `_route` can tell of a path from its key names alone (the value is looked at after)."""

    ignored: bool
    upstream_key: bool
    price: bool
    leaf: str
    is_id: bool
    flag: bool
    feature_list: bool
    modalities: str | None
    arrow: bool
    open_weights: bool
    target: tuple[str, int] | None
    """The scalar field the path may give, and its rank among the keys that give it (lower wins)."""
    known_unused: bool


@lru_cache(maxsize=prices.PATH_CACHE)  # every entry of a listing repeats the same paths: decided once per path
def _path_route(path: str) -> _PathRoute:
    leaf, two = leaf_name(path), last_two(path)
    if two in fm.INPUT_MODALITY_KEYS or leaf in fm.INPUT_MODALITY_KEYS:
        modalities: str | None = "input_modalities"
    elif two in fm.OUTPUT_MODALITY_KEYS or leaf in fm.OUTPUT_MODALITY_KEYS:
        modalities = "output_modalities"
    else:
        modalities = None
    hit = TARGET_BY_KEY.get(leaf) or TARGET_BY_KEY.get(two)
    return _PathRoute(
        ignored=path.split(".", 1)[0] in fm.IGNORED_SUBTREES,
        upstream_key="." not in path and path in fm.UPSTREAM_KEYS, price=prices.is_price_path(path),
        leaf=leaf, is_id=leaf in fm.ID_KEYS and "." not in path,
        flag=leaf in fm.CAPABILITY_FLAGS or leaf in fm.KIND_FLAGS, feature_list=leaf in fm.FEATURE_LIST_KEYS,
        modalities=modalities, arrow=leaf in fm.MODALITY_ARROW_KEYS, open_weights=leaf in fm.OPEN_WEIGHTS_KEYS,
        target=(hit[0], hit[1] * 10 + path.count(".")) if hit else None,
        known_unused=leaf in fm.KNOWN_UNUSED or path.split(".")[0].lower() in fm.KNOWN_UNUSED,
    )


@lru_cache(maxsize=prices.PATH_CACHE)  # one string per path, shared by every draft's raw prices
def _unit_group(path: str, key: prices.PriceKey) -> str:
    """Sibling price keys share a unit: the parent path, without the upstream prefix (a router's routes are
    priced in the router's unit) and without tier segments; a unit the key names is a group of its own."""
    segments = path.rpartition("[].")[2].split(".")
    parent = ".".join(segments[:-2] if segments[-1].lower() in fm.CURRENCY_LEAVES else segments[:-1])
    parent = ".".join(s for s in parent.split(".") if s and not fm.TIER_SEGMENT.match(s.lower())) or "$"
    return f"{parent} [{key.unit}]" if key.unit else parent
