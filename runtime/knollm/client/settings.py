"""The client's configuration: a path, a `Config`, or None (then the search `knollm.config.load_config` does).

The configuration package needs pydantic; it is imported here, when a client is made, never by `import knollm`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Union

from ..errors import InvalidArgument

if TYPE_CHECKING:
    from ..config import Config

ConfigInput = Union[str, os.PathLike[str], "Config", None]  # Union: "Config" is a forward reference
"""What `Client(config=...)` accepts."""


def load_settings(config: ConfigInput, profile: str | None, env: Mapping[str, str] | None) -> Config:
    """The configuration to use; `ConfigError` lists every problem of a file."""
    from ..config import Config, load_config

    if isinstance(config, Config):
        if profile is not None:
            raise InvalidArgument("profile= applies to a configuration file; pass config= as a path instead")
        return config
    return load_config(config, profile, env)


def reload_settings(config: Config, env: Mapping[str, str] | None) -> Config:
    """The same file and profile read again (a configuration built in code stays as it is)."""
    from ..config import reload

    return reload(config, env) if config.source else config
