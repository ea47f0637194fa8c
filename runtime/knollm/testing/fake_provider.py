"""A fault-injecting fake LLM provider on 127.0.0.1 that speaks the OpenAI, Anthropic and Gemini APIs.

Standard library only (http.server + threads). For tests and manual trials; never for production.

```python
from knollm.testing import CANARY_KEYS, FakeProvider

with FakeProvider(keys=CANARY_KEYS) as server:
    server.script(["429:2", "normal"])            # the next request gets a 429 (Retry-After: 2), then an answer
    httpx.post(server.base_url + "/v1/chat/completions", ...)
    server.requests[-1].body                       # what the client sent (keys redacted in headers)
```

Endpoints (any path prefix works: routes are matched on the end of the path):

| API | requests | SDK base URL |
| --- | --- | --- |
| OpenAI | `POST /v1/chat/completions` (plain, SSE), `GET /v1/models` | `base_url + "/v1"` |
| Anthropic | `POST /v1/messages` (plain, SSE), `GET /v1/models` (with `anthropic-version`) | `base_url` |
| Gemini | `POST /v1beta/models/{m}:generateContent`, `…:streamGenerateContent`, `GET /v1beta/models` | `…/v1beta` |

Answers are deterministic: `"ok: <last user text>"`, one token per word (see `fake_answers`). Auth is checked
per API (`Authorization: Bearer` or `api-key`; `x-api-key`; `x-goog-api-key` or `?key=`): a missing or unknown key
gets a 401 in the API's error shape. Faults (`fake_faults`): `normal`, `stream`, `400`/`401`/`403`/`404`/`429`/
`500`/`502`/`503`/`529` (`:S` adds Retry-After), `hang[:S]`, `stall[:S]`, `slow[:S]`, `reset`, `close`,
`malformed`, `html`, `empty`, `cut_start`, `cut_mid`, `no_done`, `stream_error` — scripted per model, per
route or globally, or named by the model id (`fault/503`).

By hand:

```sh
python -m knollm.testing.fake_provider --port 8101 --script faults.json --key sk-fake-0001
```

`faults.json` is a list of faults for any request (`["429:1", "normal", "cut_mid"]`) or an object
`{"default": [...], "models": {"tiny-chat": [...]}, "routes": {"openai/chat": [...]}}`. Routes: `openai/chat`,
`openai/models`, `anthropic/messages`, `anthropic/models`, `gemini/generate`, `gemini/models`. Without `--key`,
any non-empty key is accepted. Every request is logged to stderr (keys redacted; `--quiet` turns that off).
The first line printed is the base URL. Ctrl-C stops it. `FakeProviderProcess` (`knollm.testing.fake_process`)
runs it as a child process, for benchmarks that must not share the GIL with the server.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import logging
import socket
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from ..vocab import CALLABLE_API_KINDS
from .fake_answers import PrefixCache
from .fake_faults import FaultScript
from .fake_handler import FakeHandler, RecordedRequest
from .fake_listing import ListingOptions

APIS = CALLABLE_API_KINDS
DEFAULT_MODELS = ("tiny-chat", "tiny-tools")
KeySpec = Iterable[str] | Mapping[str, Iterable[str]] | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hanging handler never keeps the process (or server_close) waiting
    allow_reuse_address = True  # `--port 8101` can restart at once after Ctrl-C
    request_queue_size = 256  # many concurrent clients: a full accept backlog would look like a connect timeout

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (its timeout, a test's cut) is routine here, not worth a traceback on stderr.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]  # typeshed's narrower socket types


class FakeProvider:
    """The fake server. A context manager: started on enter, stopped (within a second, even with hanging
    handlers) on exit. `keys`: accepted keys for every API, or a mapping api → keys; None accepts any
    non-empty key. `models`: what the models endpoints list."""

    def __init__(self, keys: KeySpec = None, *, models: Sequence[str] = DEFAULT_MODELS, port: int = 0) -> None:
        self.models = list(models)
        self.listing = ListingOptions()
        """Pagination, prices, context windows or a huge body in model listings (`fake_listing`)."""
        self._keys = _key_sets(keys)
        self._port = port
        self._script = FaultScript()
        self._cache = PrefixCache()
        self._requests: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> FakeProvider:
        handler = type("BoundFakeHandler", (FakeHandler,), {"fake": self})
        self._server = _Server(("127.0.0.1", self._port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="knollm-fake-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake hanging handlers, close open connections, free the port."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # unblocks a handler waiting for the next keep-alive request
                conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=1)
        self._server = None

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # --- what tests use --------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake provider is not running: use `with FakeProvider() as server:`")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (add `/v1` for OpenAI SDKs, `/v1beta` for Gemini)."""
        return f"http://127.0.0.1:{self.port}"

    def script(self, faults: Sequence[str], model: str | None = None, route: str | None = None) -> None:
        """Queue faults, first in first out, for requests to `model`, to `route`, or (neither) to any request."""
        self._script.add(list(faults), model=model, route=route)

    @property
    def pending(self) -> int:
        """Scripted faults not yet used."""
        return self._script.pending()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget requests, scripted faults and the prompt cache (between phases of one test)."""
        with self._lock:
            self._requests.clear()
        self._script.clear()
        self._cache = PrefixCache()

    # --- called by the handler -------------------------------------------------------------------------------

    def _accepts(self, api: str, key: str | None) -> bool:
        allowed = self._keys.get(api) if self._keys is not None else None
        return bool(key) and (allowed is None or key in allowed)

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _key_sets(keys: KeySpec) -> dict[str, frozenset[str] | None] | None:
    if keys is None:
        return None
    if isinstance(keys, Mapping):
        unknown = set(keys) - set(APIS)
        if unknown:
            raise ValueError(f"keys: unknown API {sorted(unknown)}; use {', '.join(APIS)}")
        return {api: frozenset(keys[api]) if api in keys else None for api in APIS}
    if isinstance(keys, str):
        raise TypeError("keys: pass a collection of keys (e.g. {'sk-…'}), not a single string")
    accepted = frozenset(keys)
    return dict.fromkeys(APIS, accepted)


def load_script(server: FakeProvider, path: Path) -> None:
    """Queue the faults of a script file (format in the module docstring)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        data = {"default": data}
    if not isinstance(data, dict) or set(data) - {"default", "models", "routes"}:
        raise ValueError(f"{path}: expected a list of faults or an object with default, models, routes")
    server.script(list(data.get("default", [])))
    for model, faults in (data.get("models") or {}).items():
        server.script(list(faults), model=model)
    for route, faults in (data.get("routes") or {}).items():
        server.script(list(faults), route=route)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knollm.testing.fake_provider",
        description="A fault-injecting fake LLM provider on 127.0.0.1 (OpenAI, Anthropic and Gemini APIs).",
        epilog="Faults: normal stream 400 401 403 404 429 500 502 503 529 hang stall slow reset close malformed "
               "html empty cut_start cut_mid no_done stream_error ('429:5' adds Retry-After: 5; 'hang:3' hangs 3 s). "
               "A model id 'fault/<fault>' asks for a fault without a script.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--script", type=Path, help="JSON file: a list of faults, or {default, models, routes}")
    parser.add_argument("--key", action="append", default=None,
                        help="an accepted (fake!) key; repeat for more; default: accept any non-empty key")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated ids the models "
                        "endpoints list (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request to stderr")
    args = parser.parse_args(argv)
    if not args.quiet:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s", stream=sys.stderr)
        logging.getLogger().handlers[0].addFilter(lambda r: r.name.startswith("knollm.testing"))
    server = FakeProvider(args.key, models=[m for m in args.models.split(",") if m], port=args.port)
    try:
        server.start()
        if args.script:
            load_script(server, args.script)
    except (OSError, ValueError) as exc:
        print(f"fake provider: {exc}", file=sys.stderr)
        server.stop()
        return 1
    url = server.base_url
    try:  # Ctrl-C may come at any moment from here on, even during the print
        print(f"{url}\n  OpenAI base: {url}/v1   Anthropic base: {url}   Gemini base: {url}/v1beta", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
