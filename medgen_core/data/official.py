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

from medgen_core.data.parquet import embedded_resolver, iter_rows, parquet_files, strip_bytes
from medgen_core.data.records import (
    RecordError,
    RecordFailure,
    build_sample,
    data_hash,
    folder_resolver,
    matches,
    parse_line,
    task_names,
)
from medgen_core.names import normalise_modality, normalise_task_name
from medgen_core.tasks.index import TaskInstance
from medgen_core.tasks.spec import TaskSpec
from medgen_core.types import MedgenError, Sample


def task_file(root: Path, instance: TaskInstance) -> Path:
    path = root / instance.spec.dataset_name / "data.jsonl"
    if not path.is_file():
        raise MedgenError(
            f"task {instance.name!r}: data file not found: {path} "
            f"(dataset_name {instance.spec.dataset_name!r} under data root {root}; no Parquet config either)"
        )
    return path


Raw = tuple[str, str, Any, bytes, Any]  # source, fallback id, record (or RecordError), bytes to hash, resolver


def raw_records(root: Path, instance: TaskInstance, without_images: bool = False) -> Iterator[Raw]:
    """Every record of the task's file, JSONL as released or the Parquet form, before any checks.

    ``without_images`` leaves embedded image bytes unread (Parquet), for counting passes.
    """
    jsonl = root / instance.spec.dataset_name / "data.jsonl"
    files = [] if jsonl.is_file() else parquet_files(root, instance.spec.dataset_name)
    if files:
        resolve = embedded_resolver(root, root)
        rows = iter_rows(files, instance.spec, without_images)
        for n, (source, record, canonical) in enumerate(rows, start=1):
            yield source, f"{n:06d}", record, canonical, resolve
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
            yield source, f"{line_no:06d}", record, line, resolve


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
    known = set().union(*(task_names(spec) for spec in specs)) if specs else set()
    manifest = read_manifest(root)
    listed = list(manifest.get("tasks", {}))
    for fmt, tasks in (manifest.get("table_iv") or {}).items():
        listed += [f"{fmt}/{task}" for task in tasks if isinstance(task, str)]
    unknown = sorted({key for key in listed if normalise_task_name(key.split("/", 1)[-1]) not in known})
    return [f"{root / 'manifest.json'}: unknown task {key!r} (no task YAML reads it)" for key in unknown]


def record_counts(root: Path, instance: TaskInstance) -> tuple[int, int]:
    """(all records of the task's file, those the task will yield) in one pass; unreadable ones count in both."""
    total = matching = 0
    for _, _, record, _, _ in raw_records(root, instance, without_images=True):
        total += 1
        if not isinstance(record, dict) or matches(instance.filter, normalise_modality(record.get("modality")), record):
            matching += 1
    return total, matching


def count_matching(root: Path, instance: TaskInstance) -> int:
    """How many records the task will yield (for progress bars and listings)."""
    return record_counts(root, instance)[1]


def count_check(root: Path, instance: TaskInstance, total: int | None = None) -> str | None:
    """Compare the manifest's record count with the task's records (``total`` if already counted)."""
    entry = read_manifest(root).get("tasks", {}).get(instance.spec.dataset_name)
    if not isinstance(entry, dict) or "record_count" not in entry:
        return None
    actual = record_counts(root, instance)[0] if total is None else total
    expected = entry["record_count"]
    if actual != expected:
        where = "data.jsonl" if (root / instance.spec.dataset_name / "data.jsonl").is_file() else "the Parquet files"
        return (
            f"task {instance.name!r} ({instance.spec.dataset_name}): manifest.json says {expected} records, "
            f"{where} has {actual}"
        )
    return None


def iter_samples(root: Path, instance: TaskInstance) -> Iterator[Sample | RecordFailure]:
    """Every record of the task that passes its filter, as a sample or a recorded failure.

    Records that cannot be read are yielded as failures whatever the filter,
    since nothing can be known about them: they are never dropped.
    """
    spec = instance.spec
    first_seen: dict[str, str] = {}
    for source, fallback_id, record, raw, resolve in raw_records(root, instance):
        try:
            if isinstance(record, RecordError):
                raise record
            sample = build_sample(record, spec, source, fallback_id, resolve)
        except RecordError as exc:
            record_id = _guess_id(record, fallback_id)
            yield RecordFailure(record_id, spec.task, source, str(exc), data_hash(raw, None))
            continue
        if not matches(instance.filter, sample.modality, sample.record):
            continue
        if sample.id in first_seen:
            message = f"{source}: field 'id': duplicate sample id {sample.id!r} (first at {first_seen[sample.id]})"
            yield RecordFailure(f"{sample.id}#{fallback_id}", spec.task, source, message, data_hash(raw, None))
            continue
        first_seen[sample.id] = source
        try:
            sample.data_hash = data_hash(raw, sample)
        except MedgenError as exc:
            yield RecordFailure(sample.id, spec.task, source, str(exc), data_hash(raw, None), sample.modality)
            continue
        sample.record = strip_bytes(sample.record)
        yield sample


def _guess_id(record: Any, fallback: str) -> str:
    if isinstance(record, dict) and (record.get("id") or record.get("sample_id")):
        return str(record.get("id") or record.get("sample_id"))
    return fallback
