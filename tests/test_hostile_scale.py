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
from knollm_compiler import bundle as bundle_module
from knollm_compiler.build import compile_catalog
from knollm_compiler.records import Model
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
