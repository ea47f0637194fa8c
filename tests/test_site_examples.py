"""The code examples of the documentation run as written.

Every ```python block of a hand-written page (`src_docs/md/`) is executed, the blocks of one page in order in
one namespace, against the catalog compiled from this checkout's default sources (what `make build` ships).
Every `$ knollm ...` line of a ```console block runs through `python -m knollm` and must exit with status 0,
or with the status its `# exit status N` comment states. `dist/catalog.json` in a command means that bundle.
The "Use it" snippets of generated family and provider pages, and the `knollm libraries` commands of the library
pages, run against the site fixture bundle; the library examples (python blocks of `libraries/` pages) never run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from knollm_site import site_files

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "src_docs" / "md"
FIXTURE = ROOT / "tests" / "fixtures" / "site" / "bundle.json"
FENCE = re.compile(r"^```(?P<lang>[a-z]+)[^\n]*\n(?P<body>.*?)^```\s*$", re.M | re.S)
EXIT = re.compile(r"#\s*exit status (\d+)\s*$")
PAGES = sorted(DOCS.rglob("*.md"))


def blocks(text: str, lang: str) -> list[str]:
    return [m.group("body") for m in FENCE.finditer(text) if m.group("lang") == lang]


def commands(text: str) -> list[tuple[list[str], int]]:
    """(knollm arguments, expected exit status) for every `$ knollm` command of the console blocks."""
    found = []
    for block in blocks(text, "console"):
        for line in block.splitlines():
            if not line.startswith("$ "):
                continue
            words = shlex.split(line[2:], comments=True)
            env_words = [w for w in words if re.match(r"^[A-Z_]+=", w)]
            words = words[len(env_words):]
            if words[:1] != ["knollm"]:
                continue
            status = EXIT.search(line)
            found.append((env_words + words[1:], int(status.group(1)) if status else 0))
    return found


@pytest.fixture(scope="session")
def default_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle `make build` compiles from the default sources, built into a temporary directory."""
    work = tmp_path_factory.mktemp("default-build")
    shutil.copytree(ROOT / "catalog", work / "catalog")
    result = subprocess.run(
        [sys.executable, "-m", "knollm_compiler.build_cli", "--catalog", str(work / "catalog"), "--out",
         str(work / "dist"), "--quiet"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    return work / "dist" / "catalog.json"


def example_module(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """A fresh module namespace for one page's examples (registered, so dataclasses can find it)."""
    module = types.ModuleType("knollm_docs_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module.__dict__


def run_python(code: str, namespace: dict[str, object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs>", "exec"), namespace)
    return out.getvalue()


def test_the_pages_have_examples() -> None:
    texts = {p.relative_to(DOCS).as_posix(): p.read_text(encoding="utf-8") for p in PAGES}
    for page in ("guides/multi-provider.md", "guides/cost-optimization.md", "guides/troubleshooting.md",
                 "getting-started/quickstart.md"):
        assert len(blocks(texts[page], "python")) >= 3, page
        assert commands(texts[page]), page


def with_examples(kind: str) -> list[Path]:
    def has(page: Path) -> bool:
        text = page.read_text(encoding="utf-8")
        return bool(blocks(text, "python") if kind == "python" else commands(text))

    return [page for page in PAGES if has(page)]


@pytest.mark.parametrize("page", with_examples("python"), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_python_examples_run(page: Path, default_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code_blocks = blocks(page.read_text(encoding="utf-8"), "python")
    monkeypatch.setenv("KNOLLM_BUNDLE", str(default_bundle))
    namespace = example_module(monkeypatch)
    for number, code in enumerate(code_blocks, 1):
        try:
            run_python(code, namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"{page.name}, python block {number} failed: {exc!r}\n{code}") from exc


@pytest.mark.parametrize("page", with_examples("console"), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_console_examples_run(page: Path, default_bundle: Path) -> None:
    found = commands(page.read_text(encoding="utf-8"))
    for words, expected in found:
        env = {**os.environ, "KNOLLM_BUNDLE": str(default_bundle)}
        args = []
        for word in words:
            word = word.replace("dist/catalog.json", str(default_bundle))
            if re.match(r"^[A-Z_]+=", word):
                key, value = word.split("=", 1)
                env[key] = value
            else:
                args.append(word)
        result = subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env,
                                timeout=120, check=False)
        assert result.returncode == expected, f"knollm {shlex.join(args)}: {result.returncode}\n{result.stderr}"
        assert result.stdout.strip() or result.stderr.strip(), f"knollm {shlex.join(args)} printed nothing"


RUNNABLE_PYTHON = ("families/", "providers/")
"""Generated pages whose Knollm python snippets run. Never `libraries/`: a library page's example calls that
library's API (the library tests compile the examples and check their imports; nothing runs them)."""
RUNNABLE_SH = (*RUNNABLE_PYTHON, "libraries/")
"""Generated pages whose `knollm ...` shell lines run (`pip install` lines never do)."""


def runnable_python(path: str, code: str) -> bool:
    """Whether the python block `code` of the generated page `path` is a Knollm snippet that runs offline."""
    return (path.startswith(RUNNABLE_PYTHON) and "import knollm" in code and "openai" not in code
            and "anthropic" not in code)


def test_library_examples_are_never_run() -> None:
    """Library pages show their examples as python blocks; none of them is selected to run."""
    examples = 0
    for generated in site_files(FIXTURE):
        if generated.path.startswith("libraries/") and generated.path.endswith(".md"):
            for code in blocks(generated.data.decode(), "python"):
                assert not runnable_python(generated.path, code), generated.path
                examples += 1
    assert examples >= 3
    assert not runnable_python("libraries/x.md", "import knollm\nknollm.Catalog.load()\n")


def test_generated_snippets_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Knollm snippets of generated pages (family "Use it", provider "Query its models", the `knollm
    libraries` commands of library pages) run as shown."""
    monkeypatch.setenv("KNOLLM_BUNDLE", str(FIXTURE))
    ran = 0
    for generated in site_files(FIXTURE):
        if not generated.path.startswith(RUNNABLE_SH) or not generated.path.endswith(".md"):
            continue
        for code in blocks(generated.data.decode(), "python"):
            if runnable_python(generated.path, code):
                run_python(code, example_module(monkeypatch))
                ran += 1
        for code in blocks(generated.data.decode(), "sh"):
            for line in code.splitlines():
                if line.startswith("knollm "):
                    args = shlex.split(line)[1:]
                    result = subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True,
                                            text=True, timeout=120, check=False, env={**os.environ})
                    assert result.returncode == 0, f"{line}: {result.stderr}"
                    ran += 1
    assert ran > 5
