"""An empty search explains itself, in the runtime and the CLI as in the explorer: which filter left out how
many of the text's matches, or the nearest models when the text finds nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from knollm import Catalog, Query
from knollm.explain import active_filters, explain_empty, nearest

BUNDLE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


def test_filters_that_left_out_the_matches_are_named_with_counts() -> None:
    catalog = Catalog.load(BUNDLE)
    query = Query(text="llama 4", kind="embedding", min_context=1)
    assert catalog.search(query) == []
    assert active_filters(query) == {"kind": ("embedding",), "min_context": 1}
    (sentence,) = explain_empty(catalog, query)
    assert sentence.startswith("'llama 4' matches 3 models; kind = embedding leaves out 3; min_context = 1 leaves out")


def test_nearest_models_when_the_text_finds_nothing() -> None:
    catalog = Catalog.load(BUNDLE)
    assert catalog.search("llama 4 zzz") == []
    lines = explain_empty(catalog, Query(text="llama 4 zzz"))
    assert lines[0] == "Nothing matches every word of 'llama 4 zzz'."
    assert lines[1].startswith("Nearest: routr/meta/llama-4-70b")
    assert nearest(catalog, "qqq zzz") == [] and explain_empty(catalog, Query(text="llama")) == []


def test_cli_prints_the_explanation() -> None:
    run = subprocess.run([sys.executable, "-m", "knollm", "--bundle", str(BUNDLE), "models", "search", "llama 4",
                          "--kind", "embedding"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "'llama 4' matches 3 models; kind = embedding leaves out 3." in run.stdout
