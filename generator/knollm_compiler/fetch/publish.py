"""Which fetched listings may be published: only those of providers whose file says `redistribute = true`.

The refresh workflow commits the folder this writes; a provider's raw listing never lands there unless its terms
(recorded in its provider file) allow it, and one that stopped allowing it is removed.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from ..providers import ProviderSpec
from ..snapshot_folder import discover


def publish(specs: Mapping[str, ProviderSpec], fetched: Path, target: Path) -> list[str]:
    """Copy the redistributable listings of `fetched` into `target`, remove the others from it; names copied."""
    target.mkdir(parents=True, exist_ok=True)
    allowed = {pid for pid, spec in specs.items() if spec.redistribute}
    present, _ = discover(target)
    for source in present:
        if source.provider not in allowed:
            source.path.unlink()
    copied = []
    found, _ = discover(fetched)
    for source in found:
        if source.provider in allowed and source.variant is None:
            shutil.copyfile(source.path, target / source.name)
            copied.append(source.name)
    return copied
