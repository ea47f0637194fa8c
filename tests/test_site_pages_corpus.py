"""Real-corpus tier for the site's pages: every family with two or more offers or a price has a page, and no
"cheapest" answer of the site is a variant or a flagged price. Skipped only when the corpus is absent."""

from __future__ import annotations

import pytest

import knollm
from knollm_compiler.build import compile_catalog
from knollm_compiler.bundle_writer import bundle_bytes
from knollm_site import analysis, matrices
from knollm_site.views import SiteData, build_site_data, paid_chat_models
from test_corpus import CORPUS, REPO

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteData:
    path = tmp_path_factory.mktemp("corpus") / "catalog.json"
    path.write_bytes(bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle))
    return build_site_data(knollm.Catalog.load(path))


def test_every_family_with_two_offers_or_a_price_has_a_page(site: SiteData) -> None:
    catalog = site.catalog
    missing = []
    for family in catalog.families():
        offers = catalog.offers(family, include_variants=True)
        if (len(offers) >= 2 or any(m.pricing is not None for m in offers)) and family.id not in site.family_pages:
            missing.append(family.id)
    assert missing == []


def test_no_cheapest_answer_is_a_variant_or_a_flagged_price(site: SiteData) -> None:
    catalog = site.catalog
    assert any(m.price_flags for m in catalog.models) and any(m.variant for m in catalog.models)  # the test bites
    crowned = [*paid_chat_models(catalog.models)[:1],
               *(m for _, cells in analysis.cheapest_matrix(catalog) for m in cells if m is not None),
               *(row.cheapest for row in analysis.capability_rows(catalog) if row.cheapest is not None),
               *(page.best for page in site.families if page.best is not None)]
    crowned += [catalog.get(c.model) for w in analysis.workloads(catalog) for c in w.rows[:1]]
    assert crowned and all(m.variant is None and not m.price_flags for m in crowned)
    for _, cells in matrices.price_matrix(site).rows:  # a flagged cell only where the provider has nothing else
        for m in cells:
            if m is not None and m.price_flags:
                page = site.family_pages[m.family]
                peers = [o for o in page.offers if o.provider == m.provider and o.variant is None and o.input_price]
                assert all(o.price_flags for o in peers)
    best = catalog.cheapest()
    assert best is not None and not best.price_flags and best.variant is None
