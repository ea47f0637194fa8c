"""The library guide in the runtime: records decoded from the bundle, the matrices, ranked recommendations with
reasons, and the `knollm libraries ...` commands through the real entry point (`python -m knollm`).

Exact rankings use the invented fixture `tests/fixtures/libraries/bundle.json`; the real catalog is compiled
once (without snapshots) to check the commands on the committed data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knollm import Catalog, InvalidArgument
from knollm.errors import BundleError
from knollm.libraries import (
    FEATURES,
    USE_CASES,
    WEIGHTS,
    LibraryGuide,
    LibraryNotFound,
    lightness_rating,
    reach_rating,
)

FIXTURE = Path(__file__).parent / "fixtures" / "libraries" / "bundle.json"
RUNTIME_FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


@pytest.fixture(scope="module")
def real_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes

    result = compile_catalog(Path(__file__).resolve().parents[1] / "catalog", None)
    path = tmp_path_factory.mktemp("libraries") / "catalog.json"
    path.write_bytes(bundle_bytes(result.bundle))
    return path


@pytest.fixture(scope="module")
def guide() -> LibraryGuide:
    return LibraryGuide.from_catalog(Catalog.load(FIXTURE))


def run(*args: str, bundle: Path = FIXTURE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KNOLLM_BUNDLE"}
    env["KNOLLM_BUNDLE"] = str(bundle)
    return subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def ok(*args: str, bundle: Path = FIXTURE) -> str:
    result = run(*args, bundle=bundle)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


# -- the Python API ----------------------------------------------------------------------------------------------


def test_records_decode(guide: LibraryGuide) -> None:
    assert len(guide) == 5 and "fastlib" in guide
    sdk = guide.get("acme-sdk")
    assert sdk.package.released == "2026-02" and sdk.package.release_date is None
    assert sdk.feature_list == FEATURES and sdk.supports("vision")
    assert sdk.judgement.ratings.mean == pytest.approx(4.4)
    assert guide.get("UniSDK").id == "unisdk"  # by PyPI name, case-insensitively
    assert guide.get("unisdk").reach("hostco") == "native" and guide.get("fastlib").reach("acme") == "http"
    assert guide.dialects(guide.get("bigframe")) == ("anthropic", "bedrock", "openai")


def test_select_filters(guide: LibraryGuide) -> None:
    assert [lib.id for lib in guide.select()] == ["acme-sdk", "bigframe", "fastlib", "tok", "unisdk"]
    assert [lib.id for lib in guide.select(category="framework")] == ["bigframe"]
    assert [lib.id for lib in guide.select(features=("structured-output", "tools"))] == ["acme-sdk", "bigframe",
                                                                                         "unisdk"]
    assert [lib.id for lib in guide.select(provider="cloudco")] == ["bigframe"]
    with pytest.raises(InvalidArgument, match="unknown category 'sdk'"):
        guide.select(category="sdk")


def test_matrices(guide: LibraryGuide) -> None:
    features = guide.feature_matrix()
    assert list(features) == ["acme-sdk", "bigframe", "fastlib", "tok", "unisdk"]
    assert features["unisdk"] == {**dict.fromkeys(FEATURES, True), "vision": False}
    reach = guide.compatibility_matrix()
    assert reach["tok"] == {} and reach["fastlib"] == {"acme": "http", "hostco": "http"}


def test_recommend_puts_our_picks_first_then_score(guide: LibraryGuide) -> None:
    picks = guide.recommend("multi-provider")
    assert [(p.library, p.fit) for p in picks] == [("bigframe", True), ("unisdk", True), ("fastlib", False),
                                                   ("acme-sdk", False)]
    assert picks[2].score > picks[1].score  # fit outranks a higher score
    assert [p.rank for p in picks] == [1, 2, 3, 4]
    assert "tok" not in {p.library for p in picks}  # reaches no provider: never recommended
    # bigframe: reach 3 (3 dialects), flexibility 5, api_design 3, maintenance 5, docs 4, performance 2
    assert picks[0].score == round((3 * 3 + 5 * 3 + 3 * 2 + 5 * 2 + 4 * 1 + 2 * 1) / 12, 2)
    assert picks[0].reasons[0] == "our pick for multi-provider"
    assert "reaches 3 of our providers (3 natively) across 3 API dialects" in picks[0].reasons
    assert picks[2].reasons[0] == "not among our picks for multi-provider (we pick it for lowest-overhead)"


def test_recommend_ties_go_by_id() -> None:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    twin = next(lib for lib in document["libraries"] if lib["id"] == "unisdk")
    twin["judgement"]["ratings"] = {c: 4 for c in twin["judgement"]["ratings"]}
    other = next(lib for lib in document["libraries"] if lib["id"] == "fastlib")
    other["judgement"]["ratings"] = {c: 4 for c in other["judgement"]["ratings"]}
    picks = LibraryGuide.from_catalog(Catalog.from_dict(document)).recommend("structured-output")  # nobody's pick
    scores = [(p.score, p.library) for p in picks]
    assert scores == sorted(scores, key=lambda item: (-item[0], item[1]))
    tied = [p.library for p in picks if p.score == 4.0]
    assert tied == ["fastlib", "unisdk"]


def test_recommend_needs_provider_and_limit(guide: LibraryGuide) -> None:
    picks = guide.recommend("lowest-overhead", needs=("async", "vision"))
    assert [p.library for p in picks] == ["acme-sdk", "bigframe"]
    assert "offers async, vision" in picks[0].reasons
    light = guide.recommend("lowest-overhead", limit=1)
    assert len(light) == 1 and light[0].library == "fastlib"
    assert "3 dependencies installed with it, 1 MB installed" in light[0].reasons
    agents = guide.recommend("agents", provider="hostco")
    assert agents[0].library == "bigframe" and {p.library for p in agents} == {"bigframe", "fastlib", "unisdk"}
    assert "reaches hostco (native)" in agents[0].reasons
    assert "reaches hostco (http)" in next(p for p in agents if p.library == "fastlib").reasons
    assert guide.recommend("agents", limit=0) == guide.recommend("agents")  # 0: no limit


def test_recommend_rejects_unknown_values_with_suggestions(guide: LibraryGuide) -> None:
    with pytest.raises(InvalidArgument, match=r"unknown use case 'ragg'; did you mean: rag\?"):
        guide.recommend("ragg")
    with pytest.raises(InvalidArgument, match=r"unknown feature 'tool'; did you mean: tools\?"):
        guide.recommend("rag", needs=("tool",))
    with pytest.raises(InvalidArgument, match="limit must be zero or more"):
        guide.recommend("rag", limit=-1)
    with pytest.raises(LibraryNotFound) as caught:
        guide.get("fastlibb")
    assert caught.value.suggestions[0] == "fastlib"
    assert str(caught.value).startswith("unknown library 'fastlibb'; did you mean: fastlib")


def test_weights_and_derived_ratings_cover_every_use_case() -> None:
    assert set(WEIGHTS) == set(USE_CASES)
    assert [reach_rating(n) for n in (0, 1, 2, 3, 4, 5, 6, 7, 9)] == [1, 1, 2, 3, 3, 4, 4, 5, 5]
    assert [lightness_rating(n) for n in (0, 5, 6, 15, 16, 30, 31, 60, 61)] == [5, 5, 4, 4, 3, 3, 2, 2, 1]


def test_bundles_without_libraries_and_malformed_records() -> None:
    empty = LibraryGuide.from_catalog(Catalog.load(RUNTIME_FIXTURE))
    assert len(empty) == 0 and empty.recommend("rag") == []
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    del document["libraries"][1]["judgement"]["ratings"]["docs"]
    with pytest.raises(BundleError, match="library record 'bigframe' is malformed"):
        LibraryGuide.from_catalog(Catalog.from_dict(document))
    document["libraries"] = {"not": "a list"}
    with pytest.raises(BundleError, match="'libraries' is not a list"):
        LibraryGuide.from_catalog(Catalog.from_dict(document))


def test_runtime_never_imports_the_compiler() -> None:
    code = ("import sys, knollm.libraries, knollm.cli\n"
            "heavy = {'knollm_compiler', 'pydantic', 'jinja2', 'mkdocs'}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "[]"


# -- the CLI -----------------------------------------------------------------------------------------------------


def test_cli_list() -> None:
    lines = ok("libraries", "list").splitlines()
    assert lines[0] == "5 of 5 libraries"
    assert lines[1].split() == ["ID", "Category", "Version", "Released", "License", "Features", "Providers",
                                "Rating"]
    assert lines[3].split() == ["acme-sdk", "official-sdk", "1.2.3", "2026-02", "MIT", "sync", "async", "stream",
                                "tools", "schema", "vision", "1", "4.4"]
    assert lines[-1].startswith("Rating: the mean of our 1-5 ratings (our judgement")
    data = json.loads(ok("--json", "libraries", "list", "--category", "unified-client"))
    assert [d["id"] for d in data] == ["unisdk"] and data[0]["compatibility"] == {"acme": "native",
                                                                                   "hostco": "native"}
    data = json.loads(ok("libraries", "list", "--feature", "vision", "--provider", "hostco", "--json"))
    assert [d["id"] for d in data] == ["bigframe"]


def test_cli_show() -> None:
    out = ok("libraries", "show", "unisdk")
    assert out.startswith("UniSDK (unisdk)\n")
    for expected in ("unisdk  (import unisdk)", "install          pip install unisdk\n",
                     "1.2.3, released 2026-01-15", "5 direct, 20 installed",
                     "not offered      vision", "2 (2 native)", "anthropic, openai", "(mean 3.8)",
                     "+ Invented pro.", "- Invented con.", "Example (ours; it calls an API when run):",
                     "    from unisdk import completion"):
        assert expected in out, expected
    assert "pip install 'bigframe[acme]' bigframe-hostco" in ok("libraries", "show", "bigframe")
    data = json.loads(ok("--json", "libraries", "show", "acme-sdk"))
    assert data["install"] == ["acme-sdk"]
    assert data["package"]["release_month"] == "2026-02" and data["judgement"]["best_for"] == ["simple-calls"]


def test_cli_recommend() -> None:
    out = ok("libraries", "recommend", "--use-case", "multi-provider", "--needs", "async,structured-output")
    lines = out.splitlines()
    assert lines[0] == "Libraries for multi-provider, needs async, structured_output: 3 shown, best first"
    assert lines[1] == " 1. bigframe  3.83  (our pick)"
    assert "      - our pick for multi-provider" in lines
    assert lines[-1].startswith("Scores weight our 1-5 ratings")
    data = json.loads(ok("--json", "libraries", "recommend", "--use-case", "lowest-overhead", "--limit", "2"))
    assert [(d["rank"], d["library"], d["fit"]) for d in data] == [(1, "fastlib", True), (2, "acme-sdk", False)]
    assert data[0]["score"] == 4.75 and data[0]["reasons"][0] == "our pick for lowest-overhead"
    aliased = json.loads(ok("--json", "libraries", "recommend", "--use-case", "agents", "--provider", "acme_ai"))
    assert "reaches acme (native)" in aliased[0]["reasons"]


def test_cli_matrix() -> None:
    lines = ok("libraries", "matrix").splitlines()
    assert lines[1].split() == ["Library", "sync", "async", "stream", "tools", "schema", "vision"]
    assert lines[3].split() == ["acme-sdk", "yes", "yes", "yes", "yes", "yes", "yes"]
    providers = ok("libraries", "matrix", "--providers").splitlines()
    assert providers[3].split() == ["acme-sdk", "1", "0", "0", "1", "openai"]
    assert json.loads(ok("--json", "libraries", "matrix", "--providers"))["fastlib"] == {"acme": "http",
                                                                                          "hostco": "http"}


@pytest.mark.parametrize(("args", "code", "message"), [
    (("libraries", "show", "fastlibb"), 1, "knollm: error: unknown library 'fastlibb'; did you mean: fastlib"),
    (("libraries", "recommend", "--use-case", "ragg"), 2, "unknown use case 'ragg'; did you mean: rag?"),
    (("libraries", "recommend", "--use-case", "rag", "--needs", "async,telepathy"), 2, "unknown feature 'telepathy'"),
    (("libraries", "list", "--feature", "strem"), 2, "did you mean: streaming?"),
    (("libraries", "recommend", "--use-case", "rag", "--provider", "acmee"), 1,
     "unknown provider 'acmee'; did you mean: acme?"),
    (("libraries", "recommend", "--use-case", "rag", "--limit", "-1"), 2, "argument --limit: not a whole"),
    (("libraries", "list", "--category", "sdk"), 2, "invalid choice: 'sdk'"),
])
def test_cli_errors(args: tuple[str, ...], code: int, message: str) -> None:
    result = run(*args)
    assert result.returncode == code, result.stderr
    assert message in result.stderr and result.stdout == ""


def test_cli_json_error_carries_suggestions() -> None:
    result = run("--json", "libraries", "show", "bigfram")
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "LibraryNotFound" and error["suggestions"][0] == "bigframe"


def test_cli_on_a_bundle_without_libraries() -> None:
    assert "carries no library data" in ok("libraries", "list", bundle=RUNTIME_FIXTURE)
    assert "No library meets these requirements." in ok("libraries", "recommend", "--use-case", "rag",
                                                        bundle=RUNTIME_FIXTURE)
    assert json.loads(ok("--json", "libraries", "recommend", "--use-case", "rag", bundle=RUNTIME_FIXTURE)) == []


# -- the real catalog --------------------------------------------------------------------------------------------


def test_real_catalog_commands(real_bundle: Path) -> None:
    data = json.loads(ok("--json", "libraries", "list", bundle=real_bundle))
    assert len(data) >= 25
    assert {d["category"] for d in data} == {"http-client", "official-sdk", "unified-client", "framework",
                                             "structured-output", "tool"}
    out = ok("libraries", "show", "google_genai", bundle=real_bundle)  # the import name finds it too
    assert out.startswith("Google Gen AI SDK (google-genai)") and "from google import genai" in out
    picks = json.loads(ok("--json", "libraries", "recommend", "--use-case", "multi-provider", "--needs",
                          "async,streaming,tools", "--limit", "0", bundle=real_bundle))
    ids = [p["library"] for p in picks]
    assert {"litellm", "pydantic-ai"} <= set(ids[:5]) and "tiktoken" not in ids
    assert all(p["fit"] for p in picks[:3]) and all(p["reasons"] for p in picks)
    local = json.loads(ok("--json", "libraries", "recommend", "--use-case", "local-models", "--provider", "ollama",
                          bundle=real_bundle))
    assert local[0]["library"] in {"ollama", "outlines", "guidance", "smolagents", "llm"}
    matrix = json.loads(ok("--json", "libraries", "matrix", "--providers", bundle=real_bundle))
    assert matrix["openai"]["groq"] == "openai-compatible" and matrix["groq"] == {"groq": "native"}
