"""Canonical families: hand-checked (provider, model id) cases, near-misses that must stay apart, the
rules' data files, and the family records."""

from __future__ import annotations

import shutil
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from knollm_compiler.build import compile_catalog
from knollm_compiler.families import family_key
from knollm_compiler.family_rules import load_family_rules
from knollm_compiler.problems import BuildError

REPO = Path(__file__).resolve().parents[1]
RULES = load_family_rules(REPO / "catalog" / "families")
CASES = tomllib.loads((REPO / "tests" / "family_cases.toml").read_text(encoding="utf-8"))["case"]


def test_there_are_enough_hand_checked_cases() -> None:
    assert len(CASES) >= 80
    labels = defaultdict(set)
    for case in CASES:
        labels[case["label"]].add(case["provider"])
    assert sum(1 for providers in labels.values() if len(providers) >= 3) >= 10


def _misplaced(kind: str) -> list[str]:
    """Cases not in the family of the first case with their label; `kind` is `alias` or `rule`."""
    out = []
    for case in CASES:
        if case.get("note", "").startswith("alias") != (kind == "alias"):
            continue
        first = next(c for c in CASES if c["label"] == case["label"])
        if family_key(RULES, case["provider"], case["model"]) != family_key(RULES, first["provider"], first["model"]):
            out.append(f"{case['provider']}/{case['model']}")
    return out


# Known gaps, a ratchet: they may shrink, never grow. Both are 0: every hand-checked case is placed by
# catalog/families/rules.toml or an entry in aliases.toml; a new case that needs either must come with it.
RULE_GAPS = 0
ALIAS_GAPS = 0


def test_rules_group_the_spellings_of_one_model() -> None:
    misplaced = _misplaced("rule")
    rule_cases = sum(1 for c in CASES if not c.get("note", "").startswith("alias"))
    assert rule_cases >= 600
    assert len(misplaced) <= RULE_GAPS, misplaced


def test_alias_cases_backlog_does_not_grow() -> None:
    assert len(_misplaced("alias")) <= ALIAS_GAPS


def test_different_labels_never_share_a_family() -> None:
    owners: dict[str, str] = {}
    clashes = []
    for case in CASES:
        key = family_key(RULES, case["provider"], case["model"])
        if owners.setdefault(key, case["label"]) != case["label"]:
            clashes.append((key, owners[key], case["label"], case["model"]))
    assert clashes == []


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct"),
        ("deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-V3-0324"),
        ("deepseek-ai/DeepSeek-V3.1-Base", "deepseek-ai/DeepSeek-V3.1"),
        ("deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"),
        ("Qwen/Qwen3-235B-A22B-Thinking-2507", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
        ("gpt-4o", "gpt-4o-mini"),
        ("gpt-3.5-turbo", "gpt-4-turbo"),
        ("gpt-4-turbo", "gpt-4"),
        ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022"),
        ("anthropic/claude-3.7-sonnet", "anthropic/claude-3.7-sonnet:thinking"),
        ("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct"),
    ],
)
def test_near_misses_stay_apart(left: str, right: str) -> None:
    assert family_key(RULES, "x", left) != family_key(RULES, "x", right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("deepseek-ai/DeepSeek-R1-0528", "accounts/fireworks/models/deepseek-r1-0528"),
        ("deepseek-ai/DeepSeek-R1-0528", "deepseek/deepseek-r1-0528:free"),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "accounts/fireworks/models/llama-v3p1-8b-instruct"),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
        ("anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"),
        ("llama3.1:8b", "Llama-3.1-8B"),
    ],
)
def test_spellings_of_one_model_meet(left: str, right: str) -> None:
    assert family_key(RULES, "x", left) == family_key(RULES, "y", right)


def test_model_aliases_apply_to_their_provider_only() -> None:
    assert family_key(RULES, "groq", "llama-3.3-70b-versatile") == "llama-3-3-70b-instruct"
    assert family_key(RULES, "other", "llama-3.3-70b-versatile") != "llama-3-3-70b-instruct"


def test_invalid_rules_are_all_reported(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog" / "providers", catalog / "providers")
    families = catalog / "families"
    families.mkdir()
    (families / "rules.toml").write_text('[[rule]]\npattern = "(unclosed"\nwhy = "x"\n\n[[rule]]\npattern = "a"\n')
    (families / "labs.toml").write_text('[[lab]]\npattern = "^x"\nauthor = "X"\nopen = true\n')
    with pytest.raises(BuildError) as caught:
        compile_catalog(catalog, None)
    reasons = " ".join(f"{p.file}:{p.path}:{p.reason}" for p in caught.value.problems)
    assert "invalid regular expression" in reasons and "rules.toml:rule.1.why" in reasons
    assert "labs.toml:lab.0.open" in reasons


def test_family_records(tmp_path: Path) -> None:
    snapshots = tmp_path / "snap"
    snapshots.mkdir()
    (snapshots / "models_hosta.json").write_text(
        '{"data": [{"id": "deepseek-ai/DeepSeek-R1-0528", "context_length": 163840,'
        ' "pricing": {"input": 0.5, "output": 2.0}}]}'
    )
    (snapshots / "models_hostb.json").write_text(
        '[{"id": "accounts/fireworks/models/deepseek-r1-0528", "context_length": 131072,'
        ' "pricing": {"input": 0.4, "output": 1.5}}, {"id": "deepseek-r1-0528-fp8"}]'
    )
    result = compile_catalog(REPO / "catalog", snapshots)
    (family,) = [f for f in result.bundle.families if f.id == "deepseek-r1-0528"]
    assert family.provider_count == 2 and family.author == "DeepSeek" and family.open_weights is True
    assert family.cheapest == "hostb/accounts/fireworks/models/deepseek-r1-0528"
    assert family.largest_context == "hosta/deepseek-ai/DeepSeek-R1-0528"
    assert family.offers[-1] == "hostb/deepseek-r1-0528-fp8"  # unpriced offers last
    assert all(m.family == "deepseek-r1-0528" for m in result.bundle.models if m.provider.startswith("host"))
