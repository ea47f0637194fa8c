"""Precompressed copies: the same bytes come back, and the same input gives the same copies (deterministic)."""

from __future__ import annotations

import gzip

import brotli

from knollm_site.precompress import brotli_copy, compressed_copies, gzip_copy


def test_copies_round_trip_and_are_deterministic() -> None:
    data = ('{"id": "m\\u00e9", "name": "caf\u00e9 <b>"}\n' * 500).encode()
    copies = compressed_copies("api/v1/x.json", data)
    assert [name for name, _ in copies] == ["api/v1/x.json.gz", "api/v1/x.json.br"]
    assert gzip.decompress(copies[0][1]) == data and brotli.decompress(copies[1][1]) == data
    assert copies == compressed_copies("api/v1/x.json", data)
    assert len(brotli_copy(data)) < len(gzip_copy(data)) < len(data)


def test_empty_file_has_valid_copies() -> None:
    assert gzip.decompress(gzip_copy(b"")) == b"" and brotli.decompress(brotli_copy(b"")) == b""
