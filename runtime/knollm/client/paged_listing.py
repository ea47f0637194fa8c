"""A provider's whole model listing over HTTP (for `knollm-build fetch`): every page, each with retries, the whole
bounded in bytes and pages, merged back into the first page's shape.

The HTTP layer is the client's: auth headers as the adapters send them, its status → error mapping (401/403
`AuthenticationFailed`, 429 `RateLimited` with `Retry-After`, 5xx `ProviderUnavailable`, timeouts), its redaction
of provider text, and the router's backoff (full jitter, `Retry-After` as a floor). What to fetch is a
`ListingRequest`, plain data (the compiler builds it from a provider file's `[listing]`; this module never reads
the compiler's types). Part of the `client` extra: it needs httpx.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import orjson

from ..router.backoff import Backoff
from .adapters.base import auth_headers, error_for, error_for_transport
from .errors import ClientError, InvalidResponse, ProviderUnavailable, RateLimited, Timeout, excerpt
from .target import Secret, Target


@dataclass(frozen=True, slots=True)
class Paging:
    """How a listing pages (see the provider file's `[listing]`): `none`, `cursor` or `page_token`."""

    pagination: Literal["none", "cursor", "page_token"] = "none"
    page_size_param: str | None = None
    page_size: int | None = None
    cursor_param: str = "after_id"
    cursor_field: str = "last_id"
    more_field: str = "has_more"
    token_param: str = "pageToken"
    token_field: str = "nextPageToken"


@dataclass(frozen=True, slots=True)
class ListingRequest:
    """One provider's listing: where, with which auth header and key, extra headers, and how it pages."""

    provider: str
    url: str
    auth_header: str = "none"
    key: Secret | None = None
    headers: dict[str, str] = field(default_factory=dict)
    paging: Paging = field(default_factory=Paging)


@contextmanager
def listing_http(concurrency: int) -> Iterator[httpx.Client]:
    """One HTTP client for all listings: pooled for `concurrency` workers; no redirects (a key header would follow
    them to another host) and no proxy or netrc settings from the environment."""
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
    with httpx.Client(limits=limits, follow_redirects=False, trust_env=False) as http:
        yield http


MAX_PAGES = 1000
"""Most pages read from one listing: a provider that always says "more" cannot loop for ever."""
RETRYABLE = (RateLimited, ProviderUnavailable, Timeout)
"""Errors worth another attempt; an auth failure or a malformed answer would only repeat."""


class ListingTooLarge(ClientError):
    """The listing exceeded the size limit; nothing of it is kept."""

    def __init__(self, provider: str, limit: int) -> None:
        super().__init__(f"provider {provider!r}: the listing is larger than {limit // (1024 * 1024)} MiB; refused "
                         "(raise --max-listing-mb if it is genuine)")


@dataclass(slots=True)
class Fetched:
    """A provider's whole listing: the document to write, how many entries it holds, requests made."""

    document: Any
    entries: int
    attempts: int
    pages: int


@dataclass(slots=True)
class Fetcher:
    """Fetches listings with one shared `httpx.Client` (thread-safe: one fetcher serves every worker)."""

    http: httpx.Client
    timeout_s: float = 20.0
    attempts: int = 3
    max_bytes: int = 64 * 1024 * 1024
    backoff: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], None] = time.sleep

    def fetch(self, plan: ListingRequest, count: list[int] | None = None) -> Fetched:
        """Every page of the plan's listing, merged into the first page's shape. `count` (one int) is
        increased with each request, so a failure can still say how many attempts were made."""
        target = Target(plan.provider, "-", plan.url, auth_header=plan.auth_header, key=plan.key,
                        timeout_s=self.timeout_s)
        tally = count if count is not None else [0]
        pages: list[Any] = []
        params: dict[str, str] = {}
        if plan.paging.page_size_param and plan.paging.page_size:
            params[plan.paging.page_size_param] = str(plan.paging.page_size)
        budget = self.max_bytes
        while len(pages) < MAX_PAGES:
            page, size = self._page(plan, target, params, budget, tally)
            budget -= size
            pages.append(page)
            following = next_params(plan, page)
            if following is None:
                break
            params.update(following)
        document, entries = merge_pages(plan, pages)
        return Fetched(document, entries, tally[0], len(pages))

    def _page(self, plan: ListingRequest, target: Target, params: dict[str, str], budget: int,
              tally: list[int]) -> tuple[Any, int]:
        attempt = 0
        while True:
            attempt += 1
            tally[0] += 1
            try:
                return self._once(plan, target, params, budget)
            except RETRYABLE as exc:
                if attempt >= self.attempts:
                    raise
                wait = exc.retry_after if isinstance(exc, RateLimited) else None
                self.sleep(self.backoff.delay(attempt, wait))

    def _once(self, plan: ListingRequest, target: Target, params: dict[str, str], budget: int) -> tuple[Any, int]:
        headers = {"Accept": "application/json", **plan.headers, **auth_headers(target)}
        try:
            with self.http.stream("GET", plan.url, params=params, headers=headers,
                                  timeout=httpx.Timeout(self.timeout_s)) as response:
                body = _read_bounded(response, plan.provider, budget)
        except httpx.TransportError as exc:
            raise error_for_transport(exc, target) from None
        read = httpx.Response(response.status_code, headers=response.headers, content=body)
        return parse_page(read, target), len(body)


def _read_bounded(response: httpx.Response, provider: str, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ListingTooLarge(provider, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ListingTooLarge(provider, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_page(response: httpx.Response, target: Target) -> Any:
    """The JSON of a (read) response: an object or an array; the client's errors otherwise."""
    if not response.is_success:
        raise error_for(response, target)
    head = response.content[:64].lstrip()[:15].lower()
    if "html" in response.headers.get("content-type", "").lower() or head.startswith((b"<!doctype", b"<html")):
        raise InvalidResponse(target.provider, "an HTML page instead of JSON",
                              excerpt(response.text, target.secrets(), 120), response.status_code)
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise InvalidResponse(target.provider, "malformed JSON", status=response.status_code) from None
    if not isinstance(data, (dict, list)):
        raise InvalidResponse(target.provider, f"a JSON {type(data).__name__} instead of a listing",
                              status=response.status_code)
    return data


def next_params(plan: ListingRequest, page: Any) -> dict[str, str] | None:
    """The query parameters of the next page, or None when this page was the last."""
    spec = plan.paging
    if spec.pagination == "none" or not isinstance(page, dict):
        return None
    if spec.pagination == "cursor":
        cursor = page.get(spec.cursor_field)
        if page.get(spec.more_field) is True and isinstance(cursor, str) and cursor:
            return {spec.cursor_param: cursor}
        return None
    token = page.get(spec.token_field)
    return {spec.token_param: token} if isinstance(token, str) and token else None


def entries_key(page: dict[str, Any]) -> str | None:
    """The key of the page's list of records: `data` when present, else the longest list of objects."""
    lists = [k for k, v in page.items() if isinstance(v, list)]
    if "data" in lists:
        return "data"
    records = [k for k in lists if any(isinstance(x, dict) for x in page[k])]
    return max(records, key=lambda k: (len(page[k]), k), default=lists[0] if lists else None)


def merge_pages(plan: ListingRequest, pages: list[Any]) -> tuple[Any, int]:
    """One document in the first page's shape holding every page's entries (pagination fields dropped)."""
    first = pages[0]
    if isinstance(first, list):
        return first, len(first)
    key = entries_key(first)
    if key is None:
        return first, len(first)  # a keyed object (name -> record): one page
    merged: list[Any] = []
    for page in pages:
        if isinstance(page, dict) and isinstance(page.get(key), list):
            merged.extend(page[key])
    spec = plan.paging
    dropped = {spec.cursor_field, spec.more_field, spec.token_field} if spec.pagination != "none" else set()
    document = {k: (merged if k == key else v) for k, v in first.items() if k not in dropped}
    return document, len(merged)
