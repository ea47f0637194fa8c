"""The client configuration (`knollm.config`) and `knollm config check`: every file shape, profiles, environment
overrides, every class of problem with its file, line, key and fix, and keys that never print."""

from __future__ import annotations

import copy
import json
import pickle
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from knollm.cli import main
from knollm.config import (
    Config,
    ConfigError,
    ConfigWatcher,
    ModelSettings,
    ProviderSettings,
    Secret,
    check_config,
    key_statuses,
    load_config,
    missing_keys,
    reload,
    resolve_headers,
    resolve_keys,
)
from knollm.config.endpoint import Endpoint, endpoint
from knollm.config.env import overrides
from knollm.config.sources import toml_lines
from knollm.errors import KnollmError

BUNDLE = Path(__file__).parent / "fixtures" / "runtime" / "bundle.json"
KEY_1 = "sk-test-KNOLLM-LEAK-CANARY-0001"
KEY_2 = "sk-test-KNOLLM-LEAK-CANARY-0002"
LITERAL = "sk-test-KNOLLM-LEAK-CANARY-0003"
CANARIES = (KEY_1, KEY_2, LITERAL, "LEAK-CANARY")

ISSUE_TOML = """\
[providers.alpha]                      # a catalog provider id, or a new one
base_url = "http://127.0.0.1:8101/v1"  # optional for catalog providers
api = "openai"                         # openai | anthropic | gemini; optional for catalog providers
keys = ["env:ALPHA_KEY_1", "env:ALPHA_KEY_2"]   # references; a literal key is refused unless allowed explicitly
timeout_s = 30

[models."alpha/tiny-chat"]             # a model the catalog lacks, or corrections to one it has
context_window = 8192
input_per_mtok = "0.10"
output_per_mtok = "0.40"

[routes.chat]
candidates = ["alpha/tiny-chat", "beta/tiny-chat"]
"""

PROFILES_TOML = ISSUE_TOML + """
[profiles.development.providers.alpha]
timeout_s = 5

[profiles.production.providers.alpha]
base_url = "https://api.alpha.example/v1"
keys = ["env:ALPHA_PROD_KEY"]

[profiles.production.routes.chat]
candidates = ["alpha/tiny-chat"]

[profiles.testing.models."alpha/tiny-chat"]
input_per_mtok = "0"
"""

ENV = {"ALPHA_KEY_1": KEY_1, "ALPHA_KEY_2": KEY_2}


def write(tmp_path: Path, text: str, name: str = "knollm.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path, env: dict[str, str] | None = None, profile: str | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, profile, env or {})
    return [str(p) for p in caught.value.problems]


# -- the issue's shape, and the other formats ------------------------------------------------------------------


def test_issue_toml_shape_loads_exactly(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ISSUE_TOML), env=ENV)
    alpha = config.providers["alpha"]
    assert alpha.base_url == "http://127.0.0.1:8101/v1"
    assert alpha.api == "openai"
    assert alpha.keys == ["env:ALPHA_KEY_1", "env:ALPHA_KEY_2"]
    assert alpha.timeout_s == 30
    model = config.models["alpha/tiny-chat"]
    assert model.context_window == 8192
    assert model.input_per_mtok == Decimal("0.10") and str(model.input_per_mtok) == "0.10"
    assert model.output_per_mtok == Decimal("0.40")
    assert config.routes["chat"].candidates == ["alpha/tiny-chat", "beta/tiny-chat"]
    assert config.source == str(tmp_path / "knollm.toml") and config.profile is None


def test_toml_float_price_is_read_exactly_from_its_text(tmp_path: Path) -> None:
    # The decision: a number in the file is read as a Decimal from the literal text, so 0.1 is exactly 0.1.
    text = '[models."alpha/m"]\ninput_per_mtok = 0.1\noutput_per_mtok = 1e-1\ncache_read_per_mtok = 3\n'
    model = load_config(write(tmp_path, text), env={}).models["alpha/m"]
    assert model.input_per_mtok == Decimal("0.1") and isinstance(model.input_per_mtok, Decimal)
    assert model.output_per_mtok == Decimal("0.1")
    assert model.cache_read_per_mtok == Decimal(3)


def test_python_float_price_is_refused() -> None:
    with pytest.raises(ValueError, match="not a float"):
        ModelSettings(input_per_mtok=0.1)  # type: ignore[arg-type]
    assert ModelSettings(input_per_mtok="0.1").input_per_mtok == Decimal("0.1")  # type: ignore[arg-type]


@pytest.mark.parametrize("name, text", [
    ("knollm.json", json.dumps({
        "providers": {"alpha": {"base_url": "http://127.0.0.1:8101/v1", "api": "openai",
                                "keys": ["env:ALPHA_KEY_1", "env:ALPHA_KEY_2"], "timeout_s": 30}},
        "models": {"alpha/tiny-chat": {"context_window": 8192, "input_per_mtok": 0.10, "output_per_mtok": "0.40"}},
        "routes": {"chat": {"candidates": ["alpha/tiny-chat", "beta/tiny-chat"]}}}, indent=2)),
    ("knollm.yaml", """\
providers:
  alpha:
    base_url: http://127.0.0.1:8101/v1
    api: openai
    keys: ["env:ALPHA_KEY_1", "env:ALPHA_KEY_2"]
    timeout_s: 30
models:
  alpha/tiny-chat:
    context_window: 8192
    input_per_mtok: 0.10
    output_per_mtok: "0.40"
routes:
  chat:
    candidates: [alpha/tiny-chat, beta/tiny-chat]
"""),
])
def test_json_and_yaml_have_the_same_shape(tmp_path: Path, name: str, text: str) -> None:
    json_or_yaml = load_config(write(tmp_path, text, name), env=ENV)
    toml = load_config(write(tmp_path, ISSUE_TOML), env=ENV)
    assert json_or_yaml.model_dump() == toml.model_dump()
    assert json_or_yaml.models["alpha/tiny-chat"].input_per_mtok == Decimal("0.10")


@pytest.mark.parametrize("name, text, line", [
    ("knollm.json", '{\n  "providers": {\n    "alpha": {\n      "timeout_s": -1\n    }\n  }\n}\n', 4),
    ("knollm.yaml", "providers:\n  alpha:\n    api: openai\n    timeout_s: -1\n", 4),
    ("knollm.toml", "[providers.alpha]\napi = 'openai'\n\ntimeout_s = -1\n", 4),
])
def test_problem_lines_in_every_format(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = write(tmp_path, text, name)
    assert problems_of(path) == [f"{path}:{line}: providers.alpha.timeout_s: expected a number > 0, got -1 "
                                 "(fix: write it like timeout_s = 30)"]


# -- where the file comes from ---------------------------------------------------------------------------------


def test_search_order(tmp_path: Path) -> None:
    cwd, user = tmp_path / "cwd", tmp_path / "user"
    cwd.mkdir()
    user.mkdir()
    named = write(tmp_path, "[routes.named]\ncandidates = ['a/b']\n", "named.toml")
    write(user, "routes:\n  user:\n    candidates: [a/b]\n", "knollm.yaml")
    assert set(load_config(env={}, cwd=cwd, user_dir=user).routes) == {"user"}
    write(cwd, "[routes.cwd]\ncandidates = ['a/b']\n")
    assert set(load_config(env={}, cwd=cwd, user_dir=user).routes) == {"cwd"}
    assert set(load_config(env={"KNOLLM_CONFIG": str(named)}, cwd=cwd, user_dir=user).routes) == {"named"}
    explicit = write(tmp_path, "[routes.explicit]\ncandidates = ['a/b']\n", "explicit.toml")
    assert set(load_config(explicit, env={"KNOLLM_CONFIG": str(named)}, cwd=cwd).routes) == {"explicit"}


def test_no_file_is_an_empty_configuration(tmp_path: Path) -> None:
    result = check_config(env={}, cwd=tmp_path, user_dir=tmp_path / "none")
    assert result.config == Config() and result.source is None and not result.problems
    assert str(tmp_path / "knollm.toml") in result.searched


def test_named_file_that_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert problems_of(missing) == [f"{missing}: expected an existing configuration file, got no file at that path "
                                    "(fix: check the path given, or create the file)"]
    with pytest.raises(ConfigError, match=r"check \$KNOLLM_CONFIG"):
        load_config(env={"KNOLLM_CONFIG": str(missing)})


@pytest.mark.parametrize("name, text, expected", [
    ("knollm.toml", "[providers.alpha\n", r"knollm.toml:1: expected valid TOML, got .* \(fix: correct the TOML"),
    ("knollm.json", '{"providers": }', r"knollm.json:1: expected valid JSON, got Expecting value"),
    ("knollm.yaml", "providers:\n  alpha: [\n", r"knollm.yaml:3: expected valid YAML"),
    ("knollm.yaml", "- a\n- b\n", r"knollm.yaml:1: expected a YAML mapping at the top level .*, got a list"),
    ("knollm.ini", "x", r"knollm.ini: expected a .toml, .json, .yaml or .yml file, got .ini"),
])
def test_unreadable_files(tmp_path: Path, name: str, text: str, expected: str) -> None:
    (message,) = problems_of(write(tmp_path, text, name))
    assert re.search(expected, message), message


def test_toml_line_scan() -> None:
    lines = toml_lines('a = 1\n[providers."x.y"]\n# c\nkeys = [\n  "env:A",\n]\nsub.key = 2\n[[arr]]\nz = 3\n')
    assert lines[("a",)] == 1
    assert lines[("providers", "x.y")] == 2
    assert lines[("providers", "x.y", "keys")] == 4
    assert lines[("providers", "x.y", "sub", "key")] == 7
    assert lines[("arr", 0, "z")] == 9 and lines[("arr",)] == 8  # arrays of tables are numbered, as pydantic does


# -- problems: every class, all at once ------------------------------------------------------------------------


BAD_TOML = """\
[providers.alpha]
base_url = "127.0.0.1:8101/v1"
api = "opnai"
keys = ["env:9BAD"]
timeout = 30

[providers.Bad_Id]

[models."tiny-chat"]
context_window = -5
input_per_mtok = "abc"

[models."alpha/m"]
output_per_mtok = "-1"
context_window = "big"

[routes.chat]
candidates = []

[routes.other]

[profiles.production.providers.alpha]
timeout_s = "fast"

[unknown]
"""


def test_every_problem_is_reported_with_file_line_key_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, BAD_TOML)
    got = [m.removeprefix(f"{path}:") for m in problems_of(path)]
    assert got == [
        '2: providers.alpha.base_url: expected an http:// or https:// URL, got "127.0.0.1:8101/v1" '
        '(fix: write it like base_url = "https://api.example.com/v1")',
        "3: providers.alpha.api: expected one of 'openai', 'anthropic' or 'gemini', got \"opnai\" "
        '(fix: write it like api = "openai")',
        "4: providers.alpha.keys[0]: expected an environment variable name after env: (letters, digits and _), "
        'got a string (value not shown) (fix: write it like keys = ["env:ALPHA_API_KEY"])',
        "5: providers.alpha.timeout: expected one of base_url, api, keys, timeout_s, auth_header, headers, "
        "models_path, got unknown key 'timeout' (fix: did you mean timeout_s?)",
        "7: providers.Bad_Id: expected a provider id (lowercase letters, digits, '-', '.', '_'), got \"Bad_Id\" "
        "(fix: rename the table, e.g. [providers.alpha])",
        '9: models.tiny-chat: expected a global model id provider/model-id, got "tiny-chat" '
        '(fix: name the table [models."<provider>/<model-id>"])',
        "10: models.tiny-chat.context_window: expected a number > 0, got -5 (fix: write it like context_window = 8192)",
        '11: models.tiny-chat.input_per_mtok: expected a valid decimal, got "abc" '
        '(fix: write it like input_per_mtok = "0.10")',
        '14: models."alpha/m".output_per_mtok: expected a number >= 0, got "-1" '
        '(fix: write it like output_per_mtok = "0.40")',
        '15: models."alpha/m".context_window: expected a valid integer, got "big" '
        "(fix: write it like context_window = 8192)",
        "18: routes.chat.candidates: expected at least one entry, got an empty list "
        '(fix: write it like candidates = ["alpha/tiny-chat", "beta/tiny-chat"])',
        "20: routes.other.candidates: expected a value, got nothing "
        '(fix: add candidates = ["alpha/tiny-chat", "beta/tiny-chat"])',
        '23: profiles.production.providers.alpha.timeout_s: expected a valid number, got "fast" '
        "(fix: write it like timeout_s = 30)",
        "25: unknown: expected one of providers, models, routes, profiles, default_profile, allow_literal_keys, "
        "got unknown key 'unknown' (fix: remove it or check its spelling)",
    ]


def test_config_error_is_a_knollm_error_listing_all(tmp_path: Path) -> None:
    with pytest.raises(KnollmError) as caught:
        load_config(write(tmp_path, BAD_TOML), env={})
    assert isinstance(caught.value, ConfigError)
    text = str(caught.value)
    assert text.startswith("14 problems in the Knollm configuration:\n")
    assert caught.value.__cause__ is None and caught.value.__context__ is None  # no pydantic error chained


# -- profiles --------------------------------------------------------------------------------------------------


def test_profiles_inherit_and_merge_key_by_key(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILES_TOML)
    top = load_config(path, env=ENV)
    dev = load_config(path, "development", ENV)
    prod = load_config(path, env={**ENV, "KNOLLM_PROFILE": "production"})
    test = load_config(path, "testing", ENV)
    assert top.providers["alpha"].timeout_s == 30
    assert dev.profile == "development"
    assert dev.providers["alpha"].timeout_s == 5
    assert dev.providers["alpha"].base_url == "http://127.0.0.1:8101/v1"  # inherited
    assert prod.providers["alpha"].base_url == "https://api.alpha.example/v1"
    assert prod.providers["alpha"].keys == ["env:ALPHA_PROD_KEY"]  # a list replaces the top level's
    assert prod.providers["alpha"].timeout_s == 30
    assert prod.routes["chat"].candidates == ["alpha/tiny-chat"]
    assert test.models["alpha/tiny-chat"].input_per_mtok == Decimal(0)
    assert test.models["alpha/tiny-chat"].context_window == 8192


def test_profile_argument_wins_over_env_and_default(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_profile = "testing"\n' + PROFILES_TOML)
    assert load_config(path, env=ENV).profile == "testing"
    assert load_config(path, env={**ENV, "KNOLLM_PROFILE": "production"}).profile == "production"
    assert load_config(path, "development", {**ENV, "KNOLLM_PROFILE": "production"}).profile == "development"


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILES_TOML)
    assert problems_of(path, profile="staging") == [
        f"{path}:15: profiles: expected one of the defined profiles (development, production, testing), got "
        "'staging' (chosen by profile=/--profile) (fix: choose one of them, or add [profiles.staging])"]
    (message,) = problems_of(write(tmp_path, ISSUE_TOML), env={"KNOLLM_PROFILE": "prod"})
    assert "none defined" in message and "$KNOLLM_PROFILE" in message


def test_profile_problem_points_at_the_profile_line(tmp_path: Path) -> None:
    path = write(tmp_path, ISSUE_TOML + "\n[profiles.production.providers.alpha]\napi = 'grpc'\n")
    assert problems_of(path, profile="production") == [
        f"{path}:16: profiles.production.providers.alpha.api: expected one of 'openai', 'anthropic' or 'gemini', "
        "got \"grpc\" (fix: write it like api = \"openai\")"]


# -- environment overrides -------------------------------------------------------------------------------------


def test_env_overrides(tmp_path: Path) -> None:
    text = ISSUE_TOML + '\n[providers.together-ai]\napi = "openai"\n'
    env = {**ENV, "KNOLLM_PROVIDERS__ALPHA__BASE_URL": "http://127.0.0.1:9999/v1",
           "KNOLLM_PROVIDERS__ALPHA__TIMEOUT_S": "2.5",
           "KNOLLM_PROVIDERS__ALPHA__KEYS": "env:OTHER_1, env:OTHER_2",
           "KNOLLM_PROVIDERS__TOGETHER_AI__TIMEOUT_S": "7",
           "KNOLLM_PROVIDERS__BETA__BASE_URL": "http://127.0.0.1:8102/v1",
           "KNOLLM_MODELS__ALPHA_TINY_CHAT__INPUT_PER_MTOK": "0.125",
           "KNOLLM_ROUTES__CHAT__CANDIDATES": '["beta/tiny-chat"]',
           "KNOLLM_ALLOW_LITERAL_KEYS": "false",
           "KNOLLM_BUNDLE": "/elsewhere/catalog.json"}  # not an override: it belongs to the catalog
    config = load_config(write(tmp_path, text), env=env)
    alpha = config.providers["alpha"]
    assert alpha.base_url == "http://127.0.0.1:9999/v1" and alpha.timeout_s == 2.5
    assert alpha.keys == ["env:OTHER_1", "env:OTHER_2"]
    assert config.providers["together-ai"].timeout_s == 7
    assert config.providers["beta"].base_url == "http://127.0.0.1:8102/v1"
    assert config.models["alpha/tiny-chat"].input_per_mtok == Decimal("0.125")
    assert config.routes["chat"].candidates == ["beta/tiny-chat"]


def test_env_overrides_win_over_profiles(tmp_path: Path) -> None:
    env = {**ENV, "KNOLLM_PROVIDERS__ALPHA__TIMEOUT_S": "9"}
    assert load_config(write(tmp_path, PROFILES_TOML), "development", env).providers["alpha"].timeout_s == 9


def test_env_override_problems_name_the_variable(tmp_path: Path) -> None:
    env = {"KNOLLM_PROVIDERS__ALPHA__TIMEOUT_S": "soon", "KNOLLM_PROVIDER__ALPHA__API": "openai",
           "KNOLLM_ROUTES__CHAT__CANDIDATES": "[not json"}
    assert problems_of(write(tmp_path, ISSUE_TOML), env) == [
        '$KNOLLM_PROVIDERS__ALPHA__TIMEOUT_S: providers.alpha.timeout_s: expected a valid number, got "soon" '
        "(fix: write it like timeout_s = 30)",
        "$KNOLLM_PROVIDER__ALPHA__API: expected KNOLLM_<FIELD>__<KEY>… with FIELD one of PROVIDERS, MODELS, ROUTES, "
        "DEFAULT_PROFILE, ALLOW_LITERAL_KEYS, got KNOLLM_PROVIDER__ALPHA__API (fix: rename or unset the variable "
        "(see the configuration reference))",
        "$KNOLLM_ROUTES__CHAT__CANDIDATES: routes.chat.candidates: expected valid JSON after [ or {, got text that "
        "is not JSON (fix: write a JSON list or table, or a comma-separated list)",
    ]


def test_which_variables_are_overrides() -> None:
    env = {"KNOLLM_CONFIG": "x", "KNOLLM_PROFILE": "x", "KNOLLM_BUNDLE": "x", "KNOLLM_SITE_URL": "x",
           "KNOLLM_ROUTES__A__CANDIDATES": "a/b", "KNOLLM_X__Y": "1", "OTHER__A": "1"}
    assert [name for name, _, _ in overrides(env)] == ["KNOLLM_ROUTES__A__CANDIDATES", "KNOLLM_X__Y"]


# -- keys ------------------------------------------------------------------------------------------------------


def test_literal_keys_are_refused_without_printing_them(tmp_path: Path) -> None:
    text = f'[providers.alpha]\napi = "openai"\nkeys = ["env:ALPHA_KEY_1", "{LITERAL}"]\n' \
           f'[profiles.ci.providers.beta]\nkeys = ["{LITERAL}"]\n'
    path = write(tmp_path, text)
    messages = problems_of(path, ENV)
    assert messages == [
        f'{path}:3: providers.alpha.keys[1]: expected an "env:NAME" reference, got a literal key (value not shown) '
        '(fix: export ALPHA_API_KEY=<the key> and write "env:ALPHA_API_KEY" instead; or set allow_literal_keys = '
        "true to accept keys in the file)",
        f'{path}:5: profiles.ci.providers.beta.keys[0]: expected an "env:NAME" reference, got a literal key (value '
        'not shown) (fix: export BETA_API_KEY=<the key> and write "env:BETA_API_KEY" instead; or set '
        "allow_literal_keys = true to accept keys in the file)"]
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=ENV)
    assert LITERAL not in str(caught.value) and LITERAL not in repr(caught.value)


def test_credential_headers_are_references_too(tmp_path: Path) -> None:
    text = ('[providers.alpha]\napi = "openai"\nbase_url = "http://127.0.0.1:1/v1"\n'
            f'headers = {{ "anthropic-version" = "2023-06-01", Authorization = "Bearer {LITERAL}" }}\n')
    path = write(tmp_path, text)
    (message,) = problems_of(path)
    assert message.startswith(f'{path}:4: providers.alpha.headers.Authorization: expected an "env:NAME" reference, '
                              "got a literal credential (value not shown)")
    assert LITERAL not in message
    config = load_config(write(tmp_path, text.replace(f"Bearer {LITERAL}", "env:ALPHA_AUTH")), env={})
    settings = config.providers["alpha"]
    assert missing_keys(settings, {}) == ["env:ALPHA_AUTH"]
    headers = resolve_headers(settings, {"ALPHA_AUTH": f"Bearer {KEY_1}"})
    assert headers["anthropic-version"] == "2023-06-01"
    secret = headers["Authorization"]
    assert isinstance(secret, Secret) and secret.reveal() == f"Bearer {KEY_1}" and KEY_1 not in repr(headers)
    assert "Authorization" not in resolve_headers(settings, {})
    result = check_config(tmp_path / "knollm.toml", env={})
    assert [w.key for w in result.warnings] == ["providers.alpha.headers.Authorization"]


def test_literal_keys_allowed_explicitly_are_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, f'allow_literal_keys = true\n[providers.alpha]\napi = "openai"\nkeys = ["{LITERAL}"]\n')
    config = load_config(path, env={})
    (secret,) = resolve_keys(config.providers["alpha"], {}, provider_id="alpha")
    assert secret.reveal() == LITERAL
    assert secret.tail is None and "0003" not in repr(secret) and "0003" not in str(secret)
    assert repr(secret) == "Secret('literal:alpha#1 (…)')"
    assert key_statuses(config.providers["alpha"], {}, provider_id="alpha")[0].describe() == "literal:alpha#1 (hidden)"


def test_literal_keys_in_a_config_built_in_python() -> None:
    with pytest.raises(ValueError) as caught:
        Config(providers={"alpha": ProviderSettings(keys=[LITERAL])})
    assert LITERAL not in str(caught.value)
    assert Config(providers={"alpha": ProviderSettings(keys=[LITERAL])}, allow_literal_keys=True)


def test_resolve_keys_and_missing_ones() -> None:
    settings = ProviderSettings(keys=["env:ALPHA_KEY_1", "env:ALPHA_KEY_2", "env:ALPHA_KEY_3"])
    env = {"ALPHA_KEY_1": KEY_1, "ALPHA_KEY_3": "short"}
    found = resolve_keys(settings, env)
    assert [s.alias for s in found] == ["env:ALPHA_KEY_1", "env:ALPHA_KEY_3"]
    assert [s.reveal() for s in found] == [KEY_1, "short"]
    assert repr(found[0]) == "Secret('env:ALPHA_KEY_1 (…0001)')" and str(found[1]) == "env:ALPHA_KEY_3 (…)"
    assert missing_keys(settings, env) == ["env:ALPHA_KEY_2"]
    assert [k.describe() for k in key_statuses(settings, env)] == [
        "env:ALPHA_KEY_1 (…0001)", "env:ALPHA_KEY_2 (not set)", "env:ALPHA_KEY_3 (hidden)"]


def test_secret_never_leaves_except_by_reveal() -> None:
    secret = Secret(KEY_1, "env:ALPHA_KEY_1")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret]), repr({"k": secret})]
    assert not any(KEY_1 in text for text in shown)
    assert copy.deepcopy(secret) is secret and secret == Secret(KEY_1, "env:OTHER")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)


def test_missing_variable_is_a_warning_not_an_error(tmp_path: Path) -> None:
    result = check_config(write(tmp_path, ISSUE_TOML), env={"ALPHA_KEY_1": KEY_1})
    assert result.config is not None and not result.errors
    assert [str(w) for w in result.warnings] == [
        f"{tmp_path / 'knollm.toml'}:4: providers.alpha.keys[1]: expected environment variable ALPHA_KEY_2 to be "
        "set, got not set (fix: export ALPHA_KEY_2=<the key> before calling alpha (needed only when alpha is used))"]


# -- effective endpoints -------------------------------------------------------------------------------------


def test_endpoint_merges_configuration_over_the_catalog() -> None:
    from knollm import Catalog

    acme = Catalog.load(BUNDLE).provider("acme")
    assert endpoint("acme", None, acme) == Endpoint("acme", "https://api.acme.example/v1", "openai", "bearer",
                                                    ("env:ACME_API_KEY",), 60.0, "/models", {}, "catalog")
    own = ProviderSettings(base_url="http://127.0.0.1:8101/v1/", keys=["env:MINE"], timeout_s=5)
    found = endpoint("acme", own, acme)
    assert isinstance(found, Endpoint) and found.source == "both"
    assert (found.base_url, found.keys, found.timeout_s) == ("http://127.0.0.1:8101/v1", ("env:MINE",), 5)
    new = ProviderSettings(base_url="http://127.0.0.1:8101/v1", api="anthropic", auth_header="x-api-key")
    assert endpoint("newco", new, None) == Endpoint("newco", "http://127.0.0.1:8101/v1", "anthropic", "x-api-key",
                                                    (), 60.0, "/models", {}, "config")
    assert endpoint("newco", ProviderSettings(api="openai"), None) == "newco needs base_url in [providers.newco]"
    assert "neither in the catalog" in str(endpoint("ghost", None, None))


# -- reload ----------------------------------------------------------------------------------------------------


def test_reload_and_watcher(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILES_TOML)
    first = load_config(path, "development", ENV)
    path.write_text(PROFILES_TOML.replace("timeout_s = 5", "timeout_s = 6"))
    again = reload(first, ENV)
    assert again.providers["alpha"].timeout_s == 6 and again.profile == "development"
    assert first.providers["alpha"].timeout_s == 5  # the old one is untouched (immutable)

    watcher = ConfigWatcher(path, "development", ENV)
    before = watcher.config
    assert watcher.refresh() is False and watcher.config is before
    path.write_text(PROFILES_TOML.replace("timeout_s = 5", "timeout_s = 7") + "\n# changed\n")
    assert watcher.refresh() is True and watcher.config.providers["alpha"].timeout_s == 7
    path.write_text("[providers.alpha]\ntimeout_s = 0\n# broken, and longer than before\n")
    with pytest.raises(ConfigError):
        watcher.refresh()
    assert watcher.config.providers["alpha"].timeout_s == 7  # the last good one stays


def test_config_is_immutable(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ISSUE_TOML), env=ENV)
    with pytest.raises(ValueError):
        config.allow_literal_keys = True  # type: ignore[misc]


# -- knollm config check ---------------------------------------------------------------------------------------


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--bundle", str(BUNDLE), "config", "check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def check_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("KNOLLM_CONFIG", "KNOLLM_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALPHA_KEY_1", KEY_1)
    monkeypatch.setenv("ALPHA_PROD_KEY", KEY_2)
    monkeypatch.delenv("ALPHA_KEY_2", raising=False)
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, PROFILES_TOML)


def assert_no_canary(*outputs: str) -> None:
    for text in outputs:
        for canary in CANARIES:
            assert canary not in text


def test_config_check_prints_the_resolved_configuration(check_env: Path, capsys: pytest.CaptureFixture[str],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    code, out, err = run_check(capsys, "--profile", "production")
    assert code == 0 and err == ""
    assert f"file          {check_env}" in out and "profile       production" in out
    assert "env:ALPHA_PROD_KEY (…0002)" in out and "https://api.alpha.example/v1" in out
    assert "alpha/tiny-chat    8,192" in out and "$0.10/M" in out
    assert "chat   alpha/tiny-chat" in out
    code, out, err = run_check(capsys)
    assert "env:ALPHA_KEY_1 (…0001), env:ALPHA_KEY_2 (not set)" in out
    assert "warning: " in out and "ALPHA_KEY_2 to be set" in out
    assert "routes.chat.candidates[1]: expected a model or family" in out  # beta/tiny-chat: no one serves it
    assert_no_canary(out, err, caplog.text)


def test_config_check_json(check_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_check(capsys, "--json", "--config", str(check_env))
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["file"] == str(check_env)
    assert data["config"]["providers"]["alpha"]["keys"] == [
        {"ref": "env:ALPHA_KEY_1", "set": True, "tail": "0001"}, {"ref": "env:ALPHA_KEY_2", "set": False, "tail": None}]
    assert data["config"]["models"]["alpha/tiny-chat"]["input_per_mtok"] == "0.10"
    assert [p["severity"] for p in data["problems"]] == ["warning", "warning"]
    assert_no_canary(out, err)


def test_config_check_errors_exit_1_one_line_each(check_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(check_env.parent, BAD_TOML.replace('"env:9BAD"', f'"{LITERAL}", "env:9BAD"'), "bad.toml")
    code, out, err = run_check(capsys, "--config", str(bad))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 15 and all(line.startswith(f"knollm: error: {bad}:") for line in lines)
    assert "Traceback" not in err
    code, out, err = run_check(capsys, "--config", str(bad), "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["config"] is None and len(data["problems"]) == 15
    assert_no_canary(out, err)


def test_config_check_shows_header_names_only(check_env: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPHA_AUTH", f"Bearer {KEY_1}")
    path = write(check_env.parent, ISSUE_TOML.replace("timeout_s = 30", 'timeout_s = 30\nheaders = { '
                 '"X-Api-Key" = "env:ALPHA_AUTH", "anthropic-version" = "2023-06-01" }'), "headers.toml")
    code, out, err = run_check(capsys, "--config", str(path))
    assert code == 0 and "X-Api-Key, anthropic-version" in out and "2023-06-01" not in out
    code, out, err = run_check(capsys, "--config", str(path), "--json")
    assert json.loads(out)["config"]["providers"]["alpha"]["header_names"] == ["X-Api-Key", "anthropic-version"]
    assert_no_canary(out, err)


def test_config_check_catalog_problems(check_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(check_env.parent, '[providers.newco]\nkeys = ["env:NEWCO_KEY"]\n', "new.toml")
    code, _, err = run_check(capsys, "--config", str(path))
    assert code == 1
    assert f"knollm: error: {path}:1: providers.newco: expected api and base_url for newco, which the catalog " \
           "does not know, got nothing (fix: add api and base_url to [providers.newco])" in err


def test_config_check_unknown_profile_and_missing_file(check_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_check(capsys, "--profile", "staging")
    assert code == 1 and "development, production, testing" in err and "Traceback" not in err
    code, _, err = run_check(capsys, "--config", "missing.toml")
    assert code == 1 and err.startswith("knollm: error: missing.toml: expected an existing configuration file")


def test_config_check_subprocess_never_prints_keys(check_env: Path) -> None:
    # The real entry point, with the keys in the environment: nothing it writes may contain them.
    env = {"ALPHA_KEY_1": KEY_1, "ALPHA_KEY_2": KEY_2, "PATH": "/usr/bin:/bin", "KNOLLM_BUNDLE": str(BUNDLE)}
    for args in ([], ["--json"], ["--profile", "testing"], ["--profile", "nope"]):
        done = subprocess.run([sys.executable, "-m", "knollm", "config", "check", *args], capture_output=True,
                              text=True, env=env, cwd=check_env.parent, timeout=60)
        assert done.returncode == (1 if "nope" in args else 0), done.stderr
        assert_no_canary(done.stdout, done.stderr)


def test_import_knollm_does_not_load_the_configuration() -> None:
    code = ("import sys, knollm, knollm.cli; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'pydantic', 'yaml', 'platformdirs'} "
            "or m.startswith('knollm.config')); print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_configuration_reference_page_lists_every_key() -> None:
    from markupsafe import Markup

    from knollm_site import configdoc
    from knollm_site.page_render import Renderer

    tables = configdoc.tables()
    notes = {name: Markup(text) for name, text in configdoc.notes().items()}
    page = Renderer().render("config_format.md.j2", "reference/configuration.md", tables=tables, notes=notes)
    for model in (Config, ProviderSettings, ModelSettings):
        for name in model.model_fields:
            assert f"| <code>{name.replace('_', '&#95;')}</code> |" in page
    assert "## The top level" in page and "## <code>&#91;models.&quot;&lt;provider&gt;" in page
    assert "<code>KNOLLM&#95;PROVIDERS&#95;&#95;&lt;ID&gt;&#95;&#95;BASE&#95;URL</code>" in page
    assert "- `KNOLLM_CONFIG` (the file)" in page  # the override rule, from knollm.config.env, as a list
