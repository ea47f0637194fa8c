"""One small invented listing per source shape, each under a provider name the compiler has never seen.

Every compile goes through the `compile_snapshots` fixture, which asserts read == emitted + rejected for
every source file (see conftest.py).
"""

from __future__ import annotations

from decimal import Decimal

SHAPES = "shapes"


def exact(value: Decimal | None, expected: str) -> None:
    """Equal as a number and written the same way (no float noise, no trailing zeros, no exponent)."""
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)
    assert format(value, "f") == expected


def test_openai_list_with_per_token_string_prices(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_acmeai.json")
    built = compile_snapshots()

    assert built.model_ids == {"acmeai/nebula/quasar-chat", "acmeai/nebula/quasar-mini"}
    chat = built.model("acmeai/nebula/quasar-chat")
    assert (chat.provider, chat.model_id, chat.name) == ("acmeai", "nebula/quasar-chat", "Quasar Chat")
    assert chat.context_window == 65536
    exact(chat.pricing.input_per_mtok, "0.5")
    exact(chat.pricing.output_per_mtok, "1.5")
    assert chat.capabilities == {"json_mode": True, "tools": True}
    assert chat.owned_by == "nebula"
    assert chat.provenance["owned_by"] == "inferred"

    mini = built.model("acmeai/nebula/quasar-mini")
    assert mini.context_window == 8192
    exact(mini.pricing.input_per_mtok, "0.1")
    exact(mini.pricing.output_per_mtok, "0.2")
    assert mini.capabilities == {}

    source = built.source("models_acmeai.json")
    assert (source.role, source.shape, source.provider) == ("listing", "openai-list", "acmeai")
    assert (source.read, source.emitted, source.rejected) == (2, 2, 0)
    assert source.unknown_fields == {"zorblax_rating": 1}
    assert source.price_units == {"pricing.completion": "per_token", "pricing.prompt": "per_token"}
    assert source.problems == ()

    (provider,) = built.bundle.providers
    assert (provider.id, provider.authored, provider.model_count, provider.priced_model_count) == (
        "acmeai", False, 2, 2)


def test_bare_array_with_per_million_prices_and_unknown_key(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_brightlm.json")
    built = compile_snapshots()

    assert built.model_ids == {"brightlm/bright-7b-instruct", "brightlm/bright-70b"}
    small = built.model("brightlm/bright-7b-instruct")
    assert small.name == "Bright 7B Instruct"
    assert small.context_window == 32000
    exact(small.pricing.input_per_mtok, "0.2")
    exact(small.pricing.output_per_mtok, "0.6")
    assert small.capabilities == {"vision": False}  # a declared false is kept
    big = built.model("brightlm/bright-70b")
    assert big.context_window == 128000
    exact(big.pricing.input_per_mtok, "0.9")
    exact(big.pricing.output_per_mtok, "1.2")

    source = built.source("models_brightlm.json")
    assert (source.role, source.shape) == ("listing", "bare-array")
    assert (source.read, source.emitted, source.rejected) == (2, 2, 0)
    assert source.unknown_fields == {"zorblax_score": 2, "glimmer.depth": 1}
    assert source.price_units == {"pricing.input": "per_mtok", "pricing.output": "per_mtok"}


def test_keyed_catalog_routes_entries_to_providers_and_ignores_sample_spec(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_quillmap.json")
    built = compile_snapshots()

    source = built.source("models_quillmap.json")
    assert (source.role, source.shape, source.provider) == ("catalog", "keyed-object", None)
    assert source.ignored == ("sample_spec",)
    assert (source.read, source.emitted, source.rejected) == (3, 3, 0)
    assert source.unknown_fields == {"moonphase": 1}
    assert source.price_units == {"input_cost_per_token": "per_token", "output_cost_per_token": "per_token"}
    assert source.problems == ()

    # Routed by litellm_provider; a "<provider>/" prefix on the key is dropped from the model id.
    assert built.model_ids == {"quillco/quill-large", "quillco/quill-embed-small", "vexa/vexa-mini"}
    assert not any("sample_spec" in m.id for m in built.bundle.models)
    assert built.provider_ids == {"quillco", "vexa"}  # the catalog file itself is not a provider
    assert all(not p.authored for p in built.bundle.providers)

    large = built.model("quillco/quill-large")
    assert (large.kind, large.context_window, large.max_output_tokens) == ("chat", 128000, 4096)
    exact(large.pricing.input_per_mtok, "3")
    exact(large.pricing.output_per_mtok, "15")
    assert large.capabilities == {"tools": True}
    assert large.provenance["context_window"] == "quillmap"  # declared by the catalog, not inferred
    assert large.provenance["kind"] == "quillmap"

    embed = built.model("quillco/quill-embed-small")
    assert embed.kind == "embedding"
    exact(embed.pricing.input_per_mtok, "0.1")
    exact(embed.pricing.output_per_mtok, "0")

    mini = built.model("vexa/vexa-mini")
    assert mini.context_window == 16000
    exact(mini.pricing.input_per_mtok, "0.2")
    exact(mini.pricing.output_per_mtok, "0.4")


def test_keyed_object_without_provider_names_is_a_listing(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_tessera.json")
    built = compile_snapshots()

    source = built.source("models_tessera.json")
    assert (source.role, source.shape, source.provider) == ("listing", "keyed-object", "tessera")
    assert source.ignored == ()
    assert built.model_ids == {"tessera/tess-base", "tessera/tess-pro"}
    base = built.model("tessera/tess-base")
    assert base.context_window == 4096
    exact(base.pricing.input_per_mtok, "0.5")
    exact(base.pricing.output_per_mtok, "1")
    assert built.model("tessera/tess-pro").context_window == 16384


def test_catalog_provider_names_resolve_through_authored_aliases(
    add_fixture, compile_snapshots, authored_catalog_dir
):
    add_fixture(SHAPES, "models_aliasmap.json")
    built = compile_snapshots(authored_catalog_dir)

    # `bedrock_converse` is an alias in catalog/providers/aws-bedrock.toml; `kestrel_ai` is unknown.
    assert {"aws-bedrock/zeta-lite-v1", "kestrel-ai/kestrel-1"} == built.model_ids
    providers = {p.id: p for p in built.bundle.providers}
    assert providers["aws-bedrock"].authored is True
    assert providers["aws-bedrock"].model_count == 1
    assert providers["kestrel-ai"].authored is False
    exact(built.model("aws-bedrock/zeta-lite-v1").pricing.output_per_mtok, "1.6")


def test_provider_created_from_a_catalog_name_keeps_that_name(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_aliasmap.json")
    built = compile_snapshots()

    providers = {p.id: p for p in built.bundle.providers}
    assert providers["kestrel-ai"].name == "kestrel_ai"


def test_router_entries_become_upstreams_summarised_from_live_routes(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_hubrouter.json")
    built = compile_snapshots()

    model = built.model("hubrouter/loomlab/loom-32b")
    routes = {u.provider: u for u in model.upstreams}
    assert set(routes) == {"alpha", "beta", "gamma"}
    assert (routes["alpha"].status, routes["alpha"].context_window) == ("live", 32768)
    assert routes["alpha"].capabilities == {"tools": True}
    exact(routes["beta"].pricing.input_per_mtok, "0.2")
    assert routes["beta"].capabilities == {"tools": False}
    assert (routes["gamma"].status, routes["gamma"].context_window) == ("staging", 131072)

    # Model level: largest live context, prices of the cheapest live route (gamma is not live).
    assert model.context_window == 32768
    exact(model.pricing.input_per_mtok, "0.2")
    exact(model.pricing.output_per_mtok, "0.6")
    assert model.capabilities["tools"] is True
    # Derived from the routes, not declared for the model: tagged `derived`, counted apart in the report.
    for derived in ("context_window", "pricing.input_per_mtok", "pricing.output_per_mtok", "capabilities.tools"):
        assert model.provenance[derived] == "derived", derived
    assert model.provenance["upstreams"] == "listing"

    source = built.source("models_hubrouter.json")
    assert (source.declared_fields, source.derived_fields) == (1, 4)  # upstreams; context, 2 prices, tools
    assert built.bundle.report.totals["derived_fields"] == 4
    assert (source.role, source.shape, source.read, source.emitted) == ("listing", "openai-list", 1, 1)
    assert source.unknown_fields == {}
    assert source.price_units == {"providers[].pricing.input": "per_mtok", "providers[].pricing.output": "per_mtok"}


def test_list_wrapped_under_another_key(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_wrapco.json")
    built = compile_snapshots()

    source = built.source("models_wrapco.json")
    assert (source.role, source.shape) == ("listing", "wrapped-list(models)")
    assert (source.read, source.emitted, source.rejected) == (2, 2, 0)
    assert source.unknown_fields == {"limits.burst_rpm": 1}
    assert source.price_units == {"cost.input_per_million": "per_mtok", "cost.output_per_million": "per_mtok"}

    assert built.model_ids == {"wrapco/wrap-large", "wrapco/wrap-small"}
    large = built.model("wrapco/wrap-large")
    assert (large.context_window, large.max_output_tokens) == (100000, 4000)
    exact(large.pricing.input_per_mtok, "1.25")
    exact(large.pricing.output_per_mtok, "5")
    small = built.model("wrapco/wrap-small")
    assert small.context_window == 16000
    exact(small.pricing.output_per_mtok, "0.4")


def test_nested_wrapper_is_unsupported_and_reported(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_nestco.json")
    built = compile_snapshots()

    assert "nestco/result" not in built.model_ids
    (problem,) = built.problems("models_nestco.json")
    assert (problem["record"], problem["path"], problem["severity"]) == ("-", "$file", "rejected")
    assert "no list of model records" in problem["reason"]


def test_single_record_file(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_solo.json")
    built = compile_snapshots()

    source = built.source("models_solo.json")
    assert (source.role, source.shape, source.read, source.emitted) == ("listing", "single-record", 1, 1)
    assert source.unknown_fields == {"sparkle": 1}
    model = built.model("solo/solo-one")
    assert (model.name, model.context_window) == ("Solo One", 4096)
    exact(model.pricing.input_per_mtok, "0.5")
    exact(model.pricing.output_per_mtok, "1.5")
    assert model.capabilities == {"tools": True}


def test_single_record_with_router_routes(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_solorouter.json")
    built = compile_snapshots()

    assert built.source("models_solorouter.json").shape == "single-record"
    model = built.model("solorouter/solo-routed")
    assert [u.provider for u in model.upstreams] == ["alpha"]
    assert model.context_window == 8192


def test_same_price_key_per_token_in_one_file_per_million_in_another(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_tokenly.json")  # "pricing.prompt": "0.000002"
    add_fixture(SHAPES, "models_megaly.json")  # "pricing.prompt": 2.0
    built = compile_snapshots()

    for model_id in ("tokenly/tok-1", "megaly/meg-1"):
        model = built.model(model_id)
        exact(model.pricing.input_per_mtok, "2")
        exact(model.pricing.output_per_mtok, "6")
    assert built.source("models_tokenly.json").price_units["pricing.prompt"] == "per_token"
    assert built.source("models_megaly.json").price_units["pricing.prompt"] == "per_mtok"


def test_provenance_separates_inferred_from_declared(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_provco.json")
    built = compile_snapshots()

    embed = built.model("provco/prov-embed-v2")
    assert (embed.kind, embed.name, embed.context_window) == ("embedding", "prov-embed-v2", 8192)
    assert embed.provenance["kind"] == "inferred"
    assert embed.provenance["name"] == "inferred"
    assert embed.provenance["context_window"] == "listing"
    assert embed.output_modalities == ("embedding",)
    assert embed.provenance["output_modalities"] == "inferred"

    chat = built.model("provco/prov-chat")
    assert (chat.kind, chat.name) == ("chat", "Prov Chat")
    assert chat.provenance["kind"] == "listing"
    assert chat.provenance["name"] == "listing"
    assert "context_window" not in chat.provenance  # unknown stays unknown, nothing invented
    assert chat.context_window is None

    source = built.source("models_provco.json")
    assert source.declared_fields == 3  # context; name and kind
    assert source.inferred_fields == sum(
        1 for m in built.bundle.models for tag in m.provenance.values() if tag == "inferred")


def test_manual_and_best_variants_merge_into_the_provider(add_fixture, compile_snapshots):
    for name in ("models_acme.json", "models_acme_manual.json", "models_acme_best.json"):
        add_fixture(SHAPES, name)
    built = compile_snapshots()

    assert built.provider_ids == {"acme"}
    (provider,) = built.bundle.providers
    assert provider.model_count == 2
    assert built.model_ids == {"acme/acme-chat", "acme/acme-lite"}

    chat = built.model("acme/acme-chat")
    assert chat.context_window == 32000  # manual wins on what it declares ...
    assert chat.description == "Checked by hand"
    assert chat.provenance["context_window"] == "manual"
    assert chat.provenance["description"] == "manual"
    assert chat.name == "Acme Chat"  # ... and the listing keeps the rest
    assert chat.provenance["name"] == "listing"
    exact(chat.pricing.input_per_mtok, "1")
    assert chat.featured is True
    assert chat.sources == ("models_acme.json", "models_acme_best.json", "models_acme_manual.json")
    assert built.model("acme/acme-lite").featured is False

    roles = {s.file: (s.role, s.provider) for s in built.bundle.report.sources}
    assert roles == {
        "models_acme.json": ("listing", "acme"),
        "models_acme_manual.json": ("variant", "acme"),
        "models_acme_best.json": ("variant", "acme"),
    }
    assert sum(s.merged for s in built.bundle.report.sources) == 2  # three drafts, one model
    assert built.bundle.report.totals["conflicts"] == 1  # 16000 vs 32000


def test_own_listing_that_names_its_provider_keeps_listing_precedence(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_ownlist.json")
    add_fixture(SHAPES, "models_litellm.json")
    built = compile_snapshots()

    model = built.model("ownlist/own-chat")
    assert model.context_window == 8192
    assert model.provenance["context_window"] == "listing"


def test_router_route_context_under_context_window_key(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_edgeroute.json")
    built = compile_snapshots()

    model = built.model("edgeroute/edge-9b")
    assert model.upstreams[0].context_window == 8192
    assert model.context_window == 8192


# --- still open: found after the first round of fixes ------------------------------------------------


def test_nested_wrapper_with_a_count_is_unsupported_and_reported(add_fixture, compile_snapshots):
    add_fixture(SHAPES, "models_pagedco.json")
    built = compile_snapshots()

    assert "pagedco/result" not in built.model_ids
    (problem,) = built.problems("models_pagedco.json")
    assert (problem["record"], problem["path"], problem["severity"]) == ("-", "$file", "rejected")


def test_own_listing_naming_its_provider_in_another_case_keeps_listing_precedence(
    add_fixture, compile_snapshots
):
    add_fixture(SHAPES, "models_capsco.json")
    add_fixture(SHAPES, "models_litellm_capsco.json", as_name="models_litellm.json")
    built = compile_snapshots()

    assert built.source("models_capsco.json").role == "listing"
    model = built.model("capsco/caps-chat")
    assert model.context_window == 8192
    assert model.provenance["context_window"] == "listing"
