"""Issue 10's price rules on own fixtures: freshness-aware precedence, one source per price, placeholder zeros,
invariants, and the agreement table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from knollm_compiler.drafts import Draft
from knollm_compiler.merge import merge
from knollm_compiler.precedence import cap_dates
from knollm_compiler.report import agreement_lines, build_report

D = Decimal


def _draft(source: str, as_of: str | None, model_id: str = "m-1", provider: str = "acme", **values: Any) -> Draft:
    values = {k.replace("__", "."): v for k, v in values.items()}
    return Draft(provider, model_id, source, f"{source}.json", values, as_of=as_of)


def _one(*drafts: Draft, local: frozenset[str] = frozenset()):
    result = merge(list(drafts), local)
    (model,) = result.models
    return model, result


# --- freshness-aware precedence -------------------------------------------------------------------------------

def test_the_newest_declaration_wins_over_a_higher_rank() -> None:
    model, result = _one(_draft("listing", "2025-09-08", context_window=8192),
                         _draft("models.dev", "2026-05-01", context_window=16384))
    assert model.context_window == 16384 and model.provenance["context_window"] == "models.dev"
    (conflict,) = result.conflicts
    assert conflict["won_by"] == "newer" and conflict["kept_as_of"] == "2026-05-01"


def test_rank_breaks_ties_and_undated_sources_lose() -> None:
    model, _ = _one(_draft("models.dev", "2025-09-08", context_window=16384),
                    _draft("listing", "2025-09-08", context_window=8192))
    assert model.provenance["context_window"] == "listing"
    model, _ = _one(_draft("listing", None, context_window=8192), _draft("litellm", "2020-01-01", context_window=4096))
    assert model.provenance["context_window"] == "litellm"


def test_overrides_win_even_when_older() -> None:
    model, result = _one(_draft("override", "2024-01-01", pricing__input_per_mtok=D(1), pricing__output_per_mtok=D(2)),
                         _draft("genai-prices", "2026-11-04", pricing__input_per_mtok=D(3),
                                pricing__output_per_mtok=D(4)))
    assert model.pricing.input_per_mtok == 1 and model.provenance["pricing.output_per_mtok"] == "override"
    assert {c["won_by"] for c in result.conflicts} == {"override"}


def test_no_declaration_describes_a_day_after_the_as_of_date() -> None:
    drafts = [_draft("listing", "2025-09-08", context_window=8192), _draft("genai-prices", "2026-11-04",
                                                                            context_window=9000)]
    cap_dates(drafts, "2025-09-08")
    assert [d.as_of for d in drafts] == ["2025-09-08", "2025-09-08"]
    model, _ = _one(*drafts)
    assert model.provenance["context_window"] == "listing"  # a tie at the as-of day: rank decides


# --- one source per price -------------------------------------------------------------------------------------

def test_a_price_comes_whole_from_one_source_when_sources_disagree() -> None:
    model, result = _one(
        _draft("listing", "2026-01-01", pricing__input_per_mtok=D("0.5"), pricing__output_per_mtok=D("1.5")),
        _draft("litellm", "2025-01-01", pricing__input_per_mtok=D("3"), pricing__output_per_mtok=D("15"),
               pricing__cache_read_per_mtok=D("1.2"), pricing__tiers={200_000: {"input_per_mtok": D(6)}}),
    )
    assert model.pricing.cache_read_per_mtok is None and model.pricing.tiers == ()  # nothing glued on
    assert {p for f, p in model.provenance.items() if f.startswith("pricing.")} == {"listing"}
    assert sorted(c["field"] for c in result.conflicts) == ["pricing.input_per_mtok", "pricing.output_per_mtok"]
    assert result.price_fills == []


def test_missing_components_are_filled_only_from_an_agreeing_source() -> None:
    model, result = _one(
        _draft("listing", "2026-01-01", pricing__input_per_mtok=D("3"), pricing__output_per_mtok=D("15")),
        _draft("litellm", "2025-01-01", pricing__input_per_mtok=D("3.01"), pricing__output_per_mtok=D("15"),
               pricing__cache_read_per_mtok=D("0.3"), pricing__tiers={200_000: {"input_per_mtok": D(6)}}),
    )
    assert model.pricing.cache_read_per_mtok == D("0.3")
    assert model.provenance["pricing.cache_read_per_mtok"] == "litellm"
    assert model.pricing.tiers[0].input_per_mtok == 6
    assert {f["field"] for f in result.price_fills} == {"pricing.cache_read_per_mtok", "pricing.tiers"}
    assert result.agreement["acme"] == {"models": 1, "compared": 2, "agreed": 2}


def test_no_fill_without_a_shared_component_to_agree_on() -> None:
    model, result = _one(_draft("listing", "2026-01-01", pricing__per_request=D("0.01")),
                         _draft("litellm", "2025-01-01", pricing__input_per_mtok=D(3), pricing__output_per_mtok=D(9)))
    assert model.pricing.input_per_mtok is None and model.pricing.per_request == D("0.01")
    assert result.price_fills == []


# --- unknown is not zero --------------------------------------------------------------------------------------

def test_a_free_cache_read_beside_a_paid_input_is_unknown() -> None:
    model, result = _one(_draft("listing", "2025-09-08", pricing__input_per_mtok=D(1), pricing__output_per_mtok=D(2),
                                pricing__cache_read_per_mtok=D(0)))
    assert model.pricing.cache_read_per_mtok is None
    assert [(p.path, p.severity) for p in result.problems] == [("pricing.cache_read_per_mtok", "dropped")]
    assert "unknown" in result.problems[0].reason


def test_all_zero_prices_in_a_map_are_placeholders_unless_the_id_says_free() -> None:
    model, _ = _one(_draft("litellm", "2025-09-08", model_id="llama-2-13b", pricing__input_per_mtok=D(0),
                           pricing__output_per_mtok=D(0)))
    assert model.pricing is None
    model, _ = _one(_draft("litellm", "2025-09-08", model_id="llama-3-8b:free", pricing__input_per_mtok=D(0),
                           pricing__output_per_mtok=D(0)))
    assert model.pricing is not None and model.pricing.input_per_mtok == 0


def test_a_catalog_never_seen_before_is_a_map_too() -> None:
    model, _ = _one(_draft("othermap", "2025-09-08", model_id="llama-2-13b", pricing__input_per_mtok=D(0),
                           pricing__output_per_mtok=D(0)))
    assert model.pricing is None


def test_local_providers_and_declared_free_listings_keep_zero() -> None:
    model, _ = _one(_draft("litellm", "2025-09-08", provider="local-box", pricing__input_per_mtok=D(0),
                           pricing__output_per_mtok=D(0)), local=frozenset({"local-box"}))
    assert model.pricing.output_per_mtok == 0
    model, _ = _one(_draft("listing", "2025-09-08", pricing__input_per_mtok=D(0), pricing__output_per_mtok=D(0)))
    assert model.pricing.input_per_mtok == 0  # the provider's own listing declares the chat model free


def test_zero_extra_fees_without_token_prices_are_no_price() -> None:
    model, result = _one(_draft("listing", "2025-09-08", pricing__per_request=D(0), pricing__per_image=D(0)),
                         _draft("models.dev", "2025-08-01", pricing__input_per_mtok=D("0.5"),
                                pricing__output_per_mtok=D("1.5")))
    assert model.pricing.input_per_mtok == D("0.5") and model.pricing.per_request is None
    assert len(result.problems) == 2


def test_zero_token_prices_on_image_and_rerank_models_are_unknown() -> None:
    for kind, model_id in (("image", "flux-pro"), ("rerank", "rerank-v3")):
        model, result = _one(_draft("listing", "2025-09-08", model_id=model_id, kind=kind,
                                    pricing__input_per_mtok=D(0), pricing__output_per_mtok=D(0)))
        assert model.pricing is None and len(result.problems) == 2
    model, _ = _one(_draft("listing", "2025-09-08", model_id="flux-schnell-free", kind="image",
                           pricing__input_per_mtok=D(0), pricing__output_per_mtok=D(0)))
    assert model.pricing is not None  # the id says free


def test_free_output_beside_paid_input_is_unknown_for_chat_but_not_for_embeddings() -> None:
    model, _ = _one(_draft("litellm", "2025-09-08", kind="chat", pricing__input_per_mtok=D(1),
                           pricing__output_per_mtok=D(0)))
    assert model.pricing.output_per_mtok is None
    model, _ = _one(_draft("litellm", "2025-09-08", kind="embedding", pricing__input_per_mtok=D(1),
                           pricing__output_per_mtok=D(0)))
    assert model.pricing.output_per_mtok == 0


# --- invariants -----------------------------------------------------------------------------------------------

def test_cache_read_above_input_is_dropped_with_a_reason() -> None:
    model, result = _one(_draft("listing", "2025-09-08", pricing__input_per_mtok=D("0.5"),
                                pricing__output_per_mtok=D("1.5"), pricing__cache_read_per_mtok=D("1.25")))
    assert model.pricing.cache_read_per_mtok is None and "pricing.cache_read_per_mtok" not in model.provenance
    (problem,) = result.problems
    assert problem.file == "listing.json" and problem.record == "m-1" and "above the input price" in problem.reason


def test_max_output_above_context_is_dropped() -> None:
    model, result = _one(_draft("listing", "2025-09-08", context_window=4096, max_output_tokens=8192))
    assert model.context_window == 4096 and model.max_output_tokens is None
    assert result.problems[0].path == "max_output_tokens"


def test_a_declared_chat_model_without_an_output_price_is_reported_not_zeroed() -> None:
    model, result = _one(_draft("listing", "2025-09-08", kind="chat", pricing__input_per_mtok=D(1)))
    assert model.pricing.output_per_mtok is None
    assert [p.severity for p in result.problems] == ["warning"]


# --- the report -----------------------------------------------------------------------------------------------

def test_agreement_table_and_price_totals_in_the_report() -> None:
    result = merge([
        _draft("listing", "2026-01-01", model_id="a", pricing__input_per_mtok=D(1), pricing__output_per_mtok=D(2)),
        _draft("litellm", "2025-01-01", model_id="a", pricing__input_per_mtok=D(1), pricing__output_per_mtok=D(2)),
        _draft("listing", "2026-01-01", model_id="b", pricing__input_per_mtok=D(1), pricing__output_per_mtok=D(2)),
        _draft("litellm", "2025-01-01", model_id="b", pricing__input_per_mtok=D(5), pricing__output_per_mtok=D(2)),
    ])
    report = build_report([], result, None)
    (row,) = report.agreement
    assert (row.provider, row.models, row.compared, row.agreed, row.share) == ("acme", 2, 4, 3, "0.750")
    assert report.totals["conflicts"] == 1 and report.totals["superseded"] == 1
    text = "\n".join(agreement_lines(report))
    assert "acme" in text and "0.750" in text


def test_the_agreement_table_lists_the_least_agreeing_provider_first() -> None:
    def pair(provider: str, other_input: str) -> list[Draft]:
        return [_draft("listing", "2026-01-01", provider=provider, pricing__input_per_mtok=D(1)),
                _draft("litellm", "2025-01-01", provider=provider, pricing__input_per_mtok=D(other_input))]

    report = build_report([], merge([*pair("agrees", "1"), *pair("differs", "2")]), None)
    assert [(r.provider, r.share) for r in report.agreement] == [("differs", "0.000"), ("agrees", "1.000")]
