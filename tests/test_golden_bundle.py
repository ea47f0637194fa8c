"""Golden bundle: the bundle compiled from the test fixtures must stay byte for byte the same.

A refactor of the compiler proves "bundle bytes unchanged" by passing this test. The golden copy is
`tests/fixtures/golden/bundle.sha256` (the sha256 of the exact bytes `knollm-build` would write) and
`tests/fixtures/golden/bundle.json` (the same document pretty-printed, so a failure shows a readable diff and git
shows what changed). Input: the repository's authored `catalog/` and the fixture listings in
`tests/fixtures/shapes/` and `tests/fixtures/bad/`, at a fixed as-of date, without the pinned data packages.

When a change is MEANT to change the bundle, refresh the golden copy and review its diff in the commit:

    .venv/bin/python tests/test_golden_bundle.py --refresh
"""

from __future__ import annotations

import difflib
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import orjson

from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes, json_bytes

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = FIXTURES / "golden"
LISTING_GROUPS = ("shapes", "bad")
AS_OF = "2026-01-01"
DIFF_LINES_SHOWN = 200


def golden_bytes() -> bytes:
    """The bundle compiled from the fixtures, exactly as `knollm-build` writes it."""
    with tempfile.TemporaryDirectory() as work:
        snapshots = Path(work) / "snapshots"
        snapshots.mkdir()
        for group in LISTING_GROUPS:
            for listing in sorted((FIXTURES / group).glob("*.json")):
                shutil.copyfile(listing, snapshots / listing.name)
        return bundle_bytes(compile_catalog(REPO / "catalog", snapshots, as_of=AS_OF).bundle)


def pretty(data: bytes) -> bytes:
    return json_bytes(orjson.loads(data))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def readable_diff(expected: bytes, actual: bytes) -> str:
    lines = list(difflib.unified_diff(expected.decode().splitlines(), actual.decode().splitlines(),
                                      "golden/bundle.json", "compiled now", lineterm="", n=2))
    more = f"\n... {len(lines) - DIFF_LINES_SHOWN} more diff lines" if len(lines) > DIFF_LINES_SHOWN else ""
    return "\n".join(lines[:DIFF_LINES_SHOWN]) + more


def refresh() -> None:
    data = golden_bytes()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / "bundle.json").write_bytes(pretty(data))
    (GOLDEN / "bundle.sha256").write_text(sha256(data) + "\n", encoding="utf-8")
    print(f"golden bundle refreshed: {len(data)} bytes, sha256 {sha256(data)}")


def test_bundle_bytes_match_the_golden_copy() -> None:
    data = golden_bytes()
    expected_sha = (GOLDEN / "bundle.sha256").read_text(encoding="utf-8").strip()
    stored = (GOLDEN / "bundle.json").read_bytes()
    if sha256(data) != expected_sha:
        raise AssertionError(
            f"the bundle compiled from the fixtures changed (sha256 {sha256(data)}, golden {expected_sha}).\n"
            "If the change is intended, run `.venv/bin/python tests/test_golden_bundle.py --refresh` and commit "
            f"the reviewed diff.\n{readable_diff(stored, pretty(data)) or '(same document, other bytes)'}")
    # The two golden files describe one build: a hand edit of bundle.json alone is caught too.
    assert pretty(data) == stored, "tests/fixtures/golden/bundle.json was edited by hand: refresh it"


def test_the_diff_on_failure_is_readable() -> None:
    diff = readable_diff(b'{\n  "a": 1\n}\n', b'{\n  "a": 2\n}\n')
    assert '-  "a": 1' in diff and '+  "a": 2' in diff


if __name__ == "__main__":
    if sys.argv[1:] != ["--refresh"]:
        sys.exit("usage: tests/test_golden_bundle.py --refresh   (rewrites tests/fixtures/golden/)")
    refresh()
