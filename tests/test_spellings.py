"""'Did you mean' through the index's sorted lines (`knollm.spellings`): the same suggestions as a catalog read
from the JSON, including ids and local ids that differ only in case, and the fallback when the compiler could not
write the sections."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

import knollm
from knollm import bundle, bundle_index, spellings, suggest
from knollm.spellings import IndexedShortIds, SortedLines

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


def outcome(catalog: knollm.Catalog, ref: str) -> object:
    try:
        return catalog.get(ref).id
    except knollm.ModelNotFound as exc:
        return exc.suggestions


def write(tmp_path: Path, extra: list[tuple[str, str]]) -> Path:
    """The fixture bundle plus models `(id, model_id)`, and its index."""
    document = bundle.read(FIXTURE)
    template = document["models"][0]
    added = [dict(template, id=model_id, model_id=local, aliases=[]) for model_id, local in extra]
    document["models"] = sorted([*document["models"], *added], key=lambda m: m["id"])
    path = tmp_path / "catalog.json"
    path.write_bytes(orjson.dumps(document))
    index = bundle_index.build(path.read_bytes())
    assert index is not None
    bundle_index.path_for(path).write_bytes(index)
    return path


CASES = [("acme/Mixed-One", "Mixed-One"), ("acme/mixed-one", "mixed-one"), ("beta/MIXED-ONE", "MIXED-ONE"),
         ("beta/mixed-one", "Mixed-One"), ("gamma/only-id", ""), ("gamma/Ünïcode-Ω", "Ünïcode-Ω")]
REFS = ["acme/mixed-one", "ACME/MIXED-ONE", "mixed-one", "Mixed-One", "MIXED-ONE", "mixed-on", "acme/mixed-on",
        "beta/Mixed-One", "gamma/only-i", "only-id", "ünïcode-ω", "gamma/ÜNÏCODE-Ω", "x/y", "acme", "\ud800"]


@pytest.mark.parametrize("small_pools", [False, True])
def test_suggestions_through_the_index_answer_as_the_json(small_pools: bool, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if small_pools:  # every pool takes the neighbour search over the stored orders
        monkeypatch.setattr(suggest, "EXHAUSTIVE", 0)
        monkeypatch.setattr(suggest, "NEIGHBOURS", 2)
    path = write(tmp_path, CASES)
    slow = knollm.Catalog(bundle.read(path), path, checked=True)
    refs = REFS + [m.id[:-1] for m in slow.models] + [m.model_id[1:] for m in slow.models]
    for ref in refs:
        fast = knollm.Catalog.load(path)
        assert fast._spellings is not None
        assert outcome(fast, ref) == outcome(slow, ref), ref
    fast = knollm.Catalog.load(path)
    assert [outcome(fast, ref) for ref in refs] == [outcome(slow, ref) for ref in refs]
    fast = knollm.Catalog.load(path)  # unknown ids build no dict of every id
    assert outcome(fast, "x/y") == outcome(slow, "x/y") and outcome(fast, "mixed-on") == outcome(slow, "mixed-on")
    assert not {"_index", "_lower_index"} & set(fast.__dict__)
    assert isinstance(fast._short_ids, IndexedShortIds) and fast._model_suggester._by_lower is None


def test_ids_holding_a_separator_leave_the_sections_out(tmp_path: Path) -> None:
    path = write(tmp_path, [("acme/nul\0id", "nul\0id"), *CASES])
    fast = knollm.Catalog.load(path)
    assert fast._indexed is not None and fast._spellings is None
    slow = knollm.Catalog(bundle.read(path), path, checked=True)
    for ref in REFS:
        assert outcome(fast, ref) == outcome(slow, ref), ref


def test_an_index_without_the_sections_is_still_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index written before these sections existed: the catalog builds what it needs itself."""
    monkeypatch.setattr(bundle_index, "spelling_sections", lambda *args: {})
    path = write(tmp_path, CASES)
    fast = knollm.Catalog.load(path)
    assert fast._indexed is not None and fast._spellings is None
    slow = knollm.Catalog(bundle.read(path), path, checked=True)
    for ref in REFS:
        assert outcome(fast, ref) == outcome(slow, ref), ref


def lines(pairs: list[tuple[str, str]]) -> SortedLines:
    body, starts = spellings.sorted_lines(pairs)
    return SortedLines(body, starts)


def test_sorted_lines_keep_the_order_of_one_key() -> None:
    found = lines([("b", "1"), ("a", "2"), ("b", "3"), ("é", "4"), ("", "5")])
    assert found.get("b") == ["1", "3"] and found.get("é") == ["4"] and found.get("") == ["5"]
    assert found.get("c") == [] and found.get("\ud800") == [] and found.get("zz") == []
    assert list(found.keys()) == ["", "a", "b", "b", "é"] and len(found) == 5


def test_short_ids_are_a_mapping() -> None:
    short_ids = IndexedShortIds(lambda: lines([("x", "p/x"), ("y", "q/y"), ("x", "r/x")]))
    assert short_ids["x"] == ["p/x", "r/x"] and short_ids.get("z") is None and "y" in short_ids
    assert list(short_ids) == ["x", "y"] and len(short_ids) == 2 and short_ids
    assert not IndexedShortIds(lambda: lines([]))
    with pytest.raises(KeyError):
        short_ids["\ud800"]


def test_pool_names_are_read_line_by_line() -> None:
    from knollm.spellings import Lines

    body, starts = spellings.lines([b"a/b", "é".encode(), b""])
    names = Lines(body, bundle_index._read_positions(bundle_index._positions(starts)))
    assert len(names) == 3 and names[1] == "é" and names[-1] == "" and names[0:2] == ["a/b", "é"]
    assert list(names) == ["a/b", "é", ""]


def test_an_older_index_rules_out_a_query_that_is_not_ascii(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_index, "spelling_sections", lambda *args: {})
    path = write(tmp_path, [("acme/plain", "plain")])
    fast = knollm.Catalog.load(path)
    assert fast._spellings is None and fast._indexed is not None
    slow = knollm.Catalog(bundle.read(path), path, checked=True)
    for ref in ["ÄCME/PLAIN", "\ud800", "acme/PLAIN"]:
        assert outcome(fast, ref) == outcome(slow, ref), ref
    assert not fast._indexed.has_lowered("äcme/plain") and not fast._indexed.has_lowered("\ud800")
