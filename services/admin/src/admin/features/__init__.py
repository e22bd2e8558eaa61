"""Admin features: every sub-package with a `router` is mounted (discovered, not listed)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType


def discover() -> list[ModuleType]:
    """Import every feature package, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.ispkg:
            found.append(importlib.import_module(f"{__name__}.{info.name}"))
    return found


def template_dirs() -> list[Path]:
    return sorted(p for p in Path(__file__).parent.glob("*/templates") if p.is_dir())
