"""The runtime stays lean and separate from the compiler."""

from __future__ import annotations

import subprocess
import sys


def test_runtime_does_not_import_the_compiler() -> None:
    code = (
        "import sys, knollm\n"
        "heavy = {'knollm_compiler', 'pydantic', 'jinja2', 'mkdocs'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_runtime_sources_never_name_the_compiler() -> None:
    from pathlib import Path

    runtime = Path(__file__).resolve().parents[1] / "runtime" / "knollm"
    offenders = [p.name for p in runtime.rglob("*.py") if "knollm_compiler" in p.read_text(encoding="utf-8")]
    assert offenders == []
