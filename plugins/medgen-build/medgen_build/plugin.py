"""Hook implementations: the built-in transforms and the ``medgen build`` command."""

from __future__ import annotations

from typing import Any

from medgen_core import hookimpl


@hookimpl
def medgen_add_hookspecs(register: Any) -> None:
    from medgen_build import hookspecs

    register(hookspecs)


@hookimpl
def medgen_register_transforms(register: Any) -> None:
    from medgen_build.transforms import register_builtin

    register_builtin(register)


@hookimpl
def medgen_register_commands(cli: Any) -> None:
    from medgen_build.cli import build_command

    cli.add_command(build_command, name="build")
