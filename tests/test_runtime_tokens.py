"""Runtime token counting: tiktoken when importable and loadable, else the documented 4-chars estimate."""

from __future__ import annotations

import sys
import types

import pytest

import knollm
from knollm import tokens


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    tokens._encoder.cache_clear()
    yield
    tokens._encoder.cache_clear()


def fake_tiktoken(monkeypatch: pytest.MonkeyPatch, *, fail: bool = False) -> list[str]:
    """Install a stand-in `tiktoken` module (one token per word) and record which encodings were asked for."""
    asked: list[str] = []

    class Encoding:
        def __init__(self, name: str) -> None:
            self.name = name

        def encode(self, text: str, disallowed_special: tuple = ()) -> list[int]:
            return list(range(len(text.split())))

    def get_encoding(name: str) -> Encoding:
        if fail:
            raise OSError("cannot download encoding files")
        asked.append(name)
        return Encoding(name)

    def encoding_for_model(model: str) -> Encoding:
        if model.startswith("gpt-4o"):
            return get_encoding("o200k_base")
        if model == "gpt-4":
            return get_encoding("cl100k_base")
        raise KeyError(model)

    module = types.ModuleType("tiktoken")
    module.get_encoding = get_encoding  # type: ignore[attr-defined]
    module.encoding_for_model = encoding_for_model  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tiktoken", module)
    return asked


def no_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)  # makes `import tiktoken` raise ImportError


@pytest.mark.parametrize(("text", "expected"), [("", 0), ("a", 1), ("abcd", 1), ("abcde", 2), ("x" * 400, 100)])
def test_estimate_is_ceil_of_chars_over_four(text: str, expected: int) -> None:
    assert knollm.estimate_tokens(text) == expected


def test_without_tiktoken_count_is_the_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    no_tiktoken(monkeypatch)
    assert knollm.count_tokens("hello world, how are you?") == 7  # 25 chars
    assert knollm.tokenizer() == "estimate:4-chars-per-token"
    assert knollm.tokenizer("openai/gpt-4o") == "estimate:4-chars-per-token"


def test_with_tiktoken_uses_the_model_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = fake_tiktoken(monkeypatch)
    assert knollm.count_tokens("one two three", "openai/gpt-4o") == 3
    assert knollm.tokenizer("gpt-4") == "tiktoken:cl100k_base"
    assert knollm.tokenizer("acme/unknown-model") == "tiktoken:o200k_base"  # unknown model: default encoding
    assert knollm.tokenizer() == "tiktoken:o200k_base"
    assert "cl100k_base" in asked


def test_tiktoken_that_cannot_load_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tiktoken(monkeypatch, fail=True)
    assert knollm.count_tokens("abcdefgh") == 2
    assert knollm.tokenizer() == "estimate:4-chars-per-token"
