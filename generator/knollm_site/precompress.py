"""Precompressed copies of the site's data files, for static servers that send `.gz` or `.br` files as they are
(nginx `gzip_static`/`brotli_static`, Caddy `precompressed`, most CDNs). Both copies are deterministic: gzip with
a zero timestamp, Brotli at fixed settings, so the same bytes in give the same bytes out."""

from __future__ import annotations

import gzip

import brotli

GZIP_LEVEL = 9
BROTLI_QUALITY = 9
"""Quality 9 with a 16 MiB window: about 22% smaller than gzip -9 on the explorer data, in well under a second for
the 13 MB bundle. Quality 11 saves a further 10% but takes 10-30 s per file on a build machine."""
BROTLI_WINDOW = 24


def gzip_copy(data: bytes) -> bytes:
    """`data` gzip-compressed, with no timestamp or file name in the header."""
    return gzip.compress(data, GZIP_LEVEL, mtime=0)


def brotli_copy(data: bytes) -> bytes:
    """`data` Brotli-compressed at the fixed settings above."""
    compressed: bytes = brotli.compress(data, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY, lgwin=BROTLI_WINDOW)
    return compressed


def compressed_copies(path: str, data: bytes) -> list[tuple[str, bytes]]:
    """The `(path, bytes)` pairs to publish beside the file at `path`: its `.gz` and `.br` copies."""
    return [(path + ".gz", gzip_copy(data)), (path + ".br", brotli_copy(data))]
