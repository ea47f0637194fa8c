"""One adapter per wire API; `ADAPTERS[target.api]` picks the one a target speaks.

```python
adapter = ADAPTERS[target.api]
request = adapter.build(chat_request, target)           # an httpx.Request: send it with any httpx client
completion = adapter.parse(response, target)            # after response.read(); raises the client's errors
chunks = adapter.chunks(iter_events(response.iter_lines()), target)   # after check_stream_response(...)
```
"""

from __future__ import annotations

from .anthropic import AnthropicAdapter
from .base import (
    Adapter,
    StreamTranslator,
    acheck_stream_response,
    check_stream_response,
    error_for,
    error_for_transport,
    retry_after,
)
from .gemini import GeminiAdapter
from .openai import OpenAIAdapter

ADAPTERS: dict[str, Adapter] = {
    "openai": OpenAIAdapter(),
    "anthropic": AnthropicAdapter(),
    "gemini": GeminiAdapter(),
}
"""The adapter for each `Target.api`. Adapters keep no state between requests, so one instance serves all
threads; stream state lives in the translator each stream gets."""

__all__ = [
    "ADAPTERS",
    "Adapter",
    "AnthropicAdapter",
    "GeminiAdapter",
    "OpenAIAdapter",
    "StreamTranslator",
    "acheck_stream_response",
    "check_stream_response",
    "error_for",
    "error_for_transport",
    "retry_after",
]
