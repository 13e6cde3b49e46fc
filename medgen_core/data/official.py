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

from medgen_core.data.records import RecordError, RecordFailure, build_sample, data_hash, matches, parse_line
from medgen_core.names import normalise_modality
from medgen_core.tasks.index import TaskInstance
from medgen_core.types import MedgenError, Sample


def task_file(root: Path, instance: TaskInstance) -> Path:
    path = root / instance.spec.dataset_name / "data.jsonl"
    if not path.is_file():
        raise MedgenError(
            f"task {instance.name!r}: data file not found: {path} "
            f"(dataset_name {instance.spec.dataset_name!r} under data root {root})"
        )
    return path


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


def count_check(root: Path, instance: TaskInstance) -> str | None:
    """Compare the manifest's record count with the lines in data.jsonl; a message if they differ."""
    entry = read_manifest(root).get("tasks", {}).get(instance.spec.dataset_name)
    if not isinstance(entry, dict) or "record_count" not in entry:
        return None
    actual = count_records(task_file(root, instance))
    expected = entry["record_count"]
    if actual != expected:
        return (
            f"task {instance.name!r} ({instance.spec.dataset_name}): manifest.json says {expected} records, "
            f"data.jsonl has {actual}"
        )
    return None


def count_records(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def count_matching(root: Path, instance: TaskInstance) -> int:
    """How many records the task will yield (for progress bars); unreadable lines count too."""
    total = 0
    with task_file(root, instance).open("rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                total += 1
                continue
            if not isinstance(record, dict):
                total += 1
            elif matches(instance.filter, normalise_modality(record.get("modality")), record):
                total += 1
    return total


def iter_samples(root: Path, instance: TaskInstance) -> Iterator[Sample | RecordFailure]:
    """Every record of the task that passes its filter, as a sample or a recorded failure.

    Records that cannot be read are yielded as failures whatever the filter,
    since nothing can be known about them: they are never dropped.
    """
    path = task_file(root, instance)
    task_dir = path.parent
    spec = instance.spec
    first_seen: dict[str, int] = {}
    with path.open("rb") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            source = f"{path}:{line_no}"
            fallback_id = f"{line_no:06d}"
            try:
                record = parse_line(line, source)
                sample = build_sample(record, spec, task_dir, root, source, fallback_id)
            except RecordError as exc:
                record_id = _guess_id(line, fallback_id)
                yield RecordFailure(record_id, spec.task, source, str(exc), data_hash(line, None))
                continue
            if not matches(instance.filter, sample.modality, sample.record):
                continue
            if sample.id in first_seen:
                message = (
                    f"{source}: field 'id': duplicate sample id {sample.id!r} (first at line {first_seen[sample.id]})"
                )
                yield RecordFailure(f"{sample.id}#line{line_no}", spec.task, source, message, data_hash(line, None))
                continue
            first_seen[sample.id] = line_no
            try:
                sample.data_hash = data_hash(line, sample)
            except MedgenError as exc:
                yield RecordFailure(sample.id, spec.task, source, str(exc), data_hash(line, None), sample.modality)
                continue
            yield sample


def _guess_id(line: bytes, fallback: str) -> str:
    try:
        record = json.loads(line)
        if isinstance(record, dict) and (record.get("id") or record.get("sample_id")):
            return str(record.get("id") or record.get("sample_id"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        pass
    return fallback
