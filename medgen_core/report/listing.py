"""Rows for ``medgen ls tasks``: every task and group with format, filter and record count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medgen_core.tasks.index import TaskIndex, TaskInstance
from medgen_core.tasks.spec import SampleFilter
from medgen_core.types import MedgenError


def describe_filter(flt: SampleFilter | None) -> str:
    return "-" if flt is None else flt.describe()


def task_rows(index: TaskIndex, data_root: str | None) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Rows for the table, and warnings: unknown tasks in the data root's manifest, and why a task that
    reads its own dataset has no count."""
    from medgen_core.data.official import unknown_manifest_tasks
    from medgen_core.data.roots import resolve_data_root
    from medgen_core.data.samples import count_matching

    try:
        root = resolve_data_root(data_root)
    except MedgenError as exc:
        root, warnings = None, [str(exc)]
    else:
        warnings = unknown_manifest_tasks(root, [spec for spec, _ in index.tasks.values()])
    rows = []
    for name, (spec, path) in sorted(index.tasks.items()):
        count: Any = "?"
        if root is not None or not spec.reads_layout:
            try:
                count = count_matching(root or Path("."), TaskInstance(spec, path))
            except MedgenError as exc:
                count = "no data"
                if not spec.reads_layout:
                    warnings.append(str(exc))
        aliases = ", ".join(spec.aliases)
        rows.append((name, spec.format, spec.output_type, describe_filter(spec.filter), count, aliases))
    return rows, warnings


def group_rows(index: TaskIndex) -> list[tuple[Any, ...]]:
    rows = [
        (name, ", ".join(spec.task), describe_filter(spec.filter)) for name, (spec, _) in sorted(index.groups.items())
    ]
    rows += [(f"{tag} (tag)", ", ".join(tasks), "-") for tag, tasks in sorted(index.tag_groups().items())]
    return rows
