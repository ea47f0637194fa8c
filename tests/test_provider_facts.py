"""Listing-fetch status on provider pages: one date format, errors as a short status, a success newer than the
recorded attempt explained; and the same over every status of the real corpus's fetch log."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from knollm_compiler.bundle_records import ProviderStatus
from knollm_compiler.status import load_statuses
from knollm_site.provider_facts import fetch_status, short_error, show_time

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KNOLLM_CORPUS", REPO.parent / "shared" / "model_catalog")).resolve()


@pytest.mark.parametrize(("text", "shown"), [
    ("2025-08-07T21:28:19.043446", "2025-08-07 21:28 UTC"),
    ("Mon, 08 Sep 2025 10:29:31 GMT", "2025-09-08 10:29 UTC"),
    ("2025-09-08T12:29:32+02:00", "2025-09-08 10:29 UTC"),
    ("yesterday", "yesterday"),
    ("  ", None),
    (None, None),
])
def test_times_share_one_format(text: str | None, shown: str | None) -> None:
    assert show_time(text) == shown


@pytest.mark.parametrize(("error", "short"), [
    ("404 Client Error: Not Found for url: https://api.example.test/models", "HTTP 404"),
    ("Unexpected error: Client error '401 Unauthorized' for url 'https://x.test/v1/models'", "HTTP 401"),
    ("Server error '503 Service Unavailable' for url 'https://x.test/models'", "HTTP 503"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1000)",
     "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired …"),
    ("timed out after 404.5 seconds", "timed out after 404.5 seconds"),
    ("", None),
])
def test_errors_become_a_short_status(error: str, short: str | None) -> None:
    assert short_error(error) == short


def test_success_after_the_attempt_is_explained() -> None:
    status = ProviderStatus(failed=False, last_attempt="2025-08-07T21:28:19",
                            last_success="Mon, 08 Sep 2025 10:29:31 GMT",
                            last_error="404 Client Error: Not Found for url: https://x.test/models")
    shown = fetch_status(status)
    assert shown is not None
    assert shown.summary == ("last fetch ok (2025-09-08 10:29 UTC); an earlier attempt (2025-08-07 21:28 UTC) failed: "
                             "HTTP 404")
    assert shown.raw_error == "404 Client Error: Not Found for url: https://x.test/models"


def test_failed_fetch_and_clean_fetch() -> None:
    failed = fetch_status(ProviderStatus(failed=True, last_attempt="2025-09-08T12:29:32", last_error="boom"))
    assert failed is not None and failed.summary == "last fetch failed: boom (2025-09-08 12:29 UTC)"
    clean = fetch_status(ProviderStatus(failed=False, last_success="2025-09-08T12:29:32"))
    assert clean is not None and clean.summary == "last fetch ok (2025-09-08 12:29 UTC)" and clean.raw_error is None
    assert fetch_status(None) is None
    bare = fetch_status(ProviderStatus(failed=True))
    assert bare is not None and bare.summary == "last fetch failed: no error recorded"


@pytest.mark.skipif(not (CORPUS / "failed_models.json").is_file(), reason=f"real corpus not found at {CORPUS}")
def test_every_corpus_status_reads_cleanly() -> None:
    statuses, _ = load_statuses(CORPUS / "failed_models.json")
    assert statuses
    for provider, status in statuses.items():
        shown = fetch_status(status)
        assert shown is not None, provider
        for text in (shown.last_attempt, shown.last_success):
            assert text is None or text.endswith(" UTC"), (provider, text)
        assert "None" not in shown.summary, provider
        assert len(shown.summary) < 160, (provider, shown.summary)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}")
def test_corpus_provider_pages_show_no_raw_values(tmp_path: Path) -> None:
    """Every provider page of the real corpus: no "None" where a value goes, no header row on the facts."""
    import knollm
    from knollm_compiler.build import compile_catalog
    from knollm_compiler.bundle_writer import bundle_bytes
    from knollm_site.pages import PageBuilder
    from knollm_site.views import build_site_data

    bundle = tmp_path / "catalog.json"
    bundle.write_bytes(bundle_bytes(compile_catalog(REPO / "catalog", CORPUS).bundle))
    pages = list(PageBuilder(build_site_data(knollm.Catalog.load(bundle))).provider_pages())
    assert len(pages) > 30
    for page in pages:
        text = page.data.decode()
        assert "| fact | value |" not in text, page.path
        assert not re.search(r"(^|: {3}|\| )None( \||$)", text, re.MULTILINE), page.path
