"""The OpenAI-shaped client: call any catalog provider through one API (loaded lazily, never by `import knollm`)."""
