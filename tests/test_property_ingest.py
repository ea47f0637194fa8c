"""Property-based tests of ingestion (hypothesis): generated listings of any shape, with hostile numbers,
strings and nesting, written to files and read the way the build reads them.

Asserted for every generated file: no exception escapes; read == emitted + rejected; every emitted price is a
finite, non-negative Decimal inside its documented range; every problem names its file and its record.
The JSON text is written by hand (`dump`) so that objects can repeat keys and numbers can be literals no JSON
library writes (`1e309`, `NaN`, 400-digit integers). Bounded in time: the whole module runs in seconds.
"""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_compiler.calibrate import calibrate
from knollm_compiler.family_rules import load_family_rules
from knollm_compiler.ingest import nontoken, prices
from knollm_compiler.sources import Ingested, ProviderResolver, SourceFile, ingest

REPO = Path(__file__).resolve().parents[1]
RULES = load_family_rules(REPO / "catalog" / "families")
FILE = "models_prop.json"
SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
"""Derandomized: `make test` runs the same examples every time (and writes no example database)."""


class Literal(str):
    """A number token written as is (`1e309`, `NaN`, `-0`)."""


class Pairs(list):  # type: ignore[type-arg]
    """An object as (key, value) pairs: keys may repeat."""


def dump(value: Any) -> str:
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, Pairs):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {dump(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


HOSTILE_NUMBERS = ["1e30", "1E+400", "1e999999999", "1e-999999999", "-1e999999999", "NaN", "Infinity", "-0",
                   "-0.0", "sNaN", "$0.50", "0.60 USD", "1_000", " 2 ", "0x10", "1e12", "1e-12", "abc", "",
                   "²", "９", "9" * 5000]
LITERALS = ["1e309", "-1e309", "NaN", "Infinity", "-Infinity", "-0", "1e22", "1e-400", "1" + "0" * 400, "0.0"]
numbers = st.one_of(
    st.integers(-(10**30), 10**30), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(HOSTILE_NUMBERS), st.sampled_from(LITERALS).map(Literal),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(min_value=1e-9, max_value=100).map(lambda f: f"{f:.6g}"),  # plausible prices too
)
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)  # any text, control characters included
PRICE_KEYS = ["prompt", "completion", "input", "output", "input_cache_read", "request", "image",
              "input_cost_per_token", "output_cost_per_token", "input_cost_per_character",
              "output_cost_per_second", "price_per_million_tokens", "cache_read_input_token_cost",
              "input_cost_per_token_above_200k_tokens", "input_cost_per_pixel"]
OTHER_KEYS = ["name", "context_length", "max_tokens", "created", "description", "failed", "supports_tools",
              "owned_by", "modalities", "type", "architecture", "upstreams"]
keys = st.one_of(st.sampled_from(PRICE_KEYS + OTHER_KEYS + ["pricing", "cost", "id"]), texts)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)


def objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Pairs]:
    return st.lists(st.tuples(keys, children), max_size=6).map(Pairs)


def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(inner, max_size=3), objects(inner))


values = st.recursive(scalars, containers, max_leaves=8)
pricing = st.one_of(st.lists(st.tuples(st.sampled_from(PRICE_KEYS), numbers), max_size=5).map(Pairs), values)


@st.composite
def entries(draw: st.DrawFn) -> Any:
    """Mostly model records (an id, prices, other fields, anything); sometimes not records at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(values)
    fields = Pairs()
    if draw(st.booleans()) or draw(st.booleans()):
        fields.append(("id", draw(st.one_of(st.sampled_from(["m-1", "m-2", "gpt-4o", "1024-x-1024/dall-e-3"]),
                                            texts, scalars))))
    fields.append((draw(st.sampled_from(["pricing", "cost", "price"])), draw(pricing)))
    fields += draw(st.lists(st.tuples(st.sampled_from(PRICE_KEYS + OTHER_KEYS), st.one_of(numbers, values)),
                            max_size=4))
    fields += draw(objects(values))
    return Pairs(draw(st.permutations(fields)))


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """Listing shapes: a bare array, an OpenAI list, a keyed object, records nested deeper, or anything."""
    records = draw(st.lists(entries(), max_size=8))
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return records
    if shape == 1:
        return Pairs([("object", "list"), ("data", records)])
    if shape == 2:
        return Pairs([(draw(texts), record) for record in records])
    if shape == 3:
        return Pairs([("result", Pairs([("items", records)]))])
    if shape == 4:
        return Pairs([("data", records), *draw(objects(values))])
    return draw(values)


def ingest_text(text: str | bytes) -> Ingested:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / FILE
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        item = ingest(SourceFile(path, "prop", None), ProviderResolver({}))
    calibrate([item], RULES)  # the build's next step: the file's token prices settle their unit
    return item


def price_values(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """(field, value) for every price a draft holds: base, tiers, image sizes and routes."""
    found = [(k, v) for k, v in values.items() if k.startswith(("pricing.", nontoken.TIMED))]
    found = [item for item in found if item[0] not in ("pricing.tiers", "pricing.image_prices")]
    for tier in values.get("pricing.tiers", {}).values():
        found += [(f"pricing.{k}", v) for k, v in tier.items()]
    found += [("pricing.per_image", p["per_image"]) for p in values.get("pricing.image_prices", [])]
    for route in values.get("upstreams", []):
        found += [(k, v) for k, v in route.items() if k.startswith("pricing.")]
    return found


def documented_range(field: str) -> tuple[Decimal, Decimal]:
    """The smallest non-zero and the largest value a published price may have (prices.py, nontoken.py)."""
    if field.endswith("_per_mtok"):
        return prices.MIN_NONZERO_PER_MTOK, prices.MAX_PER_MTOK
    if field.endswith(("per_request", "per_image")):
        return prices.MIN_NONZERO_PER_UNIT, prices.MAX_PER_UNIT
    return min(low for low, _ in nontoken.BANDS.values()), max(high for _, high in nontoken.BANDS.values())


def assert_ingested_well(item: Ingested) -> None:
    assert item.log is not None
    emitted = len(item.drafts) if item.records_emitted is None else item.records_emitted
    assert item.read == emitted + item.rejected
    assert not item.uncounted or item.read == 0
    for problem in item.log.problems:
        assert problem.file == FILE and problem.record and problem.path and problem.reason, problem
    for draft in item.drafts:
        for field, value in price_values(draft.values):
            assert isinstance(value, Decimal) and value.is_finite() and not value.is_signed(), (field, value)
            low, high = documented_range(field)
            assert value == 0 or low <= value <= high, (field, value)


@SETTINGS
@given(documents())
def test_any_listing_is_ingested_with_bounded_prices(document: Any) -> None:
    assert_ingested_well(ingest_text(dump(document)))


@settings(SETTINGS, max_examples=60)
@given(st.binary(max_size=64), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>", b'{"data": [']))
def test_any_bytes_are_a_problem_or_a_listing(raw: bytes, prefix: bytes) -> None:
    assert_ingested_well(ingest_text(prefix + raw))


@settings(SETTINGS, max_examples=10)
@given(st.lists(documents(), min_size=1, max_size=3))
def test_the_whole_build_survives_and_serialises(documents_: list[Any]) -> None:
    """The same files through the whole compile (merge, families, bundle): nothing escapes, the invariant holds."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "catalog" / "providers").mkdir(parents=True)
        (root / "snapshots").mkdir()
        for index, document in enumerate(documents_):
            (root / "snapshots" / f"models_p{index}.json").write_bytes(dump(document).encode())
        result = compile_catalog(root / "catalog", root / "snapshots")
    assert result.bundle.report.invariant_ok
    bundle_bytes(result.bundle)
