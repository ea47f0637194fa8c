"""Real-corpus tier for search (skipped only when ../shared/model_catalog is absent): the spellings a reader
types find the same models, and exact matches rank first, over every real listing."""

from __future__ import annotations

import orjson
import pytest

from knollm import Catalog
from knollm.textmatch import fold
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes
from test_corpus import CORPUS, REPO

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}"),
]
SPELLINGS = (("llama 3.3 70b", "llama-3.3-70b", "llama3.3:70b", "Llama 3.3 70B"), ("deepseek r1", "deepseek-r1"),
             ("gpt 4o mini", "gpt-4o-mini", "GPT4o mini"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dict(orjson.loads(bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle)))


@pytest.mark.parametrize("spellings", SPELLINGS, ids=lambda s: s[0])
def test_spellings_find_the_same_models(catalog: Catalog, spellings: tuple[str, ...]) -> None:
    results = [[m.id for m in catalog.search(s)] for s in spellings]
    assert results[0], spellings[0]
    # The best matches are the same whatever the spelling; a spelling with spaces is looser further down
    # ("llama 3.3 70b" also finds Llama-EveningMirai-3.3-70B), never stricter.
    assert all(r[:20] == results[0][:20] for r in results)
    assert all(set(r) <= set(max(results, key=len)) for r in results)


@pytest.mark.parametrize("query", ["llama 3.3 70b", "deepseek r1", "gpt 4o mini"])
def test_top_results_hold_the_query_side_by_side(catalog: Catalog, query: str) -> None:
    top = catalog.search(query, limit=10)
    for model in top:  # no "deepseek ... coder ... r1" scatter ahead of the real thing
        assert fold(query) in fold(model.model_id) + " " + fold(model.family or ""), model.id
