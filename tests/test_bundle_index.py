"""The bundle index (`knollm.bundle_index`): a catalog read through it answers exactly as one read from the JSON,
an index that does not match its bundle is ignored, and the index bytes are deterministic."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import knollm
from knollm import bundle, bundle_index, bundle_layout
from knollm.bundle_layout import LayoutError, scan

FIXTURES = Path(__file__).parent / "fixtures"
BUNDLES = [FIXTURES / "runtime" / "bundle.json", FIXTURES / "site" / "bundle.json"]
QUERIES: list[dict[str, Any]] = [
    {}, {"text": "acme"}, {"text": "large 2", "sort": "price"}, {"sort": "name"}, {"sort": "created"},
    {"sort": "context", "reverse": True}, {"sort": "input_price"}, {"sort": "output_price", "limit": 3},
    {"kind": "chat", "max_input_price": "5", "sort": "price"}, {"capability": "tools", "min_context": 1000},
    {"open_weights": True}, {"open_weights": False, "sort": "price"}, {"priced": False}, {"flagged": False},
    {"flagged": True}, {"input_modality": "image"}, {"output_modality": "text", "max_output_price": "10"},
    {"text": "a", "sort": "relevance"}, {"text": "zzz-nothing"}, {"limit": 0}, {"family": ("acme-large",)},
]


def indexed_copy(source: Path, folder: Path) -> Path:
    path = folder / "catalog.json"
    shutil.copyfile(source, path)
    index = bundle_index.build(path.read_bytes())
    assert index is not None
    bundle_index.path_for(path).write_bytes(index)
    return path


def both(source: Path, folder: Path) -> tuple[knollm.Catalog, knollm.Catalog]:
    """(read through the index, read from the JSON) for the same bundle."""
    path = indexed_copy(source, folder)
    fast = knollm.Catalog.load(path)
    assert fast._indexed is not None
    return fast, knollm.Catalog(bundle.read(path), path, checked=True)


def ids(models: list[knollm.Model]) -> list[str]:
    return [m.id for m in models]


def outcome(catalog: knollm.Catalog, ref: str) -> object:
    try:
        return catalog.get(ref)
    except knollm.ModelNotFound as exc:
        return exc.suggestions


def with_providers(catalog: knollm.Catalog) -> list[dict[str, Any]]:
    providers = sorted({m.provider for m in catalog.models})
    return [{"provider": providers[:2], "sort": "price"}, {"provider": providers[-1:], "text": "a"}]


@pytest.mark.parametrize("source", BUNDLES, ids=lambda p: p.parent.name)
def test_searches_answer_as_the_json(source: Path, tmp_path: Path) -> None:
    fast, slow = both(source, tmp_path)
    for query in QUERIES + with_providers(slow):
        assert ids(fast.search(**query)) == ids(slow.search(**query)), query
    assert fast.cheapest() == slow.cheapest()
    assert fast.cheapest(kind="chat", input_tokens=1000, output_tokens=10) == slow.cheapest(
        kind="chat", input_tokens=1000, output_tokens=10)


@pytest.mark.parametrize("source", BUNDLES, ids=lambda p: p.parent.name)
def test_lookups_answer_as_the_json(source: Path, tmp_path: Path) -> None:
    fast, slow = both(source, tmp_path)
    refs = [m.id for m in slow.models] + [m.model_id for m in slow.models] + [m.id.upper() for m in slow.models]
    refs += [f"{m.provider}/{a}" for m in slow.models for a in m.aliases] + [f.id for f in slow.families()]
    refs += ["nope/none", "acme/acme-larg-2", " " + slow.models[0].id + " ", "x\ny"]
    for ref in refs:
        assert outcome(fast, ref) == outcome(slow, ref), ref
        assert (ref in fast) is (ref in slow)
        assert outcome(fast, ref) == outcome(fast, ref)  # the warm path gives the same record
    for family in slow.families():
        assert fast.offers(family.id, include_variants=True) == slow.offers(family.id, include_variants=True)
    assert [m.id for m in fast] == [m.id for m in slow]
    assert fast.models == slow.models


@pytest.mark.parametrize("source", BUNDLES, ids=lambda p: p.parent.name)
def test_metadata_answers_as_the_json(source: Path, tmp_path: Path) -> None:
    fast, slow = both(source, tmp_path)
    assert len(fast) == len(slow) and repr(fast) == repr(slow)
    assert (fast.schema_version, fast.data_date, fast.source_dates, fast.sources, fast.report, fast.has_families) \
        == (slow.schema_version, slow.data_date, slow.source_dates, slow.sources, slow.report, slow.has_families)
    assert fast.providers() == slow.providers() and fast.families() == slow.families()
    assert fast.section("libraries") == slow.section("libraries")
    assert fast.section("no-such-section") == []
    model = slow.models[0]
    assert fast.open_weights(fast.get(model.id)) == slow.open_weights(model)
    assert fast._haystacks == slow._haystacks


def test_the_index_is_deterministic_and_only_read_when_it_matches(tmp_path: Path) -> None:
    path = indexed_copy(BUNDLES[0], tmp_path)
    data = path.read_bytes()
    assert bundle_index.build(data) == bundle_index.build(data) == bundle_index.path_for(path).read_bytes()
    path.write_bytes(data.replace(b'"Acme Large"', b'"Acme Lorge"', 1))  # same size, other bytes
    stale = knollm.Catalog.load(path)
    assert stale._indexed is None
    assert stale.families()[0].name == "Acme Lorge"
    path.write_bytes(data + b"\n")  # another size
    assert knollm.Catalog.load(path)._indexed is None


@pytest.mark.parametrize("damage", [
    lambda index: b"",
    lambda index: b"NOT-AN-INDEX" + index,
    lambda index: index[:40],
    lambda index: index.replace(b'"sections":{', b'"sections":{"x":[5,1],', 1),
    lambda index: index.replace(b'"top":{', b'"top":{"x":[0,999999999999],', 1),
    lambda index: index.replace(b'"bundle_size":', b'"bundle_size":"', 1),
])
def test_a_damaged_index_means_the_json_is_read(damage: Any, tmp_path: Path) -> None:
    path = indexed_copy(BUNDLES[0], tmp_path)
    index = bundle_index.path_for(path)
    index.write_bytes(damage(index.read_bytes()))
    catalog = knollm.Catalog.load(path)
    assert catalog._indexed is None
    assert len(catalog.search(text="acme")) > 0


def test_no_index_file_means_the_json_is_read(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    shutil.copyfile(BUNDLES[0], path)
    assert knollm.Catalog.load(path)._indexed is None


@pytest.mark.parametrize("bad", [
    b"not json", b"[1, 2]",
    b'{"schema_version": "2.0", "providers": [], "models": []}',
    b'{"schema_version": "1.1", "providers": [], "models": [{"id": "a\\nb", "provider": "a", "model_id": "b"}]}',
    b'{"schema_version": "1.1", "providers": [], "models": [{"id": "a/b", "provider": "a"}]}',
    b'{"schema_version": "1.1", "providers": [], "models": [{"id": "a/b", "provider": "a", "model_id": "b",'
    b' "pricing": {"input_per_mtok": "lots"}}]}',
    b'{"schema_version": "1.1", "providers": [], "models": [{"id": "a/b", "provider": "a", "model_id": "b",'
    b' "aliases": [1]}]}',
])
def test_bundles_that_cannot_be_indexed(bad: bytes) -> None:
    """The JSON path then reports the problem as before (at load, or when the record is decoded)."""
    assert bundle_index.build(bad) is None


def test_an_empty_catalog_is_indexed(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_bytes(b'{"schema_version": "1.1", "providers": [], "models": []}')
    index = bundle_index.build(path.read_bytes())
    assert index is not None
    bundle_index.path_for(path).write_bytes(index)
    catalog = knollm.Catalog.load(path)
    assert catalog._indexed is not None and len(catalog) == 0 and catalog.search(text="x") == []
    with pytest.raises(knollm.ModelNotFound):
        catalog.get("a/b")


def test_records_are_parsed_on_access_and_kept(tmp_path: Path) -> None:
    catalog = knollm.Catalog.load(indexed_copy(BUNDLES[0], tmp_path))
    records = catalog._raw_models
    assert records[-1] is records[len(records) - 1] and records[0]["id"] == catalog.models[0].id
    assert [r["id"] for r in records[1:3]] == [m.id for m in catalog.models[1:3]]
    assert [r["id"] for r in records] == [m.id for m in catalog.models]
    with pytest.raises(IndexError):
        records[len(records)]
    document = catalog._document
    assert set(document) >= {"models", "providers", "schema_version"} and len(document) == len(list(document))
    with pytest.raises(KeyError):
        document["no-such-key"]


@pytest.mark.parametrize(("data", "problem"), [
    (b"[]", "expected '{'"), (b'{"models": {}}', "expected '['"), (b'{"a": 1}', "no 'models'"),
    (b'{"models": []} x', "trailing"), (b'{"models": [], "models": []}', "duplicate"),
    (b'{"a": 1, "a": 2, "models": []}', "duplicate"), (b'{"models": [tru]}', "not JSON"), (b"\xff", "not UTF-8"),
    (b'{1: 2}', "expected a key"), (b'{"models": [1 2]}', "expected ']'"), (b'{"a" 1}', "expected ':'"),
    (b'{"a": }', "not JSON"), (b'{"models": [], ', "not JSON"),
])
def test_layout_errors(data: bytes, problem: str) -> None:
    with pytest.raises(LayoutError, match=re.escape(problem)):
        scan(data)


def test_layout_is_in_bytes_after_non_ascii_text() -> None:
    data = '{ "a": "é€😀", "models" : [ {"id": "ü"} ,{"id":"x"}\n] }\n'.encode()
    layout = scan(data)
    assert [data[s:e] for s, e in layout.records] == ['{"id": "ü"}'.encode(), b'{"id":"x"}']
    assert data[slice(*layout.top["a"])] == '"é€😀"'.encode()


@pytest.mark.parametrize("window", [1, 2, 3, 5, 8, 64])
def test_layout_is_the_same_whatever_the_window(window: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan decodes a few MB at a time: values cut by a window's end (strings, numbers, multi-byte
    characters, whitespace runs) are read whole."""
    data = ('{"a": 12345678, "b" : "é€😀 long text",\n  "models": [ {"id": "ü", "n": 1.25e3} ,\t{"id":"x"}\n],'
            ' "z": [1, {"k": "v"}]  }\n').encode()
    expected = scan(data)
    monkeypatch.setattr(bundle_layout, "WINDOW", window)
    assert scan(data) == expected
    assert [data[s:e] for s, e in expected.records] == ['{"id": "ü", "n": 1.25e3}'.encode(), b'{"id":"x"}']
    assert data[slice(*expected.top["a"])] == b"12345678"
    with pytest.raises(LayoutError, match="not JSON"):
        scan(data[:-8])


def test_the_index_built_with_small_windows_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    data = BUNDLES[1].read_bytes()
    expected = bundle_index.build(data)
    monkeypatch.setattr(bundle_layout, "WINDOW", 100)
    assert bundle_index.build(data) == expected is not None


def test_models_out_of_id_order_sort_alike(tmp_path: Path) -> None:
    """Bundles from the compiler are sorted by id; a hand-made one need not be, and still answers alike."""
    import orjson

    document = orjson.loads(BUNDLES[1].read_bytes())
    document["models"].reverse()
    source = tmp_path / "source.json"
    source.write_bytes(orjson.dumps(document))
    (tmp_path / "fast").mkdir()
    fast, slow = both(source, tmp_path / "fast")
    for query in [*QUERIES, {"sort": "id", "reverse": True}, {"text": "a", "sort": "id"}]:
        assert ids(fast.search(**query)) == ids(slow.search(**query)), query


def test_a_bundle_cut_short_after_loading_is_a_clear_error(tmp_path: Path) -> None:
    path = indexed_copy(BUNDLES[0], tmp_path)
    catalog = knollm.Catalog.load(path)
    with path.open("r+b") as handle:  # in place: the descriptor the catalog keeps sees it
        handle.truncate(100)
    with pytest.raises(knollm.BundleError, match="cut short"):
        catalog.models  # noqa: B018 - decoding every record reads them


def test_a_section_damaged_after_loading_is_a_clear_error(tmp_path: Path) -> None:
    path = indexed_copy(BUNDLES[0], tmp_path)
    catalog = knollm.Catalog.load(path)
    index = bundle_index.path_for(path)
    damaged = bytearray(index.read_bytes())
    damaged[-30:] = b"x" * 30  # inside the last section (the record ranges)... and the columns stay intact
    start = damaged.index(b'"Acme Large')
    damaged[start + 1: start + 5] = b"Zzzz"
    with index.open("r+b") as handle:
        handle.write(damaged)
    with pytest.raises(knollm.BundleError, match="index is damaged"):
        catalog.search(text="acme")


def test_a_record_that_is_no_longer_json_is_a_clear_error(tmp_path: Path) -> None:
    path = indexed_copy(BUNDLES[0], tmp_path)
    catalog = knollm.Catalog.load(path)
    data = bytearray(path.read_bytes())
    start = data.index(b'"models"') + 20
    data[start: start + 3] = b"\x00\x00\x00"
    with path.open("r+b") as handle:
        handle.write(data)
    with pytest.raises(knollm.BundleError, match="changed since it was loaded"):
        catalog.models  # noqa: B018


@pytest.mark.parametrize("source", BUNDLES, ids=lambda p: p.parent.name)
def test_precomputed_neighbour_orders_suggest_alike(source: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Pools above `EXHAUSTIVE` names search their neighbours; the index stores the sort orders that takes."""
    from knollm import suggest

    monkeypatch.setattr(suggest, "EXHAUSTIVE", 0)
    monkeypatch.setattr(suggest, "NEIGHBOURS", 2)
    fast, slow = both(source, tmp_path)
    refs = [m.id[:-1] for m in slow.models] + [m.model_id[1:] for m in slow.models] + ["x/y", "acme", "ACME/L"]
    for ref in refs:
        assert outcome(fast, ref) == outcome(slow, ref), ref
    assert fast._model_suggester._pools["ids"]._given is not None  # the stored orders were used


def test_sections_are_lists_through_the_index(tmp_path: Path) -> None:
    """The site reads `section("models")` and needs a list, as from the JSON."""
    fast, slow = both(BUNDLES[0], tmp_path)
    for name in ("models", "providers", "families"):
        assert isinstance(fast.section(name), list)
        assert fast.section(name) == slow.section(name)


def test_every_query_field_is_known_to_the_column_search() -> None:
    """`knollm.columns` applies each `Query` filter over columns; a new field must be added there (`_tests`) too,
    or searches would silently ignore it."""
    import dataclasses

    handled = {"text", "provider", "kind", "family", "capabilities", "input_modalities", "output_modalities",
               "min_context", "max_input_price", "max_output_price", "open_weights", "priced", "flagged", "sort",
               "reverse", "limit"}
    assert {f.name for f in dataclasses.fields(knollm.Query)} == handled


@pytest.mark.parametrize("source", BUNDLES, ids=lambda p: p.parent.name)
def test_each_first_lookup_answers_as_the_json(source: Path, tmp_path: Path) -> None:
    """An unknown id is ruled out without building the alias and lower-case indexes (byte searches of the index);
    every kind of reference, asked first in a fresh catalog, still answers as the JSON does."""
    path = indexed_copy(source, tmp_path)
    slow = knollm.Catalog(bundle.read(path), path, checked=True)
    refs = [m.id.upper() for m in slow.models] + [f"{m.provider}/{a}" for m in slow.models for a in m.aliases]
    refs += ["nope/none", "a/b/c", slow.models[0].model_id, "Ünknown/İd"]
    for ref in refs:
        fast = knollm.Catalog.load(path)
        assert outcome(fast, ref) == outcome(slow, ref), ref
    fast = knollm.Catalog.load(path)
    assert outcome(fast, "nope/none") == outcome(slow, "nope/none")
    assert "_alias_index" not in fast.__dict__ and "_lower_index" not in fast.__dict__


def test_ids_that_are_not_ascii_are_lower_cased_as_text(tmp_path: Path) -> None:
    """The Kelvin sign lower-cases to an ASCII `k`: a byte-wise search would miss it, so such ids take the
    general path."""
    document = bundle.read(BUNDLES[0])
    model = dict(document["models"][0], id="acme/\u212a-model", model_id="\u212a-model", aliases=[])
    document["models"] = sorted([*document["models"], model], key=lambda m: m["id"])
    path = tmp_path / "catalog.json"
    path.write_bytes(__import__("orjson").dumps(document))
    index = bundle_index.build(path.read_bytes())
    assert index is not None
    bundle_index.path_for(path).write_bytes(index)
    fast = knollm.Catalog.load(path)
    assert fast._indexed is not None
    assert fast.get("acme/k-model").id == "acme/\u212a-model"


def test_grouped_keeps_every_value_of_a_repeated_key_in_order() -> None:
    from knollm.catalog_store import Grouped

    grouped = Grouped(["a", "b", "a", "c", "a"], ["v0", "v1", "v2", "v3", "v4"])
    assert grouped["a"] == ["v0", "v2", "v4"] and grouped["b"] == ["v1"] and grouped.get("z") is None
    assert list(grouped) == ["a", "b", "c"] and len(grouped) == 3 and "c" in grouped and "z" not in grouped
