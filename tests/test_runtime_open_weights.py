"""A model's own open-weights declaration wins over its family's."""

from __future__ import annotations

from knollm import Catalog


def _bundle() -> dict:
    model = {"id": "p/m", "provider": "p", "model_id": "m", "kind": "chat", "family": "fam"}
    return {
        "schema_version": "1.0", "providers": [{"id": "p", "name": "P", "kind": "local"}],
        "models": [{**model, "open_weights": False, "knowledge_cutoff": "2025-03"},
                   {**model, "id": "p/n", "model_id": "n"}],
        "families": [{"id": "fam", "name": "Fam", "open_weights": True, "provider_count": 1,
                      "offers": ["p/m", "p/n"]}],
    }


def test_model_declaration_wins_over_family() -> None:
    catalog = Catalog.from_dict(_bundle())
    declared, inherited = catalog.get("p/m"), catalog.get("p/n")
    assert declared.knowledge_cutoff == "2025-03"
    assert catalog.open_weights(declared) is False
    assert catalog.open_weights(inherited) is True
    assert [m.id for m in catalog.search(open_weights=True)] == ["p/n"]
