"""What the build does with the files of a snapshots directory beyond the listings themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

from knollm_compiler.build import compile_catalog

REPO = Path(__file__).resolve().parents[1]


def test_a_json_file_with_an_unknown_name_is_reported_not_silently_skipped(tmp_path: Path) -> None:
    shutil.copy(REPO / "tests" / "fixtures" / "explorer" / "models_acmecloud.json", tmp_path)
    (tmp_path / "Models-AcmeAI.json").write_text("[]")
    result = compile_catalog(REPO / "catalog", tmp_path)
    (report,) = [s for s in result.bundle.report.sources if s.file == "Models-AcmeAI.json"]
    assert report.role == "unreadable" and report.read == 0
    (problem,) = report.problems
    assert problem["path"] == "$file" and "models_<provider>.json" in problem["reason"]
    assert result.bundle.report.invariant_ok
