"""`knollm-build fetch`: call each provider's model-listing endpoint and write the snapshot files the build reads.

- `plan`: which providers to fetch, where, with which key (declared as data in `catalog/providers/`).
- `knollm.client.paged_listing` (in the runtime's client extra, which declares httpx): one provider's listing
  over HTTP: pagination, retries with backoff, a size limit.
- `status`: `failed_models.json`, the per-provider status file the build already reads.
- `command`: the command line, bounded concurrency, progress and the summary.
"""
