"""Fast paths the 100k build leans on give what the plain rules give: the cheap guards in `knollm.redact.redact`
skip only patterns that cannot match, `textmatch.fold` of ASCII text (by `bytes.translate`) equals the `drop`
rule's regular expression, the bundle scan's member-by-member walk finds the ranges a whole decode finds, the index
of a file is the index of its bytes, and `flatten` as a list keeps the generator's order."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knollm import bundle_index, textmatch
from knollm import redact as r
from knollm.bundle_layout import LayoutError, scan
from knollm_compiler.ingest.flatten import flatten

SAMPLES = [
    "api_key: sk3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
    "token=ab12cd34ef56gh78",
    "Password: hunter2hunter2",
    "paſſword: s3cretvalue99",  # `(?i)` folds ſ to s: not ASCII, so the pattern still runs
    "\u212aEY = 9f8e7d6c5b4a",  # the Kelvin sign, folded to k
    "x-amz-signature=0123456789abcdef0123",
    "Credentials: aB3dE5fG7hJ9kL1mN3pQ",
    "pwd: letmein12345",
    "context: 128k tokens, vision: yes",
    "ratio = 3:1 for input:output",
    "a model for chat: fast and cheap",
    "hash 0123456789abcdef0123456789abcdef and more text",
    "run A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6 ends",
    "thirty-one chars 0123456789abcdef0123456789abcde here",
    "Bearer abcdef1234567890 and authorization: Basic dXNlcjpwYXNz",
    "https://user:pa55word@example.com/path",
]


def _unguarded(text: str) -> str:
    """`redact` as it would run with no guard on `_NAMED` and the long-run patterns."""
    if len(text) < 8:
        return text
    lower = text.lower()
    if "private key" in lower:
        text = r._PEM.sub(r.MARK, text)
    if "authorization" in lower:
        text = r._AUTH_HEADER.sub(r._auth_header, text)
    if "bearer" in lower or "basic" in lower or "token" in lower:
        text = r._SCHEME.sub(lambda m: m[0] if not r._looks_random(m[3], 8) else m[1] + m[2] + r.MARK, text)
    text = r._NAMED.sub(r._named, text)
    if "://" in text and "@" in text:
        text = r._USERINFO.sub(lambda m: m.group(1) + r.MARK + "@", text)
    if len(text) < 16:
        return text
    text = r._PREFIXED.sub(lambda m: r.MARK if r._RUN.search(m.group(0)) else m.group(0), text)
    for guard, pattern in (("A", r._AWS_KEY_ID), ("AIza", r._GOOGLE), ("eyJ", r._JWT)):
        if guard in text:
            text = pattern.sub(r.MARK, text)
    text = r._LONG_HEX.sub(lambda m: r.MARK if r._looks_random(m.group(0), 32) else m.group(0), text)
    return r._LONG_TOKEN.sub(lambda m: r.MARK if r._looks_random(m.group(0), 32) else m.group(0), text)


@pytest.mark.parametrize("text", SAMPLES)
def test_guards_change_nothing(text: str) -> None:
    assert r.redact(text) == _unguarded(text)


def test_guards_still_redact_folded_names() -> None:
    assert "s3cretvalue99" not in r.redact("paſſword: s3cretvalue99")
    assert r.MARK in r.redact("hash 0123456789abcdef0123456789abcdef and more text")


def test_may_name() -> None:
    assert not r._may_name("context: 128k, vision: yes")
    assert r._may_name("Api-Key: x") and r._may_name("naïve: text")


FOLDED = ["Llama-3.3-70B:free", "".join(map(chr, range(128))), "Qwen/Qwen2.5-72B-Instruct", "", "  ",
          "Ünïcode-X", "\u212aelvin", "ﬁne ﬂow", "İstanbul-7B", "naïve_model v2", "\x00\x1b[31mred"]


@pytest.mark.parametrize("text", FOLDED)
def test_fold_matches_the_drop_rule(text: str) -> None:
    assert textmatch.fold(text) == re.sub(textmatch.SEARCH_RULES["drop"], "", text.lower())


BUNDLE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


def test_scan_walks_top_level_values_to_the_same_ranges() -> None:
    """Top-level arrays and objects are walked member by member: their ranges are those of the whole values."""
    data = b'{"a": [1, {"b": [2, 3]}, "x"] , "o" : {"k": {"n": null}, "l": []}, "s": "t", "models": [{"id": "p/m"}]}'
    layout = scan(data)
    text = data.decode()
    for key, (start, end) in layout.top.items():
        _, stop = json.JSONDecoder().raw_decode(text, start)
        assert stop == end, key
    assert layout.records == [(data.index(b'{"id"'), data.rindex(b"]}"))]


@pytest.mark.parametrize("data", [b'{"a": [1,, 2], "models": []}', b'{"o": {"k" 1}, "models": []}',
                                  b'{"o": {1: 2}, "models": []}', b'{"a": [1 2], "models": []}'])
def test_scan_refuses_a_bad_member_of_a_top_level_value(data: bytes) -> None:
    with pytest.raises(LayoutError):
        scan(data)


def test_the_index_of_a_file_is_the_index_of_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    shutil.copyfile(BUNDLE, path)
    pieces = bundle_index.build_file(path)
    assert pieces is not None and b"".join(pieces) == bundle_index.build(path.read_bytes())
    path.write_bytes(b"{}")
    assert bundle_index.build_file(path) is None


def _flattened(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in record.items():  # the generator flatten was before it built a list
        if isinstance(value, dict) and value:
            yield from _flattened(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def test_flatten_keeps_its_order_and_leaves() -> None:
    record: dict[str, Any] = {"id": "x", "pricing": {"prompt": "1", "tiers": {}, "deep": {"er": [1, {"a": 2}]}},
                              "list": [], "n": None}
    assert flatten(record) == list(_flattened(record))
    assert flatten(record, "top.") == list(_flattened(record, "top."))
