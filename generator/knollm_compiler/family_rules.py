"""The data that groups models into families: `catalog/families/{rules,aliases,labs}.toml`, strictly
validated. The rules are data so that fixing a grouping never means editing scattered code."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .authored import load_authored
from .bundle_vocab import Variant
from .problems import BuildError, Problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    return value


class Rule(_Strict):
    """One rewrite of a family key."""

    pattern: str
    """Python regular expression, searched in the key."""
    replace: str = ""
    """Replacement (may use groups); empty removes the match."""
    when: str | None = None
    """Only apply when the key matches this expression."""
    why: str = Field(min_length=1)
    """The reason, for the next person."""

    _check = field_validator("pattern", "when")(lambda v: v if v is None else _compiles(v))


class ModelAlias(_Strict):
    """One provider's id that belongs to a family the rules cannot find."""

    provider: str
    id: str
    family: str
    why: str = Field(min_length=1)


class Lab(_Strict):
    """Author and openness of the families whose key matches `pattern`."""

    pattern: str
    author: str
    open_weights: bool | None = None

    _check = field_validator("pattern")(lambda v: _compiles(v))


class VariantRule(_Strict):
    """Ids matching `pattern` (lower-cased, whole id) are this variant of their family's model."""

    pattern: str
    variant: Variant
    why: str = Field(min_length=1)

    _check = field_validator("pattern")(lambda v: _compiles(v))


class VariantsFile(_Strict):
    variant: list[VariantRule] = []


class RulesFile(_Strict):
    rule: list[Rule] = []


class AliasesFile(_Strict):
    keys: dict[str, str] = {}
    model: list[ModelAlias] = []


class LabsFile(_Strict):
    lab: list[Lab] = []


class FamilyRules(_Strict):
    """All family data, loaded."""

    rules: list[Rule]
    key_aliases: dict[str, str]
    model_aliases: list[ModelAlias]
    labs: list[Lab]
    variants: list[VariantRule] = []

    @cached_property
    def compiled_variants(self) -> list[tuple[re.Pattern[str], str]]:
        return [(re.compile(v.pattern), v.variant) for v in self.variants]

    @cached_property
    def compiled(self) -> list[tuple[re.Pattern[str], str, re.Pattern[str] | None]]:
        return [(re.compile(r.pattern), r.replace, re.compile(r.when) if r.when else None) for r in self.rules]

    @cached_property
    def compiled_labs(self) -> list[tuple[re.Pattern[str], Lab]]:
        return [(re.compile(lab.pattern), lab) for lab in self.labs]

    @cached_property
    def key_memo(self) -> dict[str, str]:
        """Family key by model id, filled by `families.family_key`: calibration and family assignment both key every
        model, and the same id recurs at many providers."""
        return {}

    @cached_property
    def by_model(self) -> dict[tuple[str, str], str]:
        return {(a.provider, a.id): a.family for a in self.model_aliases}


def load_family_rules(directory: Path) -> FamilyRules:
    """Load and validate; every problem in every file is reported at once."""
    problems: list[Problem] = []
    parsed: dict[str, BaseModel] = {}
    files: tuple[tuple[str, type[BaseModel]], ...] = (
        ("rules", RulesFile), ("aliases", AliasesFile), ("labs", LabsFile), ("variants", VariantsFile))
    for name, schema in files:
        path = directory / f"{name}.toml"
        where = f"catalog/families/{name}.toml"
        if not path.exists() and not path.is_symlink():  # a broken symlink is reported, not taken for "no file"
            parsed[name] = schema()  # a catalog without family data groups nothing beyond the plain key
            continue
        loaded, found = load_authored(path, schema, where)
        problems += found
        if loaded is not None:
            parsed[name] = loaded
    if problems:
        raise BuildError(problems)
    rules, aliases, labs, variants = parsed["rules"], parsed["aliases"], parsed["labs"], parsed["variants"]
    # Each name was validated by its own schema above; the asserts narrow the mixed dict for the type checker.
    assert isinstance(rules, RulesFile) and isinstance(aliases, AliasesFile)
    assert isinstance(labs, LabsFile) and isinstance(variants, VariantsFile)
    return FamilyRules(
        rules=rules.rule,
        key_aliases=aliases.keys,
        model_aliases=aliases.model,
        labs=labs.lab,
        variants=variants.variant,
    )
