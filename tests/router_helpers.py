"""Routing tests' set-up: fake providers alpha, beta and gamma (each its own fake server, serving the same
models), keys per provider, and a knollm.toml with routes over them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import knollm
from knollm.testing import CANARY_KEYS, FakeProvider

FIXTURE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
PROVIDERS = ("alpha", "beta", "gamma")
KEYS = {
    "ALPHA_KEY_1": CANARY_KEYS[0], "ALPHA_KEY_2": CANARY_KEYS[1], "ALPHA_KEY_3": "sk-test-KNOLLM-ROUTER-CANARY-A3",
    "BETA_KEY_1": "sk-test-KNOLLM-ROUTER-CANARY-B1", "BETA_KEY_2": "sk-test-KNOLLM-ROUTER-CANARY-B2",
    "BETA_KEY_3": "sk-test-KNOLLM-ROUTER-CANARY-B3", "GAMMA_KEY_1": "sk-test-KNOLLM-ROUTER-CANARY-G1",
    "DEAD_KEY": "sk-test-KNOLLM-ROUTER-CANARY-DEAD",
}
"""Fake keys by variable: every captured output is grepped for them. DEAD_KEY is accepted by no server."""
PRICES = {"alpha": ("3", "6"), "beta": ("1", "2"), "gamma": ("2", "4")}
"""(input, output) USD per million tokens: beta is the cheapest, alpha the dearest."""


@dataclass
class Fakes:
    servers: dict[str, FakeProvider]
    config: Path

    def client(self, **kwargs: object) -> knollm.Client:
        return knollm.Client(self.config, catalog=knollm.Catalog.load(FIXTURE), env=KEYS, **kwargs)  # type: ignore[arg-type]

    def aclient(self) -> knollm.AsyncClient:
        return knollm.AsyncClient(self.config, catalog=knollm.Catalog.load(FIXTURE), env=KEYS)

    def sent_keys(self, provider: str) -> list[str | None]:
        """The last 4 characters of the key of each request the provider received."""
        return [r.key_last4 for r in self.servers[provider].requests if r.route.endswith("chat")]


def provider_toml(name: str, base_url: str, keys: Sequence[str], extra: str = "") -> str:
    refs = ", ".join(f'"env:{k}"' for k in keys)
    inp, out = PRICES[name]
    models = "".join(f'[models."{name}/{model}"]\ninput_per_mtok = "{inp}"\noutput_per_mtok = "{out}"\n\n'
                     for model in ("tiny-chat", "tiny-stream"))
    return (f'[providers.{name}]\nbase_url = "{base_url}/v1"\napi = "openai"\nkeys = [{refs}]\ntimeout_s = 5\n'
            f"{extra}\n{models}")


@contextmanager
def fakes(tmp_path: Path, keys: Mapping[str, Sequence[str]], routes: str, extra: Mapping[str, str] | None = None,
          ) -> Iterator[Fakes]:
    """Servers for the providers named in `keys` (provider → key variables), each accepting every key of KEYS
    but DEAD_KEY; `routes` is TOML appended to the configuration; `extra` adds lines to a provider's table."""
    accepted = {v for k, v in KEYS.items() if k != "DEAD_KEY"}
    with ExitStack() as stack:
        servers = {name: stack.enter_context(FakeProvider(keys=accepted)) for name in keys}
        text = "".join(provider_toml(name, servers[name].base_url, refs, (extra or {}).get(name, ""))
                       for name, refs in keys.items())
        config = tmp_path / "knollm.toml"
        config.write_text(text + routes, encoding="utf-8")
        yield Fakes(servers, config)


def ask(text: str) -> list[dict[str, object]]:
    return [{"role": "user", "content": text}]


def assert_no_key_in(*texts: str) -> None:
    for text in texts:
        for value in KEYS.values():
            assert value not in text
