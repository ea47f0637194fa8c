"""One loader for every authored TOML file, with one error format: `file:line: record: dotted.path: reason
(fix: ...)`, the line where the file shows the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from knollm_compiler.family_rules import load_family_rules
from knollm_compiler.problems import BuildError
from knollm_compiler.providers import load_provider_specs

PROVIDER = """\
name = "Acme"
kind = "first-party"
api_kind = "openai"
homepage = "https://acme.example"
docs_url = "https://docs.acme.example"
base_url = "https://api.acme.example/v1"

[auth]
env_var = "ACME_API_KEY"
header = "bearerr"
colour = "blue"
"""


def test_provider_file_errors_name_the_line_and_a_fix(tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(PROVIDER, encoding="utf-8")
    specs, problems = load_provider_specs(tmp_path)
    assert specs == {}
    by_path = {p.path: str(p) for p in problems}
    assert by_path["auth.header"].startswith("catalog/providers/acme.toml:10: record 'acme': auth.header: Input")
    assert "(fix: use one of the values the message lists)" in by_path["auth.header"]
    assert by_path["auth.colour"].startswith("catalog/providers/acme.toml:11: record 'acme': auth.colour: Extra")
    assert "(fix: remove the key, or correct its spelling" in by_path["auth.colour"]
    assert "(fix: add the key)" in by_path["free_tier"]  # a missing top-level key has no line to point at


def test_array_of_tables_errors_name_the_entry_line(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text('[[rule]]\npattern = "a"\n\n[[rule]]\npatern = "b"\n', encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        load_family_rules(tmp_path)
    lines = {p.path: p.line for p in caught.value.problems}
    assert lines["rule.1.patern"] == 5
