"""The usage dashboard in headless Chromium at desktop and phone sizes: a hostile model name is shown as text,
nothing it carries runs, the charts are drawn, and the page needs no network and fits a phone's width."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from browser import have_chromium, watched_page
from knollm.analytics.dashboard import dashboard_html
from usage_helpers import HOSTILE, record

pytestmark = pytest.mark.skipif(not have_chromium(), reason="no Chromium binary (.ci/run installs Debian's)")
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("dashboard")
    now = time.time()
    records = [record(now - 3 * 86_400 + i, model=HOSTILE, provider=HOSTILE, cost_usd="0.25", latency_s=0.2 + i / 10)
               for i in range(5)]
    records += [record(now - 86_400 + i, status="failed", error_class="Timeout", cost_usd=None) for i in range(3)]
    records += [record(now - i, provider="beta", model="beta/m", latency_s=1.5, ttft_s=0.3) for i in range(4)]
    (root / "index.html").write_text(dashboard_html(records, title="Knollm usage", window="last 7d"),
                                     encoding="utf-8")
    with watched_page(root) as tab:
        yield tab


@pytest.mark.parametrize("size", sorted(SIZES))
def test_dashboard_shows_hostile_names_as_text(served, size: str) -> None:
    context = served.chromium.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.add_init_script("window.__pwned = undefined; window.alert = () => { window.__pwned = 'alert'; };")
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served.base)
    text = page.inner_text("body")
    assert "<img src=x onerror=alert(1)>" in text  # the markup is text on the page
    assert "\\x1b[31m" in text and "\x1b" not in text  # control characters made visible
    assert page.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
    assert page.locator("script").count() == 0 and errors == []
    assert requests == [served.base]  # nothing else is fetched
    assert page.locator("svg").count() == 4 and page.locator("svg rect").count() >= 10
    for heading in ("Cost per day (USD)", "Requests per provider", "Latency percentiles per provider",
                    "Error rate per provider"):
        assert page.get_by_role("heading", name=heading).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_an_empty_store_draws_no_charts(tmp_path: Path) -> None:
    page = dashboard_html([], title="Knollm usage", window="last 7d")
    assert page.count("No data in this window.") == 3 and "No successful calls" in page
