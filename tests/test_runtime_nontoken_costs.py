"""Runtime costs beyond tokens: images by size and quality, audio seconds, characters, queries and web searches,
each charged only when used and never priced as zero when unknown; decoding and the CLI lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from knollm import Catalog, InvalidArgument, PriceUnknown
from knollm.costs import compare, estimate_cost

D = Decimal
PRICING = {
    "per_image": "0.05", "audio_input_per_hour": "0.1", "audio_output_per_hour": "0.9", "per_mchar": "15",
    "per_kquery": "2", "web_search_per_k": "10", "input_audio_per_mtok": "40", "output_audio_per_mtok": "80",
    "image_prices": [{"size": "1024x1024", "quality": "hd", "per_image": "0.08"},
                     {"size": "1024x1024", "quality": "standard", "per_image": "0.04"},
                     {"size": "1792x1024", "quality": "hd", "per_image": "0.12"}],
}
DOCUMENT = {
    "schema_version": "1.2", "data_date": None, "sources": [],
    "providers": [{"id": "vox", "name": "Vox", "authored": False, "kind": "unknown"}],
    "models": [
        {"id": "vox/all", "provider": "vox", "model_id": "all", "kind": "audio", "pricing": PRICING},
        {"id": "vox/tokens-only", "provider": "vox", "model_id": "tokens-only", "kind": "chat",
         "pricing": {"input_per_mtok": "1", "output_per_mtok": "2"}},
    ],
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dict(json.loads(json.dumps(DOCUMENT)))


def test_decoded_prices_are_exact(catalog: Catalog) -> None:
    pricing = catalog.get("vox/all").pricing
    assert pricing is not None
    assert pricing.audio_input_per_hour == D("0.1") and pricing.per_mchar == D("15")
    assert pricing.input_audio_per_mtok == D("40") and pricing.web_search_per_k == D("10")
    first = pricing.image_prices[0]
    assert (first.size, first.quality, first.per_image) == ("1024x1024", "hd", D("0.08"))
    old = catalog.get("vox/tokens-only").pricing
    assert old is not None and old.per_kquery is None and old.image_prices == ()  # missing keys: unknown


def test_each_usage_is_charged_exactly(catalog: Catalog) -> None:
    model = catalog.get("vox/all")
    cost = estimate_cost(model, 0, 0, requests=3, characters=2_000, queries=5, web_searches=2,
                         audio_input_seconds=90, images=2, image_size="1792x1024")
    assert cost.character == D("0.09")  # 2000 * 15 / 1e6 * 3
    assert cost.query == D("0.03")  # 5 * 2 / 1000 * 3
    assert cost.web_search == D("0.06")
    assert cost.audio_input == D("0.0075")  # 90 s at $0.10 / hour, x 3
    assert cost.image == D("0.72")  # 2 * 0.12 * 3
    assert cost.total == D("0.9075")
    assert (cost.characters, cost.queries, cost.audio_input_seconds, cost.image_size) == (2000, 5, 90, "1792x1024")


def test_audio_amounts_round_half_even_to_a_trillionth(catalog: Catalog) -> None:
    cost = estimate_cost(catalog.get("vox/all"), 0, 0, audio_input_seconds=7)
    assert cost.audio_input == D("0.000194444444")  # 0.1 * 7 / 3600 = 0.0001944...
    assert estimate_cost(catalog.get("vox/all"), 0, 0, audio_output_seconds=4).audio_output == D("0.001")


def test_plain_per_image_without_a_choice_and_ambiguous_choices(catalog: Catalog) -> None:
    model = catalog.get("vox/all")
    assert estimate_cost(model, 0, 0, images=1).image == D("0.05")
    assert estimate_cost(model, 0, 0, images=1, image_quality="standard").image == D("0.04")
    with pytest.raises(InvalidArgument, match="choose one of"):
        estimate_cost(model, 0, 0, images=1, image_quality="hd")
    with pytest.raises(PriceUnknown, match="image_prices"):
        estimate_cost(model, 0, 0, images=1, image_size="64x64")


def test_unknown_is_never_zero(catalog: Catalog) -> None:
    model = catalog.get("vox/tokens-only")
    assert estimate_cost(model, 10, 10).total == D("0.00003")  # zero counts need no price
    for usage, component in [({"characters": 1}, "per_mchar"), ({"queries": 1}, "per_kquery"),
                             ({"web_searches": 1}, "web_search_per_k"), ({"audio_input_seconds": 1},
                             "audio_input_per_hour"), ({"images": 1}, "per_image")]:
        with pytest.raises(PriceUnknown) as caught:
            estimate_cost(model, 0, 0, **usage)  # type: ignore[arg-type]
        assert caught.value.component == component
    result = compare(catalog.search(), 0, 0, queries=10)
    assert [c.model for c in result.costs] == ["vox/all"] and result.unpriced[0].component == "per_kquery"


def test_bad_usage_is_an_error(catalog: Catalog) -> None:
    with pytest.raises(InvalidArgument):
        estimate_cost(catalog.get("vox/all"), 0, 0, queries=-1)
    with pytest.raises(InvalidArgument, match="unknown usage"):
        estimate_cost(catalog.get("vox/all"), 0, 0, minutes=3)  # type: ignore[arg-type]


def test_cli_flags_and_lines(tmp_path: Path) -> None:
    bundle = tmp_path / "catalog.json"
    bundle.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    env = {**os.environ, "KNOLLM_BUNDLE": str(bundle)}
    args = ["costs", "estimate", "--model", "vox/all", "--input-tokens", "0", "--output-tokens", "0",
            "--characters", "2000", "--queries", "5", "--audio-input-seconds", "90", "--images", "1",
            "--image-size", "1792x1024", "--web-searches", "1"]
    out = subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    for line in ("characters (2,000)", "$0.03", "queries (5)", "audio in (90 s)", "$0.0025",
                 "images (1 1792x1024)", "$0.12", "web searches (1)"):
        assert line in out.stdout, (line, out.stdout)
    shown = subprocess.run([sys.executable, "-m", "knollm", "models", "show", "vox/all"], capture_output=True,
                           text=True, env=env, timeout=60)
    assert "$0.10/hour" in shown.stdout and "$15.00/M chars" in shown.stdout and "1792x1024 hd" in shown.stdout


def test_cli_compare_shows_a_beyond_tokens_column(tmp_path: Path) -> None:
    bundle = tmp_path / "catalog.json"
    bundle.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    env = {**os.environ, "KNOLLM_BUNDLE": str(bundle)}
    args = ["costs", "compare", "--model", "vox/all", "--model", "vox/tokens-only", "--input-tokens", "0",
            "--output-tokens", "0", "--queries", "5"]
    out = subprocess.run([sys.executable, "-m", "knollm", *args], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Beyond tokens" in out.stdout and "$0.01" in out.stdout
    assert "not priced: vox/tokens-only (per_kquery unknown)" in out.stdout
