"""What a snapshots folder holds is defined once (`knollm_compiler.snapshot_folder`): file roles by name."""

from __future__ import annotations

from pathlib import Path

from knollm_compiler.report import unrecognised_report
from knollm_compiler.snapshot_folder import LISTING_NAMING, PROVIDERS_CSV, STATUS_FILE, read_folder


def test_each_file_gets_its_role(tmp_path: Path) -> None:
    for name in ("models_acme_ai.json", "models_acme_ai_best.json", "models_zeta_manual.json", "notes.json",
                 STATUS_FILE, PROVIDERS_CSV, "README.md"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    folder = read_folder(tmp_path)
    assert [(f.name, f.provider, f.variant) for f in folder.listings] == [
        ("models_acme_ai.json", "acme-ai", None), ("models_acme_ai_best.json", "acme-ai", "best"),
        ("models_zeta_manual.json", "zeta", "manual")]
    assert folder.unrecognised == ["notes.json"]
    assert folder.status_file == tmp_path / STATUS_FILE
    assert folder.providers_csv == tmp_path / PROVIDERS_CSV


def test_a_broken_symlink_is_present_and_absent_files_are_none(tmp_path: Path) -> None:
    (tmp_path / STATUS_FILE).symlink_to(tmp_path / "gone.json")
    folder = read_folder(tmp_path)
    assert folder.status_file == tmp_path / STATUS_FILE  # reported by the reader, not taken for "no file"
    assert folder.providers_csv is None and folder.listings == [] and folder.unrecognised == []


def test_the_report_names_the_expected_naming() -> None:
    reason = unrecognised_report("notes.json").problems[0]["reason"]
    assert LISTING_NAMING in reason and STATUS_FILE in reason
