"""Contributes the built-in task folder (task_yaml/) through the task-dir hook."""

from __future__ import annotations

from medgen_core.hookspecs import hookimpl
from medgen_core.paths import builtin_task_dir


@hookimpl
def medgen_task_dirs() -> list[str]:
    return [str(builtin_task_dir())]
