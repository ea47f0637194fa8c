"""The `knollm` CLI end to end, through its real entry points (`python -m knollm` and the console script),
with KNOLLM_BUNDLE pointing at the invented fixture bundle."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
SCRIPT = Path(sys.executable).parent / "knollm"


def run(*args: str, bundle: Path | None = FIXTURE, stdin: str | None = None,
        entry: str = "module") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KNOLLM_BUNDLE"}
    if bundle is not None:
        env["KNOLLM_BUNDLE"] = str(bundle)
    command = [sys.executable, "-m", "knollm"] if entry == "module" else [str(SCRIPT)]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60)


def ok(*args: str, **kwargs: object) -> str:
    result = run(*args, **kwargs)  # type: ignore[arg-type]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def as_json(*args: str, **kwargs: object) -> object:
    return json.loads(ok("--json", *args, **kwargs))


# -- entry points ----------------------------------------------------------------------------------------------


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed next to the interpreter")
def test_console_script_entry_point() -> None:
    out = ok("providers", "list", entry="script")
    assert "acme" in out and "Acme AI" in out


def test_version_and_help() -> None:
    assert ok("--version").strip() == "knollm 0.1.0"
    help_text = ok("--help")
    for group in ("providers", "models", "families", "costs", "tokens"):
        assert group in help_text


def test_no_command_is_a_usage_error() -> None:
    result = run()
    assert result.returncode == 2 and "usage: knollm" in result.stderr


# -- providers -------------------------------------------------------------------------------------------------


def test_providers_list_plain() -> None:
    out = ok("providers", "list")
    lines = out.splitlines()
    assert lines[0] == "3 providers (data date 2025-09-02)"
    assert lines[1].split() == ["ID", "Name", "Kind", "Models", "Priced", "Listing", "Free", "tier"]
    assert "\x1b[" not in out  # no colour codes in a pipe
    hostco = next(line for line in lines if line.startswith("hostco"))
    assert hostco.split() == ["hostco", "HostCo", "inference-host", "5", "4", "failed", "yes"]


def test_providers_list_filters_and_json() -> None:
    data = as_json("providers", "list", "--failed")
    assert [p["id"] for p in data] == ["hostco"]
    assert data[0]["status"]["last_error"] == "401 Unauthorized"
    assert [p["id"] for p in as_json("providers", "list", "--kind", "aggregator")] == ["routr"]


def test_providers_show() -> None:
    out = ok("providers", "show", "acme_ai")
    assert out.startswith("Acme AI (acme)")
    assert "bearer via $ACME_API_KEY" in out and "https://api.acme.example/v1" in out
    assert "4 (4 priced)" in out
    data = as_json("providers", "show", "hostco")
    assert data["status"]["failed"] is True and data["kind"] == "inference-host"


def test_unknown_provider_suggests() -> None:
    result = run("providers", "show", "acmee")
    assert result.returncode == 1
    assert result.stderr.strip() == "knollm: error: unknown provider 'acmee'; did you mean: acme?"
    assert result.stdout == ""


# -- models ----------------------------------------------------------------------------------------------------


def test_models_search_with_filters() -> None:
    out = ok("models", "search", "llama", "--capability", "tools", "--sort", "price")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "Kind", "Context", "In", "$/M", "Out", "$/M", "Family"]
    assert lines[2].split() == ["routr/meta/llama-4-70b", "chat", "131,072", "$0.50", "$0.75", "llama-4-70b"]
    assert lines[3].split()[0] == "hostco/llama-4-70b-instruct"
    assert lines[-1] == "2 of 2 matches"
    assert ok("models", "search", "acme", "large", "--limit", "0").splitlines()[-1] == "2 of 2 matches"  # all words


def test_models_search_every_filter_flag() -> None:
    data = as_json(
        "models", "search", "--provider", "acme", "--provider", "routr", "--kind", "chat",
        "--input-modality", "text", "--output-modality", "text", "--min-context", "128k",
        "--max-input-price", "3", "--max-output-price", "$15", "--closed-weights", "--priced",
        "--sort", "context", "--reverse",
    )
    assert [m["id"] for m in data] == ["acme/acme-large-2", "routr/acme/acme-large-2"]
    assert data[0]["pricing"]["input_per_mtok"] == "3"  # money as exact strings
    assert data[0]["pricing"]["tiers"][0]["output_per_mtok"] == "22.5"
    assert [m["id"] for m in as_json("models", "search", "--open-weights", "--family", "llama-4-70b",
                                     "--limit", "1", "--sort", "price")] == ["routr/meta/llama-4-70b"]


def test_models_search_limit_caption() -> None:
    out = ok("models", "search", "--limit", "2")
    assert out.splitlines()[-1] == "2 of 12 matches (use --limit 0 for all)"
    assert ok("models", "search", "--limit", "0").splitlines()[-1] == "12 of 12 matches"
    lines = ok("models", "search", "nothing-like-this").splitlines()  # then why, and the nearest models
    assert lines[2] == "0 of 0 matches" and lines[3] == "Nothing matches every word of 'nothing-like-this'."


def test_models_search_bad_flag_values_are_usage_errors() -> None:
    result = run("models", "search", "--capability", "telepathy")
    assert result.returncode == 2 and "invalid choice: 'telepathy'" in result.stderr
    result = run("models", "search", "--min-context", "lots")
    assert result.returncode == 2 and "not a count: 'lots'" in result.stderr
    result = run("models", "search", "--max-input-price", "-1")
    assert result.returncode == 2 and "not a non-negative price" in result.stderr
    result = run("models", "search", "--limit", "-3")
    assert result.returncode == 2 and "argument --limit: not a whole, non-negative count: '-3'" in result.stderr


def test_models_show() -> None:
    out = ok("models", "show", "acme/acme-large-2")
    assert out.startswith("acme/acme-large-2\n")
    for expected in ("Acme Large 2", "400,000", "text, image", "prompt_caching, tools, vision", "$3.00/M", "$15.00/M",
                     "$0.30/M", "$3.75/M", "input $6.00/M, output $22.50/M", "acme-large",
                     "Acme's flagship model for [hard]"):
        assert expected in out, expected
    assert re.search(r"^  not supported +reasoning$", out, re.M)
    data = as_json("models", "show", "routr/meta/llama-4-70b")
    assert data["pricing"]["per_request"] == "0.001" and data["featured"] is True
    assert re.search(r"^  pricing +unknown$", ok("models", "show", "hostco/mystery-model"), re.M)


def test_unknown_model_did_you_mean() -> None:
    result = run("models", "show", "acme/acme-smal")
    assert result.returncode == 1
    assert "unknown model 'acme/acme-smal'; did you mean: acme/acme-small" in result.stderr
    data = json.loads(run("--json", "models", "show", "acme/acme-smal").stdout)
    assert data["error"]["type"] == "ModelNotFound"
    assert data["error"]["suggestions"][0] == "acme/acme-small"


# -- families --------------------------------------------------------------------------------------------------


def test_families_list() -> None:
    out = ok("families", "list")
    assert out.splitlines()[0] == "3 families"
    assert "llama-4-70b" in out and "70B" in out
    assert [f["id"] for f in as_json("families", "list")] == ["acme-large", "acme-small", "llama-4-70b"]


def test_families_show_cheapest_first() -> None:
    out = ok("families", "show", "llama-4-70b")
    assert out.startswith("Llama 4 70B (llama-4-70b)")
    table = out[out.index("3 offers, cheapest first"):].splitlines()
    assert [line.split()[1] for line in table[3:]] == [
        "routr/meta/llama-4-70b", "hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo"]
    data = as_json("families", "show", "llama-4-70b")
    assert data["family"]["open_weights"] is True
    assert data["offers"][0]["id"] == "routr/meta/llama-4-70b"


def test_unknown_family_suggests() -> None:
    result = run("families", "show", "llama-4")
    assert result.returncode == 1 and "did you mean: llama-4-70b?" in result.stderr


def test_bundle_without_families(tmp_path: Path) -> None:
    document = json.loads(FIXTURE.read_text())
    del document["families"]
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps(document))
    assert "no family data" in ok("families", "list", bundle=legacy)
    result = run("families", "show", "llama-4-70b", bundle=legacy)
    assert result.returncode == 1 and "carries no family data" in result.stderr


# -- costs -----------------------------------------------------------------------------------------------------


def test_costs_estimate() -> None:
    out = ok("costs", "estimate", "--model", "acme/acme-large-2", "--input-tokens", "250k", "--output-tokens", "2000",
             "--cached-tokens", "100_000")
    lines = out.splitlines()
    assert lines[0] == "acme/acme-large-2: $0.975"
    assert "above 200,000 input tokens" in out
    # 150k uncached at the tier's $6, 100k cache reads at the base $0.3 (the tier states none), 2k out at $22.5
    assert re.search(r"^  input +\$0\.90$", out, re.M) and re.search(r"^  cache read +\$0\.03$", out, re.M)
    assert re.search(r"^  output +\$0\.045$", out, re.M)


def test_costs_estimate_json_is_exact() -> None:
    data = as_json("costs", "estimate", "--model", "acme/acme-small", "--input-tokens", "1234", "--output-tokens",
                   "567", "--requests", "3")
    assert data["total"] == "0.00305175" and data["input"] == "0.0009255" and data["requests"] == 3


def test_costs_estimate_errors() -> None:
    result = run("costs", "estimate", "--model", "hostco/mystery-model", "--input-tokens", "1", "--output-tokens", "1")
    assert result.returncode == 1 and "no prices are known for model 'hostco/mystery-model'" in result.stderr
    result = run("costs", "estimate", "--model", "acme/acme-small", "--input-tokens", "10", "--output-tokens", "1",
                 "--cached-tokens", "5")
    assert result.returncode == 1 and "cache_read_per_mtok is missing" in result.stderr
    result = run("costs", "estimate", "--model", "acme/acme-large-2", "--input-tokens", "10", "--output-tokens", "1",
                 "--cached-tokens", "50")
    assert result.returncode == 1 and "cannot exceed it (10)" in result.stderr
    result = run("costs", "estimate", "--model", "acme/acme-small", "--output-tokens", "1")
    assert result.returncode == 2 and "--input-tokens" in result.stderr
    data = json.loads(run("--json", "costs", "estimate", "--model", "hostco/mystery-model", "--input-tokens", "1",
                          "--output-tokens", "1").stdout)
    assert data["error"] == {"type": "PriceUnknown",
                             "message": "no prices are known for model 'hostco/mystery-model'"}


def test_costs_compare_family() -> None:
    out = ok("costs", "compare", "--family", "llama-4-70b", "--input-tokens", "1M", "--output-tokens", "100k")
    lines = out.splitlines()
    assert lines[0] == "family llama-4-70b: 1,000,000 in / 100,000 out x 1, cheapest first"
    assert lines[3].split() == ["1", "routr/meta/llama-4-70b", "$0.50", "$0", "$0.075", "$0.001", "$0.576"]
    assert [line.split()[1] for line in lines[3:]] == [
        "routr/meta/llama-4-70b", "hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo"]


def test_costs_compare_models_and_unpriced() -> None:
    out = ok("costs", "compare", "--model", "acme/acme-small", "--model", "hostco/mystery-model",
             "--input-tokens", "1000", "--output-tokens", "10")
    assert "acme/acme-small" in out
    assert out.splitlines()[-1] == "not priced: hostco/mystery-model (pricing unknown)"
    data = as_json("costs", "compare", "--family", "acme-large", "--model", "hostco/mystery-model",
                   "--input-tokens", "1000", "--output-tokens", "10", "--limit", "1")
    assert [c["model"] for c in data["costs"]] == ["acme/acme-large-2"]
    assert data["unpriced"][0]["model"] == "hostco/mystery-model"


def test_costs_compare_needs_a_subject() -> None:
    result = run("costs", "compare", "--input-tokens", "1", "--output-tokens", "1")
    assert result.returncode == 1 and "needs --family FAMILY or at least one --model" in result.stderr
    result = run("costs", "compare", "--model", "acme/nope", "--input-tokens", "1", "--output-tokens", "1")
    assert result.returncode == 1 and "unknown model 'acme/nope'" in result.stderr


# -- tokens ----------------------------------------------------------------------------------------------------


def test_tokens_count(tmp_path: Path) -> None:
    has_tiktoken = _importable("tiktoken")
    out = ok("tokens", "count", "hello world")
    assert "tokens (" in out and "11 characters" in out
    data = as_json("tokens", "count", stdin="x" * 40)
    assert data["characters"] == 40
    if not has_tiktoken:
        assert data == {"tokens": 10, "characters": 40, "method": "estimate:4-chars-per-token"}
    text = tmp_path / "prompt.txt"
    text.write_text("y" * 8)
    assert as_json("tokens", "count", "--file", str(text), "--model", "openai/gpt-4o")["characters"] == 8
    result = run("tokens", "count", "--file", str(tmp_path / "missing.txt"))
    assert result.returncode == 1 and "cannot read" in result.stderr


def _importable(name: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({name!r}) else 1)"
    return subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- bundle errors ---------------------------------------------------------------------------------------------


def test_missing_bundle_says_how_to_rebuild(tmp_path: Path) -> None:
    result = run("providers", "list", bundle=tmp_path / "nope.json")
    assert result.returncode == 1
    assert "knollm: error: Knollm catalog bundle" in result.stderr
    assert "make build" in result.stderr and "KNOLLM_BUNDLE" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_bundle_via_flag(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "9.0", "models": [], "providers": []}')
    result = run("models", "search", "x", "--bundle", str(broken))
    assert result.returncode == 1 and "'9.0' is not supported" in result.stderr
    assert "Traceback" not in result.stderr
    # --bundle before the command works too, and beats KNOLLM_BUNDLE
    assert "acme" in ok("--bundle", str(FIXTURE), "providers", "list", bundle=broken)


# -- terminal output -------------------------------------------------------------------------------------------


def test_rich_tables_on_a_terminal() -> None:
    """On a real pseudo-terminal the CLI draws rich tables (with colour codes) instead of plain text."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "KNOLLM_BUNDLE": str(FIXTURE), "COLUMNS": "160", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "knollm", "families", "show", "llama-4-70b"],
                               stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 0
    screen = b"".join(chunks).decode()
    assert "\x1b[" in screen  # styled
    assert "━" in screen  # rich's heavy table rule
    assert "routr/meta/llama-4-70b" in screen and "Llama 4 70B" in screen
