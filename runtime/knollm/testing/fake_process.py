"""The fake provider in a child process, for benchmarks and CLI trials.

An in-process `FakeProvider` shares the GIL with the client under test, so each request pays for thread
switches (milliseconds, noisy); a benchmark measuring the client's own overhead runs the server apart:

```python
with FakeProviderProcess(keys=["sk-fake-0001"]) as server:
    httpx.post(server.base_url + "/v1/chat/completions", ...)
```

Faults come from a script file (`script=`) or from model ids (`fault/503`); requests are not recorded here.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from .fake_provider import DEFAULT_MODELS


class FakeProviderProcess:
    """`python -m knollm.testing.fake_provider --quiet` on an ephemeral port; stopped on exit. The keys travel
    on the child's command line: use fake keys only."""

    def __init__(self, keys: Iterable[str] | None = None, *, models: Sequence[str] = DEFAULT_MODELS,
                 script: Path | None = None) -> None:
        self._argv = [sys.executable, "-m", "knollm.testing.fake_provider", "--quiet", "--port", "0",
                      "--models", ",".join(models)]
        for key in keys or ():
            self._argv += ["--key", key]
        if script is not None:
            self._argv += ["--script", str(script)]
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def start(self) -> FakeProviderProcess:
        self._process = subprocess.Popen(self._argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        first = self._process.stdout.readline().strip()  # the server prints its URL once it listens
        if not first.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the fake provider process did not start: {first or 'no output'}")
        self.base_url = first
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # a clean stop: the server frees its port
            try:
                self._process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        self._process = None

    def __enter__(self) -> FakeProviderProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
