"""Issue 12, defect 11 (scale): 100k models in one listing compiled in 65 s at 1.25 GB, and an unknown id took
14.5 s to answer with suggestions. Times are measured in `make bench` (bench/bench_scale.py), never asserted
here; these tests pin what the fixes must keep: the same bundle bytes, the same suggestions, bounded work."""

from __future__ import annotations

import difflib
import random
import sys
from pathlib import Path

import orjson
import pytest

from knollm import suggest
from knollm_compiler import bundle_writer as bundle_module
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_records import Model
from knollm_compiler.strict import replaced

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from gen_listing import generate  # noqa: E402


def _typo(rng: random.Random, model_id: str) -> str:
    at = rng.randrange(1, len(model_id) - 1)
    return model_id[:at] + model_id[at + 1:]  # a dropped character, the commonest typo


def test_defect_11_generated_listing_compiles_to_the_same_bytes_and_suggests_without_scanning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = generate(tmp_path / "snapshots", models=1_500, seed=3)
    result = compile_catalog(REPO / "catalog", listing.parent)
    assert result.bundle.report.invariant_ok
    generated = [m for m in result.bundle.models if m.provider == "scalehub"]
    assert len(generated) == 1_500
    # The chunked writer gives the bytes of a whole-bundle dump, across many chunk boundaries.
    whole = orjson.dumps(result.bundle.model_dump(mode="json", exclude_defaults=True),
                         option=orjson.OPT_SORT_KEYS) + b"\n"
    monkeypatch.setattr(bundle_module, "MODELS_PER_CHUNK", 7)
    assert bundle_module.bundle_bytes(result.bundle) == whole

    # Suggestions: a large pool scores only the query's neighbours, and finds what a full difflib scan finds first.
    ids = [m.id for m in result.bundle.models]
    shorts: dict[str, list[str]] = {}
    for model in result.bundle.models:
        shorts.setdefault(model.model_id, []).append(model.id)
    monkeypatch.setattr(suggest, "EXHAUSTIVE", 100)  # 1.5k ids stand for 100k: the neighbour index is used
    suggester = suggest.Suggester(ids, shorts)
    rng = random.Random(11)
    for model_id in rng.sample([m.id for m in generated], 25):
        query = _typo(rng, model_id)
        if query in ids:
            continue
        lowered = {i.lower(): i for i in ids}
        full = difflib.get_close_matches(query.lower(), list(lowered), n=1, cutoff=suggest.CUTOFF)
        found = suggester.closest(query)
        assert found[:1] == [lowered[full[0]]] if full else True, query
        pool = suggester._pools["ids"]
        assert len(pool.candidates(query.lower())) <= 3 * 2 * suggest.NEIGHBOURS < len(ids)


def test_small_pools_keep_the_exhaustive_scan() -> None:
    names = ["acme", "hostco", "bigcloud"]
    assert suggest.closest("acmee", names) == ["acme"]
    assert suggest._Pool(names).candidates("x") == names


def test_replaced_is_model_copy_without_the_cost() -> None:
    model = Model(id="p/m", provider="p", model_id="m", kind="chat", sources=("models_p.json",),
                  provenance={"name": "listing"})
    fast = replaced(model, family="m-family", variant="free")
    slow = model.model_copy(update={"family": "m-family", "variant": "free"})
    assert fast == slow and fast.model_dump() == slow.model_dump()
    assert fast.model_fields_set == slow.model_fields_set
    assert model.family is None  # the original is untouched


def _ingest_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict, bool]:
    """What `ingest` gives for `path` read whole and read a record at a time, and whether the fast path took it."""
    from knollm_compiler import sources
    from knollm_compiler.ingest import stream

    def summary(item: sources.Ingested) -> dict:
        assert item.log is not None
        return {"read": item.read, "shape": item.shape, "role": item.role, "ignored": item.ignored,
                "drafts": [(d.provider, d.model_id, d.values) for d in item.drafts],
                "problems": [p.as_dict() for p in item.log.problems], "units": item.units,
                "unknown": dict(item.unknown_fields), "catalog": item.catalog_providers}

    source = sources.discover(path.parent)[0][0]
    whole = summary(sources.ingest(source, sources.ProviderResolver({})))
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    took = stream.big_listing(path) is not None
    streamed = summary(sources.ingest(source, sources.ProviderResolver({})))
    monkeypatch.undo()
    return whole, streamed, took


@pytest.mark.parametrize(("name", "text", "fast"), [
    ("openai", '{"data": [{"id": "a/x", "pricing": {"prompt": "0.000001", "completion": "0.000002"}},'
               ' {"id": "a/y", "context_length": 8192}, 7, {"name": "no id"}, {"id": "a/x"}]}', True),
    ("array", ' [ {"id": "m1", "input_cost_per_token": 1e-6}, {"id": "m2", "litellm_provider": "acme"} ] \n', True),
    ("docs", '{"data": [' + ",".join(f'{{"id": "m{i}", "max_tokens": {i}, "input_cost_per_token": 1e-6}}'
                                     for i in range(4))
     + ', {"id": "doc", "max_tokens": "set this to the limit", "input_cost_per_token": "price per token here"}]}',
     True),
    ("catalog", '[' + ",".join(f'{{"id": "m{i}", "litellm_provider": "p{i % 2}"}}' for i in range(5)) + ']', True),
    ("duplicate", '{"data": [{"id": "a", "id": "b"}, {"id": "c"}]}', False),
    ("lenient", '{"data": [{"id": "a", "context_length": 1e999}]}', False),
    ("nan", '{"data": [{"id": "a", "context_length": NaN}]}', False),
    ("other-keys", '{"object": "list", "data": [{"id": "a"}]}', False),
    ("trailing", '{"data": [{"id": "a"}]} x', False),
    ("empty", '{"data": []}', False),
    ("bom", '\ufeff{"data": [{"id": "a"}]}', False),
    ("surrogate", '{"data": [{"id": "a\\ud800"}]}', False),
])
def test_big_listings_read_a_record_at_a_time_give_what_the_whole_document_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, fast: bool
) -> None:
    path = tmp_path / "snap" / "models_acme.json"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    whole, streamed, took = _ingest_both(path, monkeypatch)
    assert took is fast, name
    assert streamed == whole


def test_generated_listing_streamed_compiles_to_the_same_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knollm_compiler.ingest import stream

    listing = generate(tmp_path / "snapshots", models=400, seed=5)
    whole = bundle_module.bundle_bytes(compile_catalog(REPO / "catalog", listing.parent).bundle)
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    assert stream.big_listing(listing) is not None
    assert bundle_module.bundle_bytes(compile_catalog(REPO / "catalog", listing.parent).bundle) == whole


def test_bundle_written_in_pieces_is_atomic_and_left_alone_when_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "out" / "catalog.json"
    parts = [b'{"a":', b"1" * 3_000_000, b"}\n"]
    bundle_module.write_parts(target, iter(parts))
    assert target.read_bytes() == b"".join(parts)
    stamp = target.stat().st_mtime_ns
    bundle_module.write_parts(target, iter(parts))
    bundle_module.write_if_changed(target, b"".join(parts))
    assert target.stat().st_mtime_ns == stamp  # same bytes: untouched
    bundle_module.write_parts(target, iter([*parts[:2], b"}"]))  # one byte shorter: rewritten
    assert target.read_bytes().endswith(b"1}")
    bundle_module.write_if_changed(target, b"x" * 10)
    assert target.read_bytes() == b"x" * 10
    assert sorted(p.name for p in target.parent.iterdir()) == ["catalog.json"]  # no temporary file left behind


def test_real_corpus_streamed_gives_the_same_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every real listing, read a record at a time, compiles to the bytes the whole-document reader gives."""
    sys.path.insert(0, str(REPO / "tests"))
    from corpus import CORPUS
    from knollm_compiler.ingest import stream

    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    whole = bundle_module.bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle)
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    assert bundle_module.bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle) == whole
