"""The response cache (SQLite): answers kept by normalised request, with TTLs, pruning, hit/miss statistics and an
opt-in near-duplicate match. Loaded only when a call or a command uses it (never by `import knollm`).

Calls use it with `create(..., cache=True)` or a route's `cache = true` (see `knollm.client.caching` for the
policy); `knollm cache stats|clear|prune|warm` maintains it. The guide is the site's "Response cache" page.
"""

from .key import RequestKey, jaccard, normalise_text, request_key, shingles
from .store import CacheError, CacheStats, Entry, ResponseCache, default_path

__all__ = ["CacheError", "CacheStats", "Entry", "RequestKey", "ResponseCache", "default_path", "jaccard",
           "normalise_text", "request_key", "shingles"]
