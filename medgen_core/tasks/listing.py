"""Rows for ``medgen ls tasks``: every task and group with format, filter and record count."""

from __future__ import annotations

from typing import Any

from medgen_core.tasks.index import TaskIndex, TaskInstance
from medgen_core.tasks.spec import SampleFilter
from medgen_core.types import MedgenError


def describe_filter(flt: SampleFilter | None) -> str:
    return "-" if flt is None else flt.describe()


def task_rows(index: TaskIndex, data_root: str | None) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Rows for the table, and warnings about the data root (unknown tasks in its manifest)."""
    from medgen_core.data.official import count_matching, unknown_manifest_tasks
    from medgen_core.data.roots import resolve_data_root

    try:
        root = resolve_data_root(data_root)
    except MedgenError as exc:
        root, warnings = None, [str(exc)]
    else:
        warnings = unknown_manifest_tasks(root, [spec for spec, _ in index.tasks.values()])
    rows = []
    for name, (spec, path) in sorted(index.tasks.items()):
        count: Any = "?"
        if root is not None:
            try:
                count = count_matching(root, TaskInstance(spec, path))
            except MedgenError:
                count = "no data"
        aliases = ", ".join(spec.aliases)
        rows.append((name, spec.format, spec.output_type, describe_filter(spec.filter), count, aliases))
    return rows, warnings


def group_rows(index: TaskIndex) -> list[tuple[Any, ...]]:
    rows = [
        (name, ", ".join(spec.task), describe_filter(spec.filter)) for name, (spec, _) in sorted(index.groups.items())
    ]
    rows += [(f"{tag} (tag)", ", ".join(tasks), "-") for tag, tasks in sorted(index.tag_groups().items())]
    return rows
