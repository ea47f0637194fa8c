"""The real-corpus test tier: where ../shared/model_catalog is, and the marks every corpus test module uses.

Corpus tests are skipped only when the corpus is absent; CI has it (`KNOLLM_CORPUS` overrides the place).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog")).resolve()
CORPUS_TIER = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}"),
]
"""`pytestmark = CORPUS_TIER` in a module of corpus tests."""
