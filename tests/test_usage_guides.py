"""The "Monitoring and analytics" and "Benchmarking" guides: their `knollm` command lines run as written against
the fake provider, with the configuration the monitoring guide shows (its address replaced by the fake's). The
python blocks run in test_site_examples (they start their own fake provider)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from test_site_examples import blocks
from usage_helpers import BUNDLE, ENV, assert_no_key

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ROOT / "src_docs" / "md" / "guides"
PAGES = ("benchmarking.md", "monitoring.md")  # the benchmark first: the report then has calls to show


def test_the_guides_are_in_the_navigation_and_have_examples() -> None:
    nav = (ROOT / "src_docs" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "Monitoring and analytics: guides/monitoring.md" in nav and "Benchmarking: guides/benchmarking.md" in nav
    for page in PAGES:
        text = (GUIDES / page).read_text(encoding="utf-8")
        assert len(blocks(text, "python")) >= 2 and blocks(text, "sh"), page


def test_the_command_lines_run_against_the_fake_provider(fake_provider, tmp_path: Path) -> None:
    (toml,) = blocks((GUIDES / "monitoring.md").read_text(encoding="utf-8"), "toml")
    (tmp_path / "knollm.toml").write_text(toml.replace("http://127.0.0.1:8101", fake_provider.base_url),
                                          encoding="utf-8")
    (tmp_path / "prompt.txt").write_text("Tell me a story", encoding="utf-8")
    env = {**os.environ, **ENV, "KNOLLM_CONFIG": str(tmp_path / "knollm.toml"), "KNOLLM_BUNDLE": str(BUNDLE)}
    ran = []
    for page in PAGES:
        for block in blocks((GUIDES / page).read_text(encoding="utf-8"), "sh"):
            for line in block.splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] != ["knollm"]:
                    continue
                done = subprocess.run([sys.executable, "-m", "knollm", *words[1:]], capture_output=True, text=True,
                                      env=env, cwd=tmp_path, timeout=120, check=False)
                assert done.returncode == 0, f"{line}\n{done.stderr}"
                assert done.stdout.strip(), line
                assert_no_key(done.stdout, done.stderr)
                ran.append(words[1])
    assert ran == ["benchmark", "benchmark", "usage", "usage", "usage"]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["models"][0]["successes"] == 3
    assert "<svg" in (tmp_path / "usage.html").read_text(encoding="utf-8")
    assert_no_key(*(p.read_bytes() for p in tmp_path.glob("usage.sqlite*")))
