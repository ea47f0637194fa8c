"""The router: which candidates can serve a request and in which order (`choose`), the plan of a call and the
process-wide health and limits (`route`), its attempts with failover, key rotation and backoff (`attempts`),
backoff with jitter (`backoff`), per-key rate limits (`limits`) and provider/key health with cooldowns
(`health`). Nothing here is imported by `import knollm`."""
