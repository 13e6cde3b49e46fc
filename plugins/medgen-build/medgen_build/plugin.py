"""Hook implementations: the built-in transforms and the ``medgen build`` command."""

from __future__ import annotations

from typing import Any

from medgen_core import hookimpl, registered

TRANSFORM_HOOK = "medgen_register_transforms"


@hookimpl
def medgen_add_hookspecs(register: Any) -> None:
    from medgen_build import hookspecs

    register(hookspecs)


def transform_registry() -> dict[str, dict[str, Any]]:
    """name -> {"fn", "plugin", family, modalities, ...} for every transform any plugin registered."""
    return {
        name: {"fn": r.value, "plugin": r.plugin, **r.info}
        for name, r in registered(TRANSFORM_HOOK, "transform").items()
    }


@hookimpl
def medgen_register_transforms(register: Any) -> None:
    from medgen_build.transforms import register_builtin

    register_builtin(register)


@hookimpl
def medgen_register_commands(cli: Any) -> None:
    from medgen_build.cli import build_command

    cli.add_command(build_command, name="build")
