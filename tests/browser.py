"""Browser tests use the shared headless-Chromium helpers of tools/headless.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from headless import CHROMIUM, CHROMIUM_ARGS, browser, have_chromium, serve, watched_page

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "browser", "have_chromium", "serve", "watched_page"]
