"""Client benchmark: the time `knollm.Client` adds to a request, against a raw `httpx` post of the same body to
the same loopback server (the fake provider in a child process, so it shares no GIL with the client), and the
cost of `import knollm` with and without touching the client. No timing is asserted anywhere.

Usage: python bench/bench_client.py [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import knollm
from knollm.testing import CANARY_KEYS, FakeProviderProcess

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "runtime" / "bundle.json"
MESSAGES = [{"role": "user", "content": "say hi"}]
IMPORT = "import time; t = time.perf_counter(); import knollm{extra}; print(time.perf_counter() - t)"


def per_request(send, requests: int) -> list[float]:
    """Seconds of each of `requests` calls (after 20 warm-up calls)."""
    for _ in range(20):
        send()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        send()
        times.append(time.perf_counter() - started)
    return times


def measure_overhead(base_url: str, requests: int, rounds: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "knollm.toml"
        config.write_text(f'[providers.fake]\nbase_url = "{base_url}/v1"\napi = "openai"\nkeys = ["env:FAKE_KEY"]\n',
                          encoding="utf-8")
        http = httpx.Client()
        client = knollm.Client(config, catalog=knollm.Catalog.load(FIXTURE), env={"FAKE_KEY": CANARY_KEYS[0]},
                               http_client=http)
        body = {"model": "tiny-chat", "messages": MESSAGES}
        headers = {"Authorization": f"Bearer {CANARY_KEYS[0]}"}

        def raw() -> None:
            http.post(f"{base_url}/v1/chat/completions", json=body, headers=headers).json()

        def ours() -> None:
            client.chat.completions.create(model="fake/tiny-chat", messages=MESSAGES)

        raw_medians, our_medians = [], []
        for _ in range(rounds):  # interleaved rounds: drift in the machine's load hits both alike
            raw_medians.append(statistics.median(per_request(raw, requests)))
            our_medians.append(statistics.median(per_request(ours, requests)))
        http.close()
        return raw_medians, our_medians


def import_times(extra: str, runs: int = 15) -> list[float]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    code = IMPORT.format(extra=extra)
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                 check=True).stdout) for _ in range(runs)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with FakeProviderProcess(keys=CANARY_KEYS) as server:
        raw, ours = measure_overhead(server.base_url, args.requests, args.rounds)
    added = [(o - r) * 1000 for r, o in zip(raw, ours, strict=True)]
    print(f"client over the fake provider (loopback, child process), {args.rounds} rounds x {args.requests} requests:")
    print(f"  raw httpx post + json: median {statistics.median(raw) * 1000:.3f} ms per request")
    print(f"  knollm.Client:         median {statistics.median(ours) * 1000:.3f} ms per request")
    middle = statistics.median(added)
    print(f"  added by the client: median {middle:.3f} ms (rounds {min(added):.3f}..{max(added):.3f}; "
          f"target < 0.3 ms) -> {'OK' if middle < 0.3 else 'OVER'}")
    plain, with_client = import_times(""), import_times("; knollm.Client")
    ratio = statistics.median(plain) and statistics.median(with_client) / statistics.median(plain)
    print(f"  import knollm: median {statistics.median(plain) * 1000:.1f} ms; the client is not loaded by it "
          f"(importing knollm.Client too: {statistics.median(with_client) * 1000:.1f} ms, {ratio:.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
