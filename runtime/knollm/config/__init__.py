"""Knollm's configuration: `knollm.toml` (or `.json`, `.yaml`), profiles, `KNOLLM_*` overrides, key references.

Imported only by the client and by `knollm config check`, never by `import knollm`: it needs pydantic (and
PyYAML / platformdirs when a YAML file is read or the user directory is searched), from the `client` extra.

```python
from knollm.config import load_config, resolve_keys

config = load_config(profile="testing")          # ./knollm.toml, $KNOLLM_CONFIG, ... ; ConfigError lists all problems
keys = resolve_keys(config.providers["alpha"], provider_id="alpha")   # [Secret('env:ALPHA_KEY_1 (…wxyz)')]
```
"""

from .endpoint import Endpoint, endpoint, missing_settings
from .errors import ConfigError, Problem
from .keys import KeyStatus, key_statuses, missing_keys, resolve_headers, resolve_keys
from .load import LoadResult, check_config, find_config, load_config, reload
from .model import CacheSettings, Config, ModelSettings, Profile, ProviderSettings, Route
from .secret import Secret
from .watch import ConfigWatcher

__all__ = [
    "CacheSettings",
    "Config",
    "ConfigError",
    "ConfigWatcher",
    "Endpoint",
    "KeyStatus",
    "LoadResult",
    "ModelSettings",
    "Problem",
    "Profile",
    "ProviderSettings",
    "Route",
    "Secret",
    "check_config",
    "endpoint",
    "find_config",
    "key_statuses",
    "load_config",
    "missing_keys",
    "missing_settings",
    "reload",
    "resolve_headers",
    "resolve_keys",
]
