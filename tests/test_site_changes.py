"""The "What changed" page, the Atom feed, the price chart of family pages and the freshness of sources, from
the hostile fixture bundle and the history.jsonl beside it."""

from __future__ import annotations

import dataclasses
import urllib.parse
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import unescape
from pathlib import Path

from knollm import Catalog
from knollm.history import Change
from knollm_site.change_pages import (
    CHANGE_TYPES,
    CHART_SERIES,
    atom_feed,
    change_type,
    price_chart,
    price_index,
    price_series,
    source_freshness,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site" / "bundle.json"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_changes_page_lists_newest_first_and_inert(fixture_site: Path) -> None:
    raw = (fixture_site / "models" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in raw and "<script>alert(2)" not in raw
    html = unescape(raw)
    assert html.index("2025-09-02") < html.index("2025-08-15") < html.index("2025-08-01")
    assert "input_per_mtok 4 → 3.5 (-12.50%)" in html
    assert 'data-filter-category="type,provider"' in html and "library-filter.js" in html
    assert "<td>added</td>" in raw and "<td>model added</td>" in raw


def test_atom_feed_is_valid_escaped_xml(fixture_site: Path) -> None:
    data = (fixture_site / "models" / "changes.xml").read_bytes()
    feed = ET.fromstring(data)
    entries = feed.findall(f"{ATOM}entry")
    assert entries and entries[0].findtext(f"{ATOM}updated") == "2025-09-02T00:00:00Z"
    contents = "\n".join(e.findtext(f"{ATOM}content") or "" for e in entries)
    assert "acme/<img src=x onerror=alert(1)>: input_per_mtok 0.5 → 0.25 (-50.00%)" in contents
    assert b"<img" not in data and b"\x07" not in data


def test_family_page_has_an_inline_svg_price_chart(fixture_site: Path) -> None:
    html = unescape((fixture_site / "families" / "acme-large" / "index.html").read_text(encoding="utf-8"))
    assert '<svg class="knollm-chart"' in html and "<polyline" in html
    assert "input: 2025-08-15 $4, 2025-08-15 $3.5, 2025-09-02 $3.5, 2025-09-02 $3" in html
    assert "output: 2025-09-02 $16, 2025-09-02 $12" in html and 'stroke-dasharray="6 4"' in html
    assert "http" not in html.split('<svg class="knollm-chart"')[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", "")
    evil = (fixture_site / "families" / "evil-family" / "index.html").read_text(encoding="utf-8")
    assert "knollm-chart" in evil and "<img src=x" not in evil


def test_home_and_provider_pages_show_freshness(fixture_site: Path) -> None:
    home = unescape((fixture_site / "index.html").read_text(encoding="utf-8"))
    assert "How fresh the data is" in home and "models_hostco.json" in home and "32 days" in home
    assert "last listing fetch failed for 1 provider(s)" in home
    acme = unescape((fixture_site / "providers" / "acme" / "index.html").read_text(encoding="utf-8"))
    assert "listing in this build is dated <strong>2025-09-02</strong>" in acme


def test_empty_history_draws_nothing_and_feeds_an_empty_valid_feed() -> None:
    assert str(price_chart([])) == ""
    feed = ET.fromstring(atom_feed([], "https://example.org/"))
    assert feed.findall(f"{ATOM}entry") == []
    odd = [Change("not-a-day", "price", "p", "p/a", "input_per_mtok", Decimal(1), None)]
    assert price_series([], price_index(odd)) == []
    assert ET.fromstring(atom_feed(odd, "https://example.org/")).findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"


def test_source_freshness_is_newest_first() -> None:
    rows = source_freshness(Catalog.load(FIXTURE))
    assert [r.day for r in rows] == sorted((r.day for r in rows), reverse=True)
    assert {r.file: r.age_days for r in rows}["models_hostco.json"] == 32


def test_a_one_day_history_still_draws_steps_and_big_entries_are_capped() -> None:
    changes = [Change("2026-01-01", "price", "p", "p/a", "input_per_mtok", Decimal(2), Decimal(1), Decimal(-50))]
    chart = str(price_chart(price_series([Catalog.load(FIXTURE).get("acme/acme-large-2")], price_index(
        [Change("2026-01-01", "price", "acme", "acme/acme-large-2", "input_per_mtok", Decimal(2), Decimal(1))]))))
    assert 'points="40.0,40.0 320.0,40.0 320.0,180.0 600.0,180.0"' in chart
    many = changes * 150
    feed = ET.fromstring(atom_feed(many, "https://example.org/"))
    content = feed.find(f"{ATOM}entry/{ATOM}content")
    assert content is not None and (content.text or "").endswith("... and 50 more on the What changed page")


def _price(model: str, field: str, day: str, old: str, new: str) -> Change:
    return Change(day, "price", "acme", model, field, Decimal(old), Decimal(new))


def test_chart_draws_input_and_output_with_key_title_and_description() -> None:
    model = Catalog.load(FIXTURE).get("acme/acme-large-2")
    changes = [_price(model.id, "output_per_mtok", "2026-02-01", "8", "6"),
               _price(model.id, "input_per_mtok", "2026-01-01", "2", "1"),
               _price(model.id, "cache_read_per_mtok", "2026-01-01", "1", "0.5")]
    series = price_series([model], price_index(changes))
    assert [(s.field, [p for _, p in s.points]) for s in series] == [
        ("input_per_mtok", [Decimal(2), Decimal(1)]), ("output_per_mtok", [Decimal(8), Decimal(6)])]
    chart = str(price_chart(series))
    root = ET.fromstring(chart.split("\n")[0])
    svg = "{http://www.w3.org/2000/svg}"
    assert root.findtext(f"{svg}title") == "Input and output prices per million tokens over time"
    assert (root.findtext(f"{svg}desc") or "").startswith("Step chart of the input and output prices of 1 offer(s) "
                                                          "from 2026-01-01 to 2026-02-01, between $1 and $8")
    lines = root.findall(f"{svg}polyline")
    assert [line.get("stroke-dasharray") for line in lines] == [None, "6 4"]
    assert lines[0].get("stroke") == lines[1].get("stroke")  # one offer, one colour
    assert [t.text for t in root.findall(f"{svg}text")][-2:] == ["input $/Mtok", "output $/Mtok"]
    assert chart == str(price_chart(price_series([model], price_index(list(reversed(changes))))))  # deterministic


def test_chart_escapes_ids_and_keeps_an_offers_lines_together() -> None:
    evil = Catalog.load(FIXTURE).get("acme/<img src=x onerror=alert(1)>")
    plain = Catalog.load(FIXTURE).get("acme/acme-large-2")
    changes = [_price(evil.id, f, "2026-01-0" + str(day), "2", "1") for day in range(1, 4)
               for f in ("input_per_mtok", "output_per_mtok")]
    changes += [_price(plain.id, "input_per_mtok", "2026-01-01", "3", "2")]
    series = price_series([plain, evil], price_index(changes))
    assert [(s.model, s.field) for s in series] == [(evil.id, "input_per_mtok"), (evil.id, "output_per_mtok"),
                                                    (plain.id, "input_per_mtok")]
    chart = str(price_chart(series))
    assert "<img" not in chart and "&lt;img src=x onerror=alert(1)&gt;" in chart
    ET.fromstring(chart.split("\n")[0])  # well-formed
    offers = [dataclasses.replace(plain, id=f"acme/m{i}") for i in range(9)]
    many = [_price(o.id, f, "2026-01-01", "2", "1") for o in offers for f in ("input_per_mtok", "output_per_mtok")]
    capped = price_series(offers, price_index(many))
    assert len(capped) == CHART_SERIES and [s.model for s in capped[::2]] == [o.id for o in offers[:4]]


def test_change_types_of_the_page() -> None:
    kinds = ["model_added", "provider_added", "model_removed", "provider_removed", "price", "context", "capability"]
    assert sorted({change_type(Change("2026-01-01", kind, None, None, None, None, None)) for kind in kinds}) \
        == sorted(CHANGE_TYPES)


def test_url_component_leaves_nothing_for_the_page_escaping() -> None:
    import string

    from knollm_site.escape import url_component

    inert = set(string.ascii_letters + string.digits + "-./%")  # nothing Markdown or HTML reads as markup
    for value in ("openrouter/~anthropic/claude", "ovh/Meta-Llama-3_3-70B", "a b/c?d=e&f#g", "é/*[x]<i>"):
        encoded = url_component(value)
        assert set(encoded) <= inert and urllib.parse.unquote(encoded) == value
