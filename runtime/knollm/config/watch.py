"""`ConfigWatcher`: the current configuration, re-read when its file changes.

`Config` objects are immutable, so a client swaps one reference: requests in flight keep the `Config` they
started with, new requests see the new one. A file that turns invalid is reported (`ConfigError`) and the last
good configuration stays in use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

from .load import load_config
from .model import Config


class ConfigWatcher:
    """Holds the current `Config`; `refresh()` re-reads the file when its modification time or size changed."""

    def __init__(self, path: str | os.PathLike[str] | None = None, profile: str | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._env = env
        self._profile = profile
        self._config = load_config(path, profile, env)
        self._path = self._config.source
        self._stamp = self._file_stamp()

    @property
    def config(self) -> Config:
        """The configuration in use (a plain attribute read: safe from any thread)."""
        return self._config

    def _file_stamp(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            stat = Path(self._path).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read when the file changed (or `force`); True when a new `Config` was loaded.

        Raises `ConfigError` when the changed file is invalid; the previous configuration stays in use.
        """
        with self._lock:
            stamp = self._file_stamp()
            if not force and stamp == self._stamp:
                return False
            config = load_config(self._path, self._profile, self._env)
            self._config, self._stamp = config, stamp
            return True
