"""How a provider's model listing is fetched, declared as data in its provider file (`[listing]`).

`knollm-build fetch` reads only these fields (and the provider's `base_url`, `models_path`, `auth`): a provider
whose listing is not OpenAI-shaped says so here, never in code that names the provider.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .bundle_vocab import AuthHeader

Pagination = Literal["none", "cursor", "page_token"]
PARAM = r"^[A-Za-z_][A-Za-z0-9_.-]*$"


class ListingSpec(BaseModel):
    """`[listing]`: where and how the model listing is fetched (defaults: OpenAI-shaped, one page)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    """Base URL of the listing when it is not the provider's `base_url` (e.g. a native API beside an
    OpenAI-compatible one). A configuration's `base_url` for the provider still wins."""
    path: str | None = Field(default=None, pattern=r"^/[^\s]*$")
    """Listing path under the base URL; default: the provider's `models_path`."""
    auth: AuthHeader | None = None
    """How the key is sent to the listing when it differs from the provider's `auth.header`."""
    public: bool = False
    """The listing needs no key: it is fetched even when no key is set (and without one)."""
    headers: dict[str, str] = {}
    """Extra request headers (never secrets), e.g. `anthropic-version = "2023-06-01"`."""
    pagination: Pagination = "none"
    """`none`: one response. `cursor`: the next page starts after the last id (`cursor_param` = the value of
    `cursor_field`) while `more_field` is true. `page_token`: the next page passes `token_field`'s value as
    `token_param` until it is absent."""
    page_size_param: str | None = Field(default=None, pattern=PARAM)
    """Query parameter that sets the page size (e.g. `limit`, `pageSize`)."""
    page_size: int | None = Field(default=None, gt=0, le=10_000)
    """Page size to ask for, with `page_size_param`."""
    cursor_param: str = Field(default="after_id", pattern=PARAM)
    """`cursor`: query parameter carrying the cursor."""
    cursor_field: str = Field(default="last_id", pattern=PARAM)
    """`cursor`: response field holding the next cursor (the last id of the page)."""
    more_field: str = Field(default="has_more", pattern=PARAM)
    """`cursor`: response field that is true while more pages follow."""
    token_param: str = Field(default="pageToken", pattern=PARAM)
    """`page_token`: query parameter carrying the token."""
    token_field: str = Field(default="nextPageToken", pattern=PARAM)
    """`page_token`: response field holding the next page's token."""

    @model_validator(mode="after")
    def _size_needs_param(self) -> ListingSpec:
        if (self.page_size is None) != (self.page_size_param is None):
            raise ValueError("page_size and page_size_param go together")
        bad = sorted(name for name in self.headers if _is_credential(name))
        if bad:
            raise ValueError(f"headers {bad} look like credentials: keys are named by env var in [auth] only")
        return self


def _is_credential(name: str) -> bool:
    lowered = name.lower()
    return lowered == "authorization" or any(word in lowered for word in ("key", "token", "secret"))
