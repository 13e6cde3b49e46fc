"""``medgen validate``: check YAML files (and what they name) without running anything."""

from __future__ import annotations

from pathlib import Path

from medgen_core.plugins import PluginHost
from medgen_core.tasks.index import TaskIndex
from medgen_core.tasks.loader import TaskFileError, load_spec
from medgen_core.tasks.spec import TaskSpec


def validate_paths(paths: list[Path], host: PluginHost) -> tuple[list[str], int]:
    """(problems, files checked); problems start with ``error:`` or ``warning:``."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    problems: list[str] = []
    index = TaskIndex([(folder, f"plugin {plugin!r}") for folder, plugin in host.task_dirs()])
    for file in files:
        try:
            spec = load_spec(file)
        except TaskFileError as exc:
            problems += [f"error: {line}" for line in str(exc).splitlines()]
            continue
        if isinstance(spec, TaskSpec):
            for entry in spec.metric_list:
                if entry.metric not in host.metrics:
                    problems.append(f"warning: {file}: metric '{entry.metric}' is not installed here")
        elif spec is not None:
            index.add_file(file, "validate")
            for member in spec.task:
                if member not in index.tasks and member not in index.groups and member not in index.tag_groups():
                    try:
                        index.canonical(member)
                    except Exception as exc:
                        problems.append(f"error: {file}: key 'task': {exc}")
    return problems, len(files)
