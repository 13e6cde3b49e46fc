"""The official MedGEN-Bench layout, read as released: no conversion step.

``<root>/manifest.json`` and ``<root>/<Format>/<task>/data.jsonl`` with image
paths relative to each data.jsonl. Records stream one line at a time, so
memory stays flat however large the dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medgen_core.data.errors import RecordError
from medgen_core.data.image_refs import dataset_resolver, folder_resolver
from medgen_core.data.parquet import iter_rows, parquet_files
from medgen_core.data.records import Raw, parse_line, task_names
from medgen_core.names import normalise_task_name
from medgen_core.tasks.index import TaskInstance
from medgen_core.tasks.spec import TaskSpec
from medgen_core.types import MedgenError


def task_file(root: Path, instance: TaskInstance) -> Path:
    path = root / instance.spec.dataset_name / "data.jsonl"
    if not path.is_file():
        raise MedgenError(
            f"task {instance.name!r}: data file not found: {path} "
            f"(dataset_name {instance.spec.dataset_name!r} under data root {root}; no Parquet config either)"
        )
    return path


def raw_records(root: Path, instance: TaskInstance, without_images: bool = False) -> Iterator[Raw]:
    """Every record of the task's file, JSONL as released or the Parquet form, before any checks.

    ``without_images`` leaves embedded image bytes unread (Parquet), for counting passes.
    """
    jsonl = root / instance.spec.dataset_name / "data.jsonl"
    files = [] if jsonl.is_file() else parquet_files(root, instance.spec.dataset_name)
    if files:
        resolve = dataset_resolver(root, (root,))
        rows = iter_rows(files, instance, without_images)
        for n, (source, record, canonical) in enumerate(rows, start=1):
            yield Raw(source, f"{n:06d}", record, canonical, resolve)
        return
    path = task_file(root, instance)
    resolve = folder_resolver(path.parent, root)
    with path.open("rb") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            source = f"{path}:{line_no}"
            try:
                record: Any = parse_line(line, source)
            except RecordError as exc:
                record = exc
            yield Raw(source, f"{line_no:06d}", record, line, resolve)


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / "manifest.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MedgenError(f"{path}: cannot read manifest: {exc}") from None
    if not isinstance(data, dict):
        raise MedgenError(f"{path}: the manifest must be a JSON object")
    return data


def unknown_manifest_tasks(root: Path, specs: list[TaskSpec]) -> list[str]:
    """Tasks the manifest lists that no known task spec reads (after aliases): one message each."""
    layout = [spec for spec in specs if spec.reads_layout]
    known = set().union(*(task_names(spec) for spec in layout)) if layout else set()
    manifest = read_manifest(root)
    listed = list(manifest.get("tasks", {}))
    for fmt, tasks in (manifest.get("table_iv") or {}).items():
        listed += [f"{fmt}/{task}" for task in tasks if isinstance(task, str)]
    unknown = sorted({key for key in listed if normalise_task_name(key.split("/", 1)[-1]) not in known})
    return [f"{root / 'manifest.json'}: unknown task {key!r} (no task YAML reads it)" for key in unknown]


def count_check(root: Path, instance: TaskInstance, total: int) -> str | None:
    """Compare the manifest's record count with the ``total`` records the task's file holds."""
    entry = read_manifest(root).get("tasks", {}).get(instance.spec.dataset_name)
    if not isinstance(entry, dict) or "record_count" not in entry:
        return None
    expected = entry["record_count"]
    if total != expected:
        jsonl = (root / instance.spec.dataset_name / "data.jsonl").is_file()
        return (
            f"task {instance.name!r} ({instance.spec.dataset_name}): manifest.json says {expected} records, "
            f"{'data.jsonl has' if jsonl else 'the Parquet files hold'} {total}"
        )
    return None
