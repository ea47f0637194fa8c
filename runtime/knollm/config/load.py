"""`load_config()`: find the file, read it, apply the profile and the environment, validate, report every problem.

Which file, first match wins: the `path` argument (`--config`), `$KNOLLM_CONFIG`, `knollm.toml` (then
`.yaml`, `.yml`, `.json`) in the working directory, then the same names in the user configuration directory
(platformdirs: `~/.config/knollm/` on Linux). No file at all is an empty configuration, not an error.

Which profile: the `profile` argument (`--profile`), `$KNOLLM_PROFILE`, the file's `default_profile`. The profile's
tables are merged into the top level key by key; then `KNOLLM_*` overrides (`knollm.config.env`) are applied. Loading is
pure and cheap (no network, no catalog): a client re-reads by calling it again (`reload`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .convert import Locator, problems_from
from .env import CONFIG_VAR, PROFILE_VAR, apply_overrides
from .errors import ConfigError, Problem
from .model import ENV_PREFIX, SKIP_LITERAL_CHECK, Config, is_credential_header, is_literal_key
from .paths import KeyPath, dotted
from .sources import Source, SourceProblem, read_source

NAMES = ("knollm.toml", "knollm.yaml", "knollm.yml", "knollm.json")


@dataclass
class LoadResult:
    """Everything `knollm config check` shows: the configuration (None on errors) and every problem."""

    config: Config | None
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    profile: str | None = None
    searched: list[str] = field(default_factory=list)
    locate: Locator | None = None
    """Where a key of the resolved configuration was written (file, line, dotted key as written there)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def user_config_dir() -> Path:
    """The per-user configuration directory (`~/.config/knollm` on Linux)."""
    import platformdirs  # only when no file was named

    return Path(platformdirs.user_config_dir("knollm", appauthor=False))


def find_config(path: str | os.PathLike[str] | None, env: Mapping[str, str], cwd: Path | None = None,
                user_dir: Path | None = None) -> tuple[Path | None, list[str]]:
    """The configuration file to read, and every place looked at. Raises `ConfigError` for a named missing file."""
    named, via = (path, "the path given") if path else (env.get(CONFIG_VAR) or None, f"${CONFIG_VAR}")
    if named:
        chosen = Path(named).expanduser()
        if not chosen.is_file():
            raise ConfigError([Problem("", "an existing configuration file", "no file at that path",
                                       f"check {via}, or create the file", str(chosen))])
        return chosen, [str(chosen)]
    searched: list[str] = []
    for folder in (cwd or Path.cwd(), user_dir or user_config_dir()):
        for name in NAMES:
            candidate = folder / name
            searched.append(str(candidate))
            if candidate.is_file():
                return candidate, searched
    return None, searched


def load_config(path: str | os.PathLike[str] | None = None, profile: str | None = None,
                env: Mapping[str, str] | None = None, *, cwd: Path | None = None,
                user_dir: Path | None = None) -> Config:
    """The validated configuration; raises `ConfigError` listing every problem (warnings are not raised)."""
    result = check_config(path, profile, env, cwd=cwd, user_dir=user_dir)
    if result.errors or result.config is None:
        raise ConfigError(result.errors)
    return result.config


def reload(config: Config, env: Mapping[str, str] | None = None) -> Config:
    """A fresh `Config` from the same file and profile as `config` (the file is read again)."""
    return load_config(config.source, config.profile, env)


def check_config(path: str | os.PathLike[str] | None = None, profile: str | None = None,
                 env: Mapping[str, str] | None = None, *, cwd: Path | None = None,
                 user_dir: Path | None = None) -> LoadResult:
    """Load without raising: the configuration when it is valid, and every error and warning."""
    env = os.environ if env is None else env
    try:
        file, searched = find_config(path, env, cwd, user_dir)
        source = read_source(file) if file else Source("", {})
    except ConfigError as exc:
        return LoadResult(None, exc.problems)
    except SourceProblem as exc:
        return LoadResult(None, [exc.problem], str(file))
    return _Loader(source, env).run(profile, searched)


class _Loader:
    """One load: the file's data, the merged data, and where each merged value came from."""

    def __init__(self, source: Source, env: Mapping[str, str]) -> None:
        self.source = source
        self.env = env
        self.file = source.file or None
        self.origins: dict[KeyPath, KeyPath | str] = {}
        """Merged path -> the path in the file it came from (a profile's), or the `KNOLLM_*` variable that set it."""

    def run(self, profile: str | None, searched: list[str]) -> LoadResult:
        problems = self._validate(self.source.data, self.source_locate)
        problems += self._literal_keys_in_profiles()
        name, choice_problems = self._choose_profile(profile)
        merged = copy.deepcopy(self.source.data)
        if name is not None:
            self._merge(merged, self.source.data["profiles"][name], (), ("profiles", name))
        env_origins, env_problems = apply_overrides(merged, self.env)
        self.origins.update(env_origins)
        problems += choice_problems + env_problems + self._validate(merged, self.locate)
        problems += self._literal_keys(merged, (), merged.get("allow_literal_keys") is True, self.locate)
        problems = _unique(problems)
        result = LoadResult(None, problems, self.file, name, searched, self.locate)
        if not result.errors:
            config = Config.model_validate(merged, context={SKIP_LITERAL_CHECK: True})
            config._source, config._profile = self.file, name
            result.config = config
            result.problems += self._missing_variables(config)
        return result

    def source_locate(self, path: KeyPath) -> tuple[str | None, int | None, str]:
        return self.file, self.source.line(path), dotted(path)

    def locate(self, path: KeyPath) -> tuple[str | None, int | None, str]:
        for end in range(len(path), 0, -1):
            origin = self.origins.get(path[:end])
            if isinstance(origin, str):
                return f"${origin}", None, dotted(path)
            if origin is not None:
                return self.source_locate(origin + path[end:])
        return self.source_locate(path)

    def _validate(self, data: dict[str, Any], locate: Locator) -> list[Problem]:
        try:
            Config.model_validate(data, context={SKIP_LITERAL_CHECK: True})
        except ValidationError as exc:
            return problems_from(exc, locate)
        return []

    def _choose_profile(self, requested: str | None) -> tuple[str | None, list[Problem]]:
        data = self.source.data
        found = data.get("profiles")
        profiles: dict[str, Any] = found if isinstance(found, dict) else {}
        default = data.get("default_profile")
        if requested:
            name, via = requested, "profile=/--profile"
        elif self.env.get(PROFILE_VAR):
            name, via = self.env[PROFILE_VAR], f"${PROFILE_VAR}"
        elif isinstance(default, str):
            name, via = default, "default_profile"
        else:
            return None, []
        if isinstance(profiles.get(name), dict):
            return name, []
        known = ", ".join(sorted(profiles)) or "none defined"
        line = self.source.line(("default_profile",) if via == "default_profile" else ("profiles",))
        fix = f"choose one of them, or add [profiles.{name}]" if profiles else f"add [profiles.{name}] to the file"
        return None, [Problem("profiles", f"one of the defined profiles ({known})", f"{name!r} (chosen by {via})",
                              fix, self.file, line)]

    def _merge(self, base: dict[str, Any], patch: dict[str, Any], path: KeyPath, origin: KeyPath) -> None:
        # Tables merge key by key; everything else (lists included) replaces the top level's value.
        for key, value in patch.items():
            here = (*path, key)
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                self._merge(base[key], value, here, origin)
            else:
                base[key] = copy.deepcopy(value)
                self.origins[here] = (*origin, *here)

    def _literal_keys_in_profiles(self) -> list[Problem]:
        data = self.source.data
        profiles = data.get("profiles")
        top_allows = data.get("allow_literal_keys") is True
        problems: list[Problem] = []
        for name, profile in (profiles.items() if isinstance(profiles, dict) else ()):
            if isinstance(profile, dict):
                allowed = profile.get("allow_literal_keys")
                allows = allowed is True or (allowed is None and top_allows)
                problems += self._literal_keys(profile, ("profiles", name), allows, self.source_locate)
        return problems

    @staticmethod
    def _literal_keys(data: dict[str, Any], prefix: KeyPath, allowed: bool, locate: Locator) -> list[Problem]:
        providers = data.get("providers")
        if allowed or not isinstance(providers, dict):
            return []
        problems = []
        for pid, settings in providers.items():
            variable = f"{str(pid).upper().replace('-', '_').replace('.', '_')}_API_KEY"
            for where, what in _raw_literal_secrets(settings):
                file, line, key = locate((*prefix, "providers", pid, *where))
                problems.append(Problem(
                    key, 'an "env:NAME" reference', f"a literal {what} (value not shown)",
                    f'export {variable}=<the key> and write "env:{variable}" instead; or set '
                    "allow_literal_keys = true to accept keys in the file", file, line))
        return problems

    def _missing_variables(self, config: Config) -> list[Problem]:
        problems = []
        for pid, settings in config.providers.items():
            refs: list[tuple[tuple[str, int | str], str]] = [(("keys", i), ref) for i, ref in enumerate(settings.keys)]
            refs += [(("headers", name), value) for name, value in settings.headers.items()]
            for where, ref in refs:
                variable = ref[len(ENV_PREFIX):]
                if not is_literal_key(ref) and not self.env.get(variable):
                    file, line, key = self.locate(("providers", pid, *where))
                    problems.append(Problem(
                        key, f"environment variable {variable} to be set", "not set",
                        f"export {variable}=<the key> before calling {pid} (needed only when {pid} is used)",
                        file, line, "warning"))
        return problems


def _raw_literal_secrets(settings: object) -> list[tuple[KeyPath, str]]:
    """Literal keys and literal credential headers of one provider table, as read (before validation)."""
    if not isinstance(settings, dict):
        return []
    keys, headers = settings.get("keys"), settings.get("headers")
    found: list[tuple[KeyPath, str]] = [
        (("keys", index), "key") for index, ref in enumerate(keys if isinstance(keys, list) else [])
        if isinstance(ref, str) and is_literal_key(ref)]
    found += [(("headers", name), "credential") for name, value in (headers.items() if isinstance(headers, dict)
                                                                     else ())
              if isinstance(value, str) and is_credential_header(name) and is_literal_key(value)]
    return found


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in reading order: the file top to bottom, then environment variables."""
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            kept.append(problem)
    return sorted(kept, key=lambda p: (p.file is None, (p.file or "").startswith("$"), p.file or "", p.line or 0))
