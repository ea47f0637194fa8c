"""Real-corpus tier of the bundle index: on the full catalog, a catalog read through the index answers every query
and lookup exactly as one read from the JSON (skipped only when the corpus is absent)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import knollm
from corpus import CORPUS, CORPUS_TIER, REPO
from knollm import bundle, bundle_index

pytestmark = CORPUS_TIER
QUERIES: list[dict[str, Any]] = [
    {"text": "llama", "capability": "tools", "min_context": 32_000, "sort": "price", "limit": 20},
    {"kind": "chat", "max_input_price": "1", "sort": "context"}, {"text": "gpt 4o"}, {"text": "claude sonnet"},
    {"text": "deepseek r1", "sort": "relevance"}, {"sort": "name"}, {"sort": "created", "reverse": True},
    {"open_weights": True, "sort": "price"}, {"provider": ("openai", "anthropic"), "sort": "output_price"},
    {"flagged": True}, {"priced": False}, {"input_modality": "image", "output_modality": "text", "sort": "input_price"},
    {"kind": "embedding", "sort": "price"}, {"text": "qwen3 coder", "max_output_price": "2"},
]


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> tuple[knollm.Catalog, knollm.Catalog]:
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    path = tmp_path_factory.mktemp("corpus-index") / "catalog.json"
    path.write_bytes(bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle))
    index = bundle_index.build(path.read_bytes())
    assert index is not None and index == bundle_index.build(path.read_bytes())  # deterministic
    bundle_index.path_for(path).write_bytes(index)
    fast = knollm.Catalog.load(path)
    assert fast._indexed is not None
    return fast, knollm.Catalog(bundle.read(Path(path)), path, checked=True)


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_corpus_searches_answer_as_the_json(catalogs: tuple[knollm.Catalog, knollm.Catalog],
                                            query: dict[str, Any]) -> None:
    fast, slow = catalogs
    assert [m.id for m in fast.search(**query)] == [m.id for m in slow.search(**query)]


def test_corpus_lookups_answer_as_the_json(catalogs: tuple[knollm.Catalog, knollm.Catalog]) -> None:
    fast, slow = catalogs
    ids = [m.id for m in slow.models]
    picked = random.Random(18).sample(ids, 300)
    refs = picked + [i.split("/", 1)[1] for i in picked[:50]] + [i.upper() for i in picked[:50]]
    refs += [i[:-1] for i in picked[:20]] + [f.id for f in slow.families()[:50]]
    for ref in refs:
        try:
            expected: object = slow.get(ref)
        except knollm.ModelNotFound as exc:
            expected = exc.suggestions
        try:
            got: object = fast.get(ref)
        except knollm.ModelNotFound as exc:
            got = exc.suggestions
        assert got == expected, ref
    assert fast.models == slow.models
    assert fast.cheapest(kind="chat") == slow.cheapest(kind="chat")
