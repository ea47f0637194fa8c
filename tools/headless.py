"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, and a loopback HTTP server: shared by
the browser tests, the explorer benchmark and the screenshot script. Never downloads a browser.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("KNOLLM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def have_chromium() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on an ephemeral loopback port; yields the base URL."""
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
