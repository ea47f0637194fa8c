"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, and a loopback HTTP server: shared by
the browser tests, the explorer benchmark and the screenshot script. Never downloads a browser.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHROMIUM = os.environ.get("KNOLLM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def have_chromium() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


# Precompressed copies beside a file, in the order a server prefers them (as nginx's brotli_static and
# gzip_static, or GitHub Pages): the site build writes them beside every data file.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header allows (any not given a quality of 0), lower case."""
    allowed = set()
    for item in header.split(","):
        name, *params = (part.strip().lower() for part in item.split(";"))
        qualities = [param.partition("=")[2].strip() for param in params if param.startswith("q=")]
        try:
            refused = bool(qualities) and float(qualities[0]) == 0
        except ValueError:
            refused = True
        if name and not refused:
            allowed.add(name)
    return allowed


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that, like the hosts the site is published on, answers with a precompressed copy
    (`name.br`, `name.gz`) and its Content-Encoding when the request's Accept-Encoding allows it."""

    def log_message(self, format: str, *args: object) -> None:
        return

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = Path(self.translate_path(self.path))
        allowed = accepted_encodings(self.headers.get("Accept-Encoding", ""))
        if path.is_file():
            for coding, suffix in PRECOMPRESSED:
                copy = path.with_name(path.name + suffix)
                if coding in allowed and copy.is_file():
                    return self._send_copy(path, copy, coding)
        return super().send_head()

    def _send_copy(self, path: Path, copy: Path, coding: str) -> BinaryIO:
        body = copy.open("rb")
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(copy.stat().st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(copy.stat().st_mtime)))
        self.end_headers()
        return body


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on an ephemeral loopback port (precompressed copies as the site's hosts send them:
    _QuietHandler); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


ALERT_TRAP = "window.__pwned = undefined; window.alert = () => { window.__pwned = 'alert'; };"


@contextmanager
def watched_page(directory: Path) -> Iterator[object]:
    """A Chromium tab on `directory` served over loopback, recording page errors, with `alert` trapped.

    The tab carries `base` (the site's URL), `chromium` (the browser) and `errors` (uncaught page errors);
    any `alert()` sets `window.__pwned`, so a test can prove injected markup never ran.
    """
    with serve(directory) as base, browser() as chromium:
        tab = chromium.new_page()
        tab.base, tab.chromium, tab.errors = base, chromium, []
        tab.on("pageerror", lambda error: tab.errors.append(str(error)))
        tab.add_init_script(ALERT_TRAP)
        yield tab
