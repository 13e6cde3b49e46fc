"""The transform registry: every transform any plugin registered through ``medgen_register_transforms``."""

from __future__ import annotations

from typing import Any

from medgen_core import registered

TRANSFORM_HOOK = "medgen_register_transforms"


def transform_registry() -> dict[str, dict[str, Any]]:
    """name -> {"fn", "plugin", family, modalities, ...} for every transform any plugin registered."""
    return {
        name: {"fn": r.value, "plugin": r.plugin, **r.info}
        for name, r in registered(TRANSFORM_HOOK, "transform").items()
    }
