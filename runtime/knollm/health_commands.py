"""`knollm health`: the state of every configured provider and key as the router sees it (ok, cooling until
when, half-open, retired and why), with the success rate and latency average, read from the configured health
store (`[health] path`). Without a path, health lives in each process's memory: this command can show only the
configured keys, so it says so.

Imported only when the command runs (the configuration needs pydantic). Only key aliases (`env:NAME`) appear.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from .render import Output

NO_CALLS = "ok (no calls recorded)"


@dataclass(slots=True)
class KeyState:
    """One (provider, key) row of `knollm health`."""

    provider: str
    key: str
    state: str
    cooling_until: str | None = None
    """ISO 8601 UTC time the cooldown ends (cooling only)."""
    success_rate: float | None = None
    latency_s: float | None = None
    calls: int = 0
    last_error: str | None = None


def key_states(config_path: str | None, profile: str | None, now: float | None = None,
               ) -> tuple[list[KeyState], str | None]:
    """Every configured or recorded (provider, key) with its state, and the store's path (None: in memory)."""
    from .client.settings import load_settings
    from .router.route import health_store

    config = load_settings(config_path, profile, None)
    path = config.health.path
    when = time.time() if now is None else now
    found: dict[tuple[str, str], KeyState] = {}
    for record in health_store(path).snapshot():
        state = record.state(when)
        shown = {"healthy": "ok", "retired": f"retired ({record.retired})"}.get(state, state)
        until = None
        if state == "cooling":
            until = datetime.fromtimestamp(record.cooldown_until, UTC).isoformat(timespec="seconds")
            shown = f"cooling until {until}"
        found[(record.provider, record.key)] = KeyState(
            record.provider, record.key, shown, until, round(record.success_rate, 4),
            None if record.latency_s is None else round(record.latency_s, 4), record.calls, record.last_error)
    for provider, settings in config.providers.items():
        for ref in settings.keys:
            alias = ref if ref.startswith("env:") else f"literal:{provider}"  # a literal key is never shown
            found.setdefault((provider, alias), KeyState(provider, alias, NO_CALLS))
    return [found[k] for k in sorted(found)], path


def health(args: argparse.Namespace, out: Output) -> int:
    """Print every provider's and key's health."""
    states, path = key_states(args.config, args.profile)
    if out.json:
        out.data({"store": path, "keys": states})
        return 0
    where = f"health store {path}" if path else ("health is kept in each process's memory: set [health] path in "
                                                 "knollm.toml to share it between processes and see it here")
    if not states:
        out.line(f"No provider configured and nothing recorded ({where}).")
        return 0
    rows = [[s.provider, s.key, s.state, "-" if s.success_rate is None else f"{s.success_rate:.0%}",
             "-" if s.latency_s is None else f"{s.latency_s * 1000:.0f} ms", str(s.calls), s.last_error or "-"]
            for s in states]
    out.table(["provider", "key", "state", "success", "latency", "calls", "last error"], rows, right=(3, 4, 5),
              title="Provider and key health")
    out.line(where)
    return 0
