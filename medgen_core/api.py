"""What plugins may call in the core besides the public types: find what other plugins registered.

``medgen_core`` re-exports these; plugins use them instead of the plugin host.
"""

from __future__ import annotations

from typing import Any

from medgen_core.types import MedgenError, Model, ModelInfo


def registered(hook: str, kind: str) -> dict[str, Any]:
    """name -> :class:`~medgen_core.plugins.Registered` for a hook a plugin added (``medgen_add_hookspecs``).

    ``kind`` names one registration in messages ("transform"). A name two plugins registered is an error
    naming both, unless overriding is allowed.
    """
    from medgen_core.plugins import NameClash, get_host

    registry = get_host().registry(hook, kind)
    if registry.clashes:
        raise NameClash("; ".join(registry.clashes.values()))
    return dict(registry.items)


def model_info(name: str) -> ModelInfo:
    """A registered model's registration (capabilities, plugin, factory) by name, without building it."""
    from medgen_core.plugins import get_host

    return get_host().model(name)


def load_model(name: str, **model_args: Any) -> Model:
    """Build a registered model by name (case-insensitive) with its arguments, as ``--model``/``--model_args`` do."""
    from medgen_core.calls import build
    from medgen_core.plugins import get_host

    info = get_host().model(name)
    model = build("model", info.name, info.factory, model_args, "model arguments")
    if not callable(getattr(model, "predict", None)):
        raise MedgenError(f"model {name!r} (plugin {info.plugin!r}) has no predict(requests) method")
    return model
