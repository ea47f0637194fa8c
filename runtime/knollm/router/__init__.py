"""The router's building blocks (issue 15, in progress): backoff with jitter (`backoff`), per-key rate limits
(`limits`) and provider/key health with cooldowns (`health`). Nothing here is imported by `import knollm`."""
