"""Screenshots of the built site in headless Chromium: the home page, a provider page, a family page, the explorer
and a model page (the last two also at phone width).

    python tools/screenshots.py [--site site] [--out dist/screenshots] [--provider openai] [--family ID] [--model ID]

Serves `--site` over HTTP on 127.0.0.1 (an ephemeral port), drives the system Chromium (`/usr/bin/chromium`)
through Playwright's Python package (never `playwright install`), and writes PNGs to `--out`, light and dark.
Without `--family`, the family page with the most offers is taken. Phone views (390 px wide, light only) of
the explorer, the provider page and, when the site has the client-side model page (`models/view/`), a model
page are written as `*-phone.png`. `make screenshots` installs what it needs.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.parse
from pathlib import Path

from headless import CHROMIUM, CHROMIUM_ARGS, serve

VIEWPORT = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
PHONE_PAGES = ("explorer", "provider", "model")
"""Pages also photographed at phone width (`<name>-phone-<scheme>.png`)."""
_ROW = re.compile(r"<tr>")


def largest_family(site: Path) -> str | None:
    """The family page (`families/<slug>/`) whose offers table has the most rows."""
    pages = sorted(site.glob("families/*/index.html"))
    if not pages:
        return None
    best = max(pages, key=lambda p: (len(_ROW.findall(p.read_text(encoding="utf-8"))), -len(p.parent.name)))
    return f"families/{best.parent.name}/"


def targets(site: Path, provider: str, family: str | None) -> dict[str, str]:
    """Screenshot name -> page path relative to the site root."""
    chosen = {"home": ""}
    if (site / "providers" / provider / "index.html").is_file():
        chosen["provider"] = f"providers/{provider}/"
    elif providers := sorted(p for p in (site / "providers").glob("*/index.html")):
        chosen["provider"] = f"providers/{providers[0].parent.name}/"
    if (site / "models" / "explorer" / "index.html").is_file():
        chosen["explorer"] = "models/explorer/"
    family_path = f"families/{family}/" if family else largest_family(site)
    if family_path:
        chosen["family"] = family_path
    if (site / "models" / "view" / "index.html").is_file() and (model := first_offer(site, family_path)):
        chosen["model"] = f"models/view/?id={model}"
    return chosen


def model_view(site: Path, model: str) -> str | None:
    """The client-side model page for `model`, when the site has one."""
    if not (site / "models" / "view" / "index.html").is_file():
        return None
    return f"models/view/?id={urllib.parse.quote(model, safe='/')}"


def first_offer(site: Path, family_path: str | None) -> str | None:
    """The first model id linked from the family page (its cheapest offer): the model page to photograph."""
    if not family_path:
        return None
    found = re.search(r'models/view/\?id=([^"&]+)"', (site / family_path / "index.html").read_text(encoding="utf-8"))
    return found.group(1) if found else None


def shoot(site: Path, out: Path, pages: dict[str, str]) -> list[Path]:
    """Take the screenshots (light and dark) and return the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for scheme in ("light", "dark"):
                for size, viewport in (("", VIEWPORT), ("-phone", PHONE)):
                    context = browser.new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1)
                    page = context.new_page()
                    for name, path in pages.items():
                        if size and name not in PHONE_PAGES:
                            continue
                        page.goto(base + path, wait_until="networkidle")
                        # client-side pages render after their data loads: wait for them, not just the network
                        page.wait_for_selector("[data-ready=true], article:not(:has(#knollm-explorer, #knollm-model))")
                        target = out / f"{name}{size}-{scheme}.png"
                        page.screenshot(path=str(target))
                        written.append(target)
                    context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"), help="the built site (default: site)")
    parser.add_argument("--out", type=Path, default=Path("dist/screenshots"), help="where the PNGs go")
    parser.add_argument("--provider", default="openai", help="provider page to photograph (default: openai)")
    parser.add_argument("--family", help="family page to photograph (default: the one with the most offers)")
    parser.add_argument("--model", help="model id for the model page, when the site has one "
                                        "(default: the cheapest offer of the largest family)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"screenshots: no built site in {args.site} (run `make build` first)", file=sys.stderr)
        return 1
    if not Path(CHROMIUM).is_file():
        print(f"screenshots: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    pages = targets(args.site, args.provider, args.family)
    if args.model and (view := model_view(args.site, args.model)):
        pages["model"] = view  # the page asked for, instead of the cheapest offer of the largest family
    for path in shoot(args.site, args.out, pages):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
