"""Change detection between bundles, the history file, replay, and the runtime's reading of history.jsonl."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from knollm.changes_command import selected
from knollm.history import Change, load_changes, price_line, since_day
from knollm_compiler.change_detect import changes_document, diff_bundles, percent
from knollm_compiler.history_record import (
    HistoryError,
    after_build,
    read_history,
    record,
    replay,
    replay_main,
    usage_problem,
)


def bundle(date: str, models: list[dict[str, Any]], providers: tuple[str, ...] = ("p",)) -> dict[str, Any]:
    return {"data_date": date, "providers": [{"id": p} for p in providers], "models": models}


def model(mid: str, **fields: Any) -> dict[str, Any]:
    return {"id": mid, "provider": mid.split("/")[0], **fields}


def test_prices_context_and_capabilities() -> None:
    old = bundle("2026-01-01", [model("p/a", pricing={"input_per_mtok": "2", "output_per_mtok": "0"},
                                      context_window=8192, capabilities={"tools": True, "vision": False})])
    new = bundle("2026-02-01", [model("p/a", pricing={"input_per_mtok": "1.5", "output_per_mtok": "1",
                                                      "per_request": "0.01"},
                                      context_window=8192, capabilities={"tools": False})], ("p", "q"))
    changes = diff_bundles(old, new)
    assert [c["kind"] for c in changes] == ["provider_added", "price", "price", "price", "capability",
                                            "capability"]
    price = {c["field"]: (c["old"], c["new"], c["percent"]) for c in changes if c["kind"] == "price"}
    assert price == {"input_per_mtok": ("2", "1.5", "-25.00"), "output_per_mtok": ("0", "1", None),
                     "per_request": (None, "0.01", None)}
    assert {c["field"]: c["new"] for c in changes if c["kind"] == "capability"} == {"tools": False, "vision": None}
    assert all(c["date"] == "2026-02-01" for c in changes)


def test_hostile_and_old_bundles_do_not_crash() -> None:
    odd = {"data_date": None, "models": [1, {"id": 5}, model("p/x", pricing={"input_per_mtok": "NaNx"},
                                                               capabilities=[1])], "providers": "no"}
    assert diff_bundles(odd, odd) == []
    assert diff_bundles({}, bundle("2026-01-01", [model("p/a")]))[0]["kind"] == "provider_added"
    assert percent(Decimal(0), Decimal(1)) is None and percent(None, Decimal(1)) is None
    document = changes_document(bundle("d1", []), bundle("d2", [model("p/a")]))
    assert document["counts"]["model_added"] == 1 and document["previous_date"] == "d1"


def test_record_is_idempotent_sorted_and_append_only(tmp_path: Path) -> None:
    first = diff_bundles(bundle("2026-02-01", []), bundle("2026-03-01", [model("p/a")]))
    assert record(tmp_path, first) == 1
    before = (tmp_path / "changes.jsonl").read_text().splitlines()
    earlier = diff_bundles(bundle("2026-01-01", []), bundle("2026-01-15", [model("p/z")]))
    assert record(tmp_path, first + earlier) == 1
    after = (tmp_path / "changes.jsonl").read_text().splitlines()
    assert set(before) <= set(after) and after == sorted(after, key=lambda x: json.loads(x)["date"])
    assert record(tmp_path, first) == 0


def test_replay_orders_bundles_by_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = []
    for i, (date, models) in enumerate([("2026-03-01", ["p/a", "p/b"]), ("2026-01-01", ["p/a"])]):
        path = tmp_path / f"b{i}.json"
        path.write_text(json.dumps(bundle(date, [model(m) for m in models])))
        paths.append(path)
    assert replay(paths, tmp_path / "h") == 1
    assert read_history(tmp_path / "h" / "changes.jsonl")[0]["model"] == "p/b"
    assert replay_main([*map(str, paths), "--catalog", str(tmp_path)]) == 0
    (tmp_path / "bad.json").write_text("[1]")
    assert replay_main([str(tmp_path / "bad.json"), "--catalog", str(tmp_path)]) == 1
    assert "not a JSON object" in capsys.readouterr().err


def test_bad_history_and_bundle_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "changes.jsonl").write_text('{"date": "x"}\nnot json\n')
    with pytest.raises(HistoryError, match=":2: not a JSON line"):
        read_history(tmp_path / "changes.jsonl")
    (tmp_path / "changes.jsonl").write_text("[1]\n")
    with pytest.raises(HistoryError, match="not a JSON object"):
        read_history(tmp_path / "changes.jsonl")
    args = argparse.Namespace(previous=tmp_path / "missing.json", record_history=False)
    assert usage_problem(args) is not None
    assert usage_problem(argparse.Namespace(previous=None, record_history=True)) is not None
    (tmp_path / "out").mkdir()
    (tmp_path / "prev.json").write_text("{not json")
    args = argparse.Namespace(previous=tmp_path / "prev.json", record_history=False)
    assert "not valid JSON" in (after_build(args, tmp_path / "out", tmp_path) or "")


def test_runtime_reads_history_leniently(tmp_path: Path) -> None:
    lines = ['{"date":"2026-01-01","kind":"price","model":"p/a","field":"input_per_mtok","old":"1","new":"2",'
             '"percent":"100.00"}', "garbage", "[1]", '{"date":"2026-02-01","kind":"context","model":"p/a",'
             '"field":"context_window","old":8192,"new":"x"}', '{"date":"2026-03-01","kind":"capability",'
             '"model":"p/a","field":"tools","old":true,"new":false}']
    (tmp_path / "history.jsonl").write_text("\n".join(lines))
    changes = load_changes(tmp_path / "history.jsonl")
    assert [c.kind for c in changes] == ["price", "context", "capability"]
    assert changes[0].new == Decimal("2") and changes[1].new is None
    assert changes[1].describe() == "context_window 8192 → unknown"
    assert changes[2].describe() == "tools yes → no"
    assert price_line(changes) == "2026-01-01 input_per_mtok 1 → 2 (+100.00%)"
    assert load_changes(tmp_path / "none.jsonl") == [] and load_changes(None) == []
    assert changes[0].as_dict()["old"] == "1"
    assert [c.date for c in selected(changes, "2026-02-01", None, None)] == ["2026-03-01", "2026-02-01"]
    assert Change("d", "model_added").describe() == "model added"


def test_since_accepts_ages_and_days() -> None:
    today = dt.date(2026, 11, 30)
    assert since_day("30d", today) == "2026-10-31" and since_day("2w", today) == "2026-11-16"
    assert since_day("2026-01-02") == "2026-01-02"
    with pytest.raises(ValueError, match="30d"):
        since_day("soon")


def test_changes_command_without_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from knollm.cli import main

    bundle_file = tmp_path / "catalog.json"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "site" / "bundle.json", bundle_file)
    assert main(["changes", "--bundle", str(bundle_file)]) == 0
    assert "no recorded changes match (no history file beside the bundle)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["changes", "--bundle", str(bundle_file), "--since", "yesterday"])
