"""Runtime queries over a small invented bundle: lookups, providers, families, search, cheapest, context."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from knollm import (
    Catalog,
    Family,
    FamilyNotFound,
    InvalidArgument,
    Model,
    ModelNotFound,
    NotFound,
    Provider,
    ProviderNotFound,
    Query,
)

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(FIXTURE)


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The same bundle as the compiler writes it before families existed: no `families`, no `family` keys."""
    document = json.loads(FIXTURE.read_text())
    del document["families"]
    for model in document["models"]:
        del model["family"]
    path = tmp_path_factory.mktemp("legacy") / "catalog.json"
    path.write_text(json.dumps(document))
    return Catalog.load(path)


def ids(models: list[Model]) -> list[str]:
    return [m.id for m in models]


# -- get -------------------------------------------------------------------------------------------------------


def test_get_by_global_id_returns_typed_record(catalog: Catalog) -> None:
    model = catalog.get("acme/acme-large-2")
    assert isinstance(model, Model)
    assert model.provider == "acme" and model.model_id == "acme-large-2"
    assert model.display_name == "Acme Large 2"
    assert model.context_window == 400_000
    assert model.input_modalities == ("text", "image")
    assert model.pricing.input_per_mtok == Decimal("3")
    assert model.pricing.tiers[0].above_input_tokens == 200_000
    assert model.pricing.tiers[0].cache_read_per_mtok is None
    assert model.family == "acme-large"
    assert model.supports("tools") is True
    assert model.supports("reasoning") is False
    assert model.supports("fim") is None
    assert catalog.get("acme/acme-large-2") is model  # decoded once
    assert hash(model) == hash(catalog.get("acme/acme-large-2"))


def test_get_ids_with_slashes_in_model_id(catalog: Catalog) -> None:
    model = catalog.get("routr/meta/llama-4-70b")
    assert model.provider == "routr" and model.model_id == "meta/llama-4-70b"
    assert model.featured and model.upstreams == ()
    router = catalog.get("routr/acme/acme-large-2")
    assert router.upstreams[0].pricing.output_per_mtok == Decimal(15)
    assert router.upstreams[0].capabilities == {"tools": True}


def test_get_is_case_insensitive_and_trims(catalog: Catalog) -> None:
    assert catalog.get("  ACME/Acme-Small ").id == "acme/acme-small"


def test_get_by_provider_local_id_when_unique(catalog: Catalog) -> None:
    assert catalog.get("acme-large-2").id == "acme/acme-large-2"
    assert catalog.get("meta/llama-4-70b").id == "routr/meta/llama-4-70b"


def test_get_by_family_returns_cheapest_offer(catalog: Catalog) -> None:
    assert catalog.get("llama-4-70b").id == "routr/meta/llama-4-70b"


def test_unknown_model_suggests_closest(catalog: Catalog) -> None:
    with pytest.raises(ModelNotFound) as info:
        catalog.get("acme/acme-smal")
    assert info.value.suggestions[0] == "acme/acme-small"
    assert "did you mean: acme/acme-small" in str(info.value)
    assert info.value.query == "acme/acme-smal"
    assert isinstance(info.value, LookupError) and isinstance(info.value, NotFound)


def test_ambiguous_local_id_lists_every_provider(catalog: Catalog, legacy: Catalog) -> None:
    with pytest.raises(ModelNotFound) as info:
        legacy.get("acme-small")
    assert info.value.suggestions[:2] == ["acme/acme-small", "hostco/acme-small"]
    # With family data the same id names the family, which resolves to its cheapest offer.
    assert catalog.get("acme-small").id == "acme/acme-small"


def test_suggestions_use_the_local_part_of_an_id(catalog: Catalog) -> None:
    with pytest.raises(ModelNotFound) as info:
        catalog.get("otherhost/llama-4-70b-instruc")
    assert "hostco/llama-4-70b-instruct" in info.value.suggestions


def test_unknown_model_without_close_ids_has_no_suggestions(catalog: Catalog) -> None:
    with pytest.raises(ModelNotFound) as info:
        catalog.get("zzzzzzzz")
    assert info.value.suggestions == []
    assert "did you mean" not in str(info.value)


def test_contains_len_iter(catalog: Catalog) -> None:
    assert "acme/acme-small" in catalog
    assert "nope" not in catalog and 3 not in catalog
    assert len(list(catalog)) == len(catalog) == 12
    assert ids(catalog.models) == sorted(ids(catalog.models))


# -- providers -------------------------------------------------------------------------------------------------


def test_providers_with_status(catalog: Catalog) -> None:
    providers = catalog.providers()
    assert [p.id for p in providers] == ["acme", "hostco", "routr"]
    assert all(isinstance(p, Provider) for p in providers)
    acme, hostco, routr = providers
    assert acme.status_label == "ok" and hostco.status_label == "failed" and routr.status_label == "unknown"
    assert hostco.status.last_error == "401 Unauthorized"
    assert acme.auth.env_var == "ACME_API_KEY" and acme.auth.header == "bearer"
    assert acme.model_count == 4 and hostco.priced_model_count == 4
    assert not routr.authored


def test_providers_filters(catalog: Catalog) -> None:
    assert [p.id for p in catalog.providers(kind="aggregator")] == ["routr"]
    assert [p.id for p in catalog.providers(failed=True)] == ["hostco"]
    assert [p.id for p in catalog.providers(failed=False)] == ["acme", "routr"]


def test_provider_by_id_or_alias(catalog: Catalog) -> None:
    assert catalog.provider("acme").name == "Acme AI"
    assert catalog.provider("ACME_AI").id == "acme"
    assert catalog.provider("HostCo").id == "hostco"


def test_unknown_provider_suggests(catalog: Catalog) -> None:
    with pytest.raises(ProviderNotFound) as info:
        catalog.provider("hostcoo")
    assert info.value.suggestions == ["hostco"]
    assert str(info.value) == "unknown provider 'hostcoo'; did you mean: hostco?"


# -- families --------------------------------------------------------------------------------------------------


def test_families(catalog: Catalog) -> None:
    families = catalog.families()
    assert [f.id for f in families] == ["acme-large", "acme-small", "llama-4-70b"]
    llama = catalog.family("llama-4-70b")
    assert isinstance(llama, Family)
    assert llama.open_weights is True and llama.parameters == "70B" and llama.author == "Meta"
    assert catalog.family("LLAMA-4-70B") is llama


def test_offers_sorted_by_price_and_skip_unknown_ids(catalog: Catalog) -> None:
    offers = catalog.offers("llama-4-70b")
    # routr 0.5+0.75 < hostco instruct 0.6+0.8 < hostco turbo 0.9+0.9; "gone/llama-4-70b" is not in the bundle
    assert ids(offers) == ["routr/meta/llama-4-70b", "hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo"]
    assert ids(catalog.offers(catalog.family("acme-large"))) == ["acme/acme-large-2", "routr/acme/acme-large-2"]
    assert ids(catalog.offers("acme-small")) == ["acme/acme-small", "hostco/acme-small"]


def test_unknown_family_suggests(catalog: Catalog) -> None:
    with pytest.raises(FamilyNotFound) as info:
        catalog.family("llama-4-7b")
    assert info.value.suggestions == ["llama-4-70b"]
    with pytest.raises(FamilyNotFound):
        catalog.offers("nope")


def test_open_weights_comes_from_the_family(catalog: Catalog) -> None:
    assert catalog.open_weights(catalog.get("hostco/llama-4-70b-turbo")) is True
    assert catalog.open_weights(catalog.get("acme/acme-small")) is False
    assert catalog.open_weights(catalog.get("routr/free/tiny")) is None


def test_bundle_without_families_is_tolerated(legacy: Catalog) -> None:
    assert not legacy.has_families
    assert legacy.families() == []
    assert legacy.get("acme/acme-small").family is None
    with pytest.raises(FamilyNotFound, match="carries no family data"):
        legacy.family("llama-4-70b")
    with pytest.raises(ModelNotFound):
        legacy.get("llama-4-70b")
    assert legacy.search(open_weights=True) == []
    assert len(legacy.search("llama")) == 3
    assert legacy.get("acme-large-2").id == "acme/acme-large-2"


def test_model_family_filled_from_family_offers(tmp_path: Path) -> None:
    """A bundle whose models lack the `family` key still maps models to families through `offers`."""
    document = json.loads(FIXTURE.read_text())
    for model in document["models"]:
        del model["family"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document))
    catalog = Catalog.load(path)
    assert catalog.get("hostco/llama-4-70b-turbo").family == "llama-4-70b"
    assert catalog.get("acme/acme-reasoner").family is None


# -- search ----------------------------------------------------------------------------------------------------


def test_search_everything_sorted_by_id(catalog: Catalog) -> None:
    assert ids(catalog.search()) == ids(catalog.models)


def test_search_free_text_matches_id_name_family_and_description(catalog: Catalog) -> None:
    assert ids(catalog.search("turbo")) == ["hostco/llama-4-70b-turbo"]  # id
    # punctuation does not count: "Acme: Large" finds the name "Acme: Large 2" and the id acme-large-2 alike
    assert ids(catalog.search("Acme: Large")) == ["acme/acme-large-2", "routr/acme/acme-large-2"]
    assert set(ids(catalog.search("Llama 4 70B"))) == {
        "hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo", "routr/meta/llama-4-70b"}
    assert ids(catalog.search("nobody knows")) == ["hostco/mystery-model"]  # description
    assert ids(catalog.search("resold")) == ["hostco/acme-small"]
    assert "acme/acme-large-2" in ids(catalog.search("acme large"))  # family name
    assert catalog.search("no such words anywhere") == []


def test_search_relevance_puts_exact_and_prefix_matches_first(catalog: Catalog) -> None:
    found = ids(catalog.search("acme-small"))
    assert found[:2] == ["acme/acme-small", "hostco/acme-small"]
    found = ids(catalog.search("llama"))
    # all three start with "llama" (after the namespace); the shortest id is the closest to what was typed
    assert found == ["routr/meta/llama-4-70b", "hostco/llama-4-70b-turbo", "hostco/llama-4-70b-instruct"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"provider": "routr"}, ["routr/acme/acme-large-2", "routr/free/tiny", "routr/meta/llama-4-70b"]),
        ({"provider": ["acme", "routr"], "kind": "embedding"}, ["acme/acme-embed-1"]),
        ({"kind": ["image", "embedding"]}, ["acme/acme-embed-1", "hostco/image-maker"]),
        ({"capability": "vision"}, ["acme/acme-large-2", "routr/acme/acme-large-2"]),
        ({"capabilities": ("tools", "prompt_caching")}, ["acme/acme-large-2"]),
        ({"capability": "tools", "provider": "hostco"}, ["hostco/acme-small", "hostco/llama-4-70b-instruct"]),
        ({"capability": "reasoning"}, ["acme/acme-reasoner"]),  # declared false does not match
        ({"input_modality": "image"}, ["acme/acme-large-2", "routr/acme/acme-large-2"]),
        ({"output_modality": "image"}, ["hostco/image-maker"]),
        ({"min_context": 131072}, ["acme/acme-large-2", "hostco/llama-4-70b-instruct", "routr/acme/acme-large-2",
                                   "routr/meta/llama-4-70b"]),
        ({"max_input_price": "0.5", "kind": "chat"}, ["acme/acme-small", "hostco/acme-small", "routr/free/tiny",
                                                       "routr/meta/llama-4-70b"]),
        ({"max_output_price": Decimal("0.8"), "kind": "chat"},
         ["hostco/llama-4-70b-instruct", "routr/free/tiny", "routr/meta/llama-4-70b"]),
        ({"open_weights": True}, ["hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo", "routr/meta/llama-4-70b"]),
        ({"open_weights": False, "provider": "acme"}, ["acme/acme-large-2", "acme/acme-small"]),
        ({"family": "acme-large"}, ["acme/acme-large-2", "routr/acme/acme-large-2"]),
        ({"family": ["acme-small", "llama-4-70b"], "provider": "hostco"},
         ["hostco/acme-small", "hostco/llama-4-70b-instruct", "hostco/llama-4-70b-turbo"]),
        ({"priced": False}, ["hostco/image-maker", "hostco/mystery-model"]),
        ({"provider": "nobody"}, []),
    ],
)
def test_search_filters(catalog: Catalog, filters: dict, expected: list[str]) -> None:
    assert ids(catalog.search(**filters)) == expected


def test_search_sorts(catalog: Catalog) -> None:
    chat = Query(kind="chat")
    by_price = ids(catalog.search(chat.sorted_by("price")))
    # comparable price (3 x input + output) / 4: 0 < (0.75+1.25)/4 < (1.5+0.75)/4 < (0.9+1.5)/4 < (1.8+0.8)/4 ...
    assert by_price[:5] == ["routr/free/tiny", "acme/acme-small", "routr/meta/llama-4-70b", "hostco/acme-small",
                            "hostco/llama-4-70b-instruct"]
    assert by_price[-1] == "hostco/mystery-model"  # unknown price last
    assert ids(catalog.search(chat.sorted_by("price", reverse=True)))[0] == "acme/acme-large-2"
    assert ids(catalog.search(chat.sorted_by("price", reverse=True)))[-1] == "hostco/mystery-model"
    assert ids(catalog.search(chat, sort="context"))[:2] == ["acme/acme-large-2", "routr/acme/acme-large-2"]
    assert ids(catalog.search(sort="created"))[0] == "acme/acme-reasoner"  # newest first
    assert ids(catalog.search(sort="created", reverse=True))[0] == "routr/free/tiny"
    assert ids(catalog.search(sort="name"))[0] == "acme/acme-embed-1"
    assert ids(catalog.search(sort="input_price"))[0] == "routr/free/tiny"
    assert ids(catalog.search(kind="chat", sort="output_price", reverse=True))[0] == "acme/acme-large-2"
    assert ids(catalog.search(sort="id", reverse=True))[0] == "routr/meta/llama-4-70b"
    embed_price = catalog.search(kind="embedding", sort="price")
    assert ids(embed_price) == ["acme/acme-embed-1"]  # no output price needed for embeddings


def test_search_limit_and_composition(catalog: Catalog) -> None:
    query = Query(text="llama").where(capability="tools").where(provider="hostco").sorted_by("price").limited(1)
    assert query.capabilities == ("tools",) and query.provider == ("hostco",)
    assert ids(catalog.search(query)) == ["hostco/llama-4-70b-instruct"]
    assert ids(catalog.search(query, limit=None)) == ["hostco/llama-4-70b-instruct"]
    assert len(catalog.search(limit=0)) == 0
    assert len(catalog.search("llama", limit=2)) == 2
    accumulated = Query().where(capability="tools").where(capability="vision")
    assert accumulated.capabilities == ("tools", "vision")


def test_query_validation() -> None:
    with pytest.raises(InvalidArgument, match="unknown sort key 'cost'"):
        Query(sort="cost")
    with pytest.raises(InvalidArgument, match="unknown capability 'telepathy'"):
        Query().where(capability="telepathy")
    with pytest.raises(InvalidArgument, match="unknown kind"):
        Query(kind="robot")
    with pytest.raises(InvalidArgument, match="unknown input modality"):
        Query(input_modalities=("smell",))
    with pytest.raises(InvalidArgument, match="unknown query filter 'colour'"):
        Query().where(colour="red")
    for bad in ("cheap", "-1", float("nan"), Decimal("Infinity")):
        with pytest.raises(InvalidArgument, match="max_input_price must be a non-negative number"):
            Query(max_input_price=bad)
    with pytest.raises(InvalidArgument, match="limit"):
        Query(limit=-1)
    with pytest.raises(InvalidArgument, match="min_context"):
        Query(min_context=-5)
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError
        Query(sort="nope")


def test_query_is_frozen_and_hashable() -> None:
    query = Query(text="x", provider="a")
    assert query.provider == ("a",)
    assert hash(query) == hash(Query(text="x", provider=("a",)))
    with pytest.raises(AttributeError):
        query.text = "y"  # type: ignore[misc]


# -- cheapest, context -----------------------------------------------------------------------------------------


def test_cheapest_by_price(catalog: Catalog) -> None:
    assert catalog.cheapest(capability="tools").id == "acme/acme-small"  # (0.75+1.25)/4 < (1.5+0.75)/4
    assert catalog.cheapest(capability="tools", provider="acme").id == "acme/acme-small"
    assert catalog.cheapest(Query(family="llama-4-70b")).id == "routr/meta/llama-4-70b"
    assert catalog.cheapest("acme", min_context=200_000).id == "acme/acme-large-2"
    assert catalog.cheapest(kind="chat").id == "routr/free/tiny"
    assert catalog.cheapest(provider="nobody") is None
    assert catalog.cheapest("mystery") is None  # matches, but unpriced


def test_cheapest_for_a_workload(catalog: Catalog) -> None:
    # With one output token per request the per-request fee of routr makes hostco's instruct offer cheaper.
    family = Query(family="llama-4-70b")
    assert catalog.cheapest(family, input_tokens=1000, output_tokens=1).id == "hostco/llama-4-70b-instruct"
    assert catalog.cheapest(family, input_tokens=1_000_000, output_tokens=1000).id == "routr/meta/llama-4-70b"
    assert catalog.cheapest("mystery", input_tokens=10, output_tokens=10) is None


def test_filter_by_context_window(catalog: Catalog) -> None:
    assert ids(catalog.filter_by_context_window(200_000)) == ["acme/acme-large-2", "routr/acme/acme-large-2"]
    assert ids(catalog.filter_by_context_window(4000, 10_000)) == ["acme/acme-embed-1", "hostco/mystery-model"]
    chat = catalog.search(kind="chat", provider="hostco")
    assert ids(catalog.filter_by_context_window(100_000, models=chat)) == ["hostco/llama-4-70b-instruct"]
    assert "hostco/image-maker" not in ids(catalog.filter_by_context_window(0))  # unknown window left out
    with pytest.raises(InvalidArgument):
        catalog.filter_by_context_window(10, 5)
    with pytest.raises(InvalidArgument):
        catalog.filter_by_context_window(-1)
