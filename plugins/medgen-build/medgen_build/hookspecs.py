"""The hook medgen-build adds for other plugins: image transforms for ``medgen build``."""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("medgen")


@hookspec
def medgen_register_transforms(register: Any) -> None:
    """Register image transforms: ``register(name, fn, family=..., modalities=[...], input_kind=..., description=...)``.

    ``fn(image_or_volume, rng, **params)`` returns a :class:`medgen_build.transforms.Pair`.
    """
