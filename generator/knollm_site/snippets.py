""""How to call it" snippets for a provider page, built only from values that are safe to paste into a shell
or a Python file: URLs are single-quoted (`shlex.quote`), environment variable and header names must match
strict patterns, Python literals are `repr()`s. A value that fails a check leaves its snippet out."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from knollm import Model, Provider

from .escape import collapse, safe_url

_UNSAFE_IN_URL = re.compile(r"[\s\"'<>`\\]")
_ENV_VAR = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_HEADER = re.compile(r"^[A-Za-z0-9-]+$")
_HEADER_STYLES = {
    "bearer": ("Authorization", "Bearer "),
    "token": ("Authorization", "Token "),
    "authorization-raw": ("Authorization", ""),
    "x-api-key": ("x-api-key", ""),
    "api-key": ("api-key", ""),
    "x-goog-api-key": ("x-goog-api-key", ""),
}
_AUTH_TEXT = {
    "bearer": "an `Authorization: Bearer <key>` header",
    "token": "an `Authorization: Token <key>` header",
    "authorization-raw": "the bare key in the `Authorization` header",
    "x-api-key": "an `x-api-key` header",
    "api-key": "an `api-key` header",
    "x-goog-api-key": "an `x-goog-api-key` header",
    "custom": "a provider-specific header",
    "aws-sigv4": "AWS Signature Version 4 request signing (use an AWS SDK)",
    "google-oauth": "a Google Cloud OAuth access token (`gcloud auth print-access-token`)",
    "none": "no authentication",
}


@dataclass(frozen=True)
class Snippets:
    """What the provider page shows under "How to call it"."""

    auth_text: str | None
    env_var: str | None
    list_models: str | None
    python: str | None
    python_sdk: str | None
    placeholders: bool


def auth_text(provider: Provider) -> str | None:
    """How the key is sent, in words (trusted text from this module, keyed by the closed `header` vocabulary)."""
    return _AUTH_TEXT.get(provider.auth.header) if provider.auth else None


def _env_var(provider: Provider) -> str | None:
    name = provider.auth.env_var if provider.auth else None
    return name if name and _ENV_VAR.match(name) else None


def _header(provider: Provider, env_var: str | None) -> str | None:
    """The curl `-H` argument, or None when no header is needed or it cannot be written safely."""
    auth = provider.auth
    if auth is None or env_var is None:
        return None
    if auth.header == "google-oauth":
        return '"Authorization: Bearer $(gcloud auth print-access-token)"'
    if auth.header == "custom":
        name = auth.header_name if auth.header_name and _HEADER.match(auth.header_name) else None
        return f'"{name}: ${env_var}"' if name else None
    style = _HEADER_STYLES.get(auth.header)
    return f'"{style[0]}: {style[1]}${env_var}"' if style else None


def snippets(provider: Provider, example: Model | None) -> Snippets:
    """The snippets for `provider`; `example` is the model the Python snippet calls."""
    env_var = _env_var(provider)
    base = plain_url(provider.base_url)
    listing = None
    if base and provider.models_path and (path := plain_url(base.rstrip("/") + "/" + provider.models_path.lstrip("/"))):
        header = _header(provider, env_var)
        needs_header = provider.auth is not None and provider.auth.header != "none"
        if header or not needs_header:
            listing = "curl " + (f"-H {header} " if header else "") + shlex.quote(path)
    python = sdk = None
    if base and env_var and example is not None:
        model_id = repr(example.model_id)
        if provider.api_kind == "openai":
            python = _openai_snippet(base, env_var, model_id)
            sdk = "openai"
        elif provider.api_kind == "anthropic":
            python = _anthropic_snippet(env_var, model_id)
            sdk = "anthropic"
    return Snippets(auth_text(provider), env_var, listing, python, sdk, bool(base and "{" in base))


def plain_url(url: str | None) -> str | None:
    """An http(s) URL without whitespace, quotes, angle brackets, backticks or backslashes, else None."""
    if not url:
        return None
    text = collapse(url)
    if _UNSAFE_IN_URL.search(text) or safe_url(text) is None:
        return None
    return text


def _openai_snippet(base: str, env_var: str, model_id: str) -> str:
    return "\n".join([
        "import os",
        "",
        "from openai import OpenAI",
        "",
        f"client = OpenAI(base_url={base!r}, api_key=os.environ[{env_var!r}])",
        "reply = client.chat.completions.create(",
        f"    model={model_id},",
        '    messages=[{"role": "user", "content": "Say hello in five words."}],',
        ")",
        "print(reply.choices[0].message.content)",
    ])


def _anthropic_snippet(env_var: str, model_id: str) -> str:
    return "\n".join([
        "import os",
        "",
        "import anthropic",
        "",
        f"client = anthropic.Anthropic(api_key=os.environ[{env_var!r}])",
        "reply = client.messages.create(",
        f"    model={model_id},",
        "    max_tokens=256,",
        '    messages=[{"role": "user", "content": "Say hello in five words."}],',
        ")",
        "print(reply.content[0].text)",
    ])
