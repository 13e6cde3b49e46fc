"""``medgen validate``: check task and group YAML files, and what they name, without running a model.

Each task's metrics must be installed, and its prompt template must render
against a real record of its data (the first one in the data root), so an
undefined variable is found here rather than as a failure on every sample.
"""

from __future__ import annotations

from pathlib import Path

from medgen_core.errors import MedgenError
from medgen_core.plugins import PluginHost
from medgen_core.tasks.index import TaskIndex, TaskInstance
from medgen_core.tasks.loader import TaskFileError, load_spec
from medgen_core.tasks.spec import TaskSpec


def validate_paths(paths: list[Path], host: PluginHost, data_root: Path | None = None) -> tuple[list[str], int]:
    """(problems, files checked); problems start with ``error:`` or ``warning:``."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    problems: list[str] = []
    index = TaskIndex([(folder, f"plugin {plugin!r}") for folder, plugin in host.task_dirs()])
    for file in files:
        try:
            spec = load_spec(file, index.find_task)
        except TaskFileError as exc:
            problems += [f"error: {line}" for line in str(exc).splitlines() if f"error: {line}" not in problems]
            continue
        if isinstance(spec, TaskSpec):
            problems += _check_task(spec, file, host, data_root)
        elif spec is not None:
            index.add_file(file, "validate")
            for member in spec.task:
                if member not in index.tasks and member not in index.groups and member not in index.tag_groups():
                    try:
                        index.canonical(member)
                    except MedgenError as exc:
                        problems.append(f"error: {file}: key 'task': {exc}")
    return problems, len(files)


def _check_task(spec: TaskSpec, file: Path, host: PluginHost, data_root: Path | None) -> list[str]:
    problems = []
    for i, entry in enumerate(spec.metric_list):
        try:
            host.metric(entry.metric)
        except MedgenError as exc:
            problems.append(f"error: {file}: key 'metric_list'[{i}]: {exc}")
    if data_root is None:
        return problems
    from medgen_core.data.samples import first_sample_of
    from medgen_core.tasks.prompt import render_prompt

    try:
        sample = first_sample_of(data_root, TaskInstance(spec, file))
    except MedgenError as exc:
        return [*problems, f"warning: {file}: prompt not checked against data: {exc}"]
    if sample is None:
        data = f"{spec.dataset_name} in {data_root}" if spec.reads_layout else f"dataset_path {spec.dataset_path!r}"
        return [*problems, f"warning: {file}: prompt not checked: no readable record of {data}"]
    try:
        render_prompt(spec.doc_to_text, sample)
    except MedgenError as exc:
        problems.append(f"error: {file}: key 'doc_to_text': on the first record ({sample.source}): {exc}")
    return problems
