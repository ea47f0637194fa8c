"""The loopback server of the browser tests and the explorer benchmark (tools/headless.py) answers as the site's
hosts do: with a file's precompressed copy (`.br`, then `.gz`) and its Content-Encoding when the request's
Accept-Encoding allows it, else with the file itself."""

from __future__ import annotations

import gzip
import sys
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from headless import accepted_encodings, serve

BODY = b'{"models": ["a", "b"]}'


def fetch(url: str, accept: str | None, method: str = "GET") -> tuple[str | None, str | None, bytes]:
    headers = {} if accept is None else {"Accept-Encoding": accept}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers, method=method)) as response:
        return response.headers.get("Content-Encoding"), response.headers.get("Content-Type"), response.read()


@pytest.mark.parametrize(("header", "allowed"), [
    ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
    ("br;q=0, gzip;q=0.5", {"gzip"}),
    ("GZIP ; q=1.0", {"gzip"}),
    ("gzip;q=0.000, identity", {"identity"}),
    ("gzip;q=nonsense", set()),
    ("", set()),
])
def test_accepted_encodings(header: str, allowed: set[str]) -> None:
    assert accepted_encodings(header) == allowed


def test_precompressed_copy_when_accepted(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_bytes(BODY)
    (tmp_path / "data.json.gz").write_bytes(gzip.compress(BODY))
    (tmp_path / "data.json.br").write_bytes(b"not really brotli")
    (tmp_path / "plain.json").write_bytes(BODY)
    with serve(tmp_path) as base:
        coding, kind, body = fetch(base + "data.json?find=x", "gzip, deflate")
        assert (coding, kind, gzip.decompress(body)) == ("gzip", "application/json", BODY)
        assert fetch(base + "data.json", "gzip, br")[:2] == ("br", "application/json")  # brotli preferred
        assert fetch(base + "data.json", "br;q=0, gzip")[0] == "gzip"
        assert fetch(base + "data.json", None) == (None, "application/json", BODY)
        assert fetch(base + "data.json", "identity") == (None, "application/json", BODY)
        assert fetch(base + "plain.json", "gzip, br") == (None, "application/json", BODY)  # no copy beside it
        assert fetch(base + "data.json", "gzip", method="HEAD")[:2] == ("gzip", "application/json")
