"""Prices that are not per token: per audio hour/minute/second, per character, per query, per web search,
and audio tokens. Recognised by words in the key's own name (vocabulary in `fieldmap`), like token prices.

Units here: `per_second`/`per_minute`/`per_hour` (time), `per_character`, `per_mchar`, `per_unit` (one query or
one search), `per_kunit` (a thousand of them); audio-token keys carry a token unit or take the file's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import fieldmap as fm

# Component -> the Pricing field it fills. `input_time`/`output_time` are per-time prices whose key does not
# say what is timed (audio, or compute time, or video): drafts keep them under `TIMED` keys, and
# `resolve_time` publishes them as audio prices only for audio models, once the kind is known.
FIELDS = {
    "audio_input_time": "audio_input_per_hour", "audio_output_time": "audio_output_per_hour",
    "input_audio": "input_audio_per_mtok", "output_audio": "output_audio_per_mtok",
    "per_char": "per_mchar", "per_query": "per_kquery", "web_search": "web_search_per_k",
}
BARE_TIME = {"input_time": "audio_input_per_hour", "output_time": "audio_output_per_hour"}
TIMED = "timed."
"""Draft key prefix of per-time prices whose subject is not yet known (`timed.audio_input_per_hour`)."""
TOKEN_LIKE = frozenset({"input_audio", "output_audio"})
"""Components priced like tokens (per million, unit from the key or the file)."""
COUNT_FACTORS = {"per_unit": Decimal(1000), "per_kunit": Decimal(1)}
CHAR_FACTORS = {"per_character": Decimal(1_000_000), "per_mchar": Decimal(1)}
# Plausibility bands in the published units; outside them a value is a unit or copy error (LiteLLM once copied a
# $0.00000005 per-token price into a per-query key: $0.00005 per thousand queries).
BANDS = {
    "hour of audio": (Decimal("0.0001"), Decimal(1000)),
    "million characters": (Decimal("0.001"), Decimal(100_000)),
    "thousand": (Decimal("0.01"), Decimal(100_000)),
}


def classify(path: str, leaf: str) -> tuple[str, str | None] | None:
    """(component, unit) of a non-token price key, or None when the key is not one. `leaf` is the key's own
    name, lower-case, with a currency leaf already stripped."""
    if any(word in leaf for word in fm.NOT_NON_TOKEN_WORDS):
        return None
    direction = "output" if "output" in leaf or "completion" in leaf else "input"
    if fm.SEARCH_CONTEXT_PARENT in path.lower():
        return ("web_search", "per_unit") if leaf.endswith(fm.SEARCH_CONTEXT_DEFAULT) else None
    if time := fm.TIME_KEY.search(leaf):
        audio = "audio" in leaf
        return (f"audio_{direction}_time" if audio else f"{direction}_time"), f"per_{time.group(1)}"
    if any(word in leaf for word in fm.CHARACTER_WORDS):
        unit = "per_mchar" if "mchar" in leaf or "million" in leaf else "per_character"
        return ("per_char", unit) if direction == "input" else None
    if any(word in leaf for word in fm.WEB_SEARCH_WORDS):
        return "web_search", "per_kunit" if "kcount" in leaf else "per_unit"
    if any(word in leaf for word in fm.QUERY_WORDS):
        return "per_query", "per_kunit" if "kcount" in leaf else "per_unit"
    if fm.AUDIO_TOKEN_KEY.search(leaf):
        audio_unit = "per_token" if "token" in leaf else ("per_mtok" if "mtok" in leaf else None)
        return f"{direction}_audio", audio_unit
    return None


def normalise(value: Decimal, component: str, unit: str) -> tuple[Decimal, str | None]:
    """Convert to the published unit: (value, None), or (converted, reason) when implausible."""
    if unit.removeprefix("per_") in fm.TIME_UNITS:
        what = "hour of audio" if component.startswith("audio_") else "hour"  # bare time: audio or not, unknown yet
        converted, band = value * fm.TIME_UNITS[unit.removeprefix("per_")], "hour of audio"
    elif unit in CHAR_FACTORS:
        converted, band, what = value * CHAR_FACTORS[unit], "million characters", "million characters"
    else:
        noun = "queries" if component == "per_query" else "web searches"
        converted, band, what = value * COUNT_FACTORS[unit], "thousand", f"thousand {noun}"
    low, high = BANDS[band]
    if converted > high or 0 < converted < low:
        shown, read = (format(v.normalize(), "f") for v in (converted, value))
        return converted, f"implausible price {shown} USD per {what} (read {read} as {unit})"
    return converted, None


def resolve_time(values: dict[str, Any], provenance: dict[str, str]) -> list[tuple[str, str]]:
    """Publish per-time prices of unstated subject as audio prices when the model is an audio model (by kind
    or an audio modality); otherwise drop them (compute-time or video prices are not audio prices).
    Returns the (field, reason) pairs dropped."""
    dropped: list[tuple[str, str]] = []
    audio = values.get("kind") == "audio" or "audio" in (values.get("input_modalities") or ()) \
        or "audio" in (values.get("output_modalities") or ())
    for key in sorted(k for k in values if k.startswith(TIMED)):
        value, source = values.pop(key), provenance.pop(key, "")
        target = "pricing." + key.removeprefix(TIMED)
        if audio and target not in values:
            values[target], provenance[target] = value, source
        elif not audio:
            dropped.append((target, f"per-time price of a {values.get('kind', 'unknown')} model is not an audio "
                                    "price (compute or video time); not published"))
    return dropped


PRIMARY = (
    "pricing.per_image", "pricing.image_prices", "pricing.audio_input_per_hour", "pricing.audio_output_per_hour",
    "pricing.per_mchar", "pricing.per_kquery", TIMED + "audio_input_per_hour", TIMED + "audio_output_per_hour",
)
"""Prices that are what a model is billed by when present (image, audio time, characters, queries)."""
TOKEN_FIELDS = ("pricing.input_per_mtok", "pricing.output_per_mtok", "pricing.cache_read_per_mtok",
                "pricing.cache_write_per_mtok")


def drop_mirrored_direction(values: dict[str, Any], raw_kind: object) -> list[tuple[str, str]]:
    """A speech-to-text model makes no audio, a text-to-speech model reads none: a per-time price for the
    direction the model does not have is a mirror of the other one (LiteLLM writes both), so it is dropped."""
    kind = str(raw_kind).strip().lower()
    if kind in fm.SPEECH_TO_TEXT_VALUES:
        field, what = "audio_output_per_hour", "speech-to-text model makes no audio"
    elif kind in fm.TEXT_TO_SPEECH_VALUES:
        field, what = "audio_input_per_hour", "text-to-speech model reads no audio"
    else:
        return []
    dropped = []
    for key in (f"pricing.{field}", f"{TIMED}{field}"):
        if values.pop(key, None) is not None:
            dropped.append((f"pricing.{field}", f"a {what}: this price mirrors the other direction's"))
    return dropped
