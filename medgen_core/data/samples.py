"""A task's samples, wherever its data is: the MedGEN-Bench layout or any dataset (see :mod:`.source`).

The runner and the listings read only this module: samples and recorded
failures in a stream, record counts, and the manifest check. Records that
cannot be read become failures whatever the filter, since nothing can be
known about them: they are never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medgen_core.data import dataset, official
from medgen_core.data.errors import RecordError
from medgen_core.data.fields import FieldMap
from medgen_core.data.records import Raw, RecordFailure, build_sample, data_hash, matches
from medgen_core.names import normalise_modality
from medgen_core.tasks.index import TaskInstance
from medgen_core.types import MedgenError, Sample


def raw_records(root: Path, instance: TaskInstance, without_images: bool = False) -> Iterator[Raw]:
    """The task's records before any check; ``root`` (the run's data root) serves layout tasks only."""
    if instance.spec.reads_layout:
        return official.raw_records(root, instance, without_images)
    return dataset.raw_records(instance, without_images)


def record_counts(root: Path, instance: TaskInstance) -> tuple[int, int]:
    """(all records of the task's data, those the task will yield) in one pass; unreadable ones count in both."""
    fields = FieldMap(instance)
    total = matching = 0
    for source, _, record, _, _ in raw_records(root, instance, without_images=True):
        total += 1
        if not isinstance(record, dict) or _passes(instance, fields, record, source):
            matching += 1
    return total, matching


def _passes(instance: TaskInstance, fields: FieldMap, record: dict[str, Any], source: str) -> bool:
    if instance.filter is None:
        return True
    try:
        modality = normalise_modality(fields.text("doc_to_modality", record, record, source))
        subtask = fields.text("doc_to_subtask", record, record, source)
    except RecordError:
        return True  # it becomes a recorded failure, which every count includes
    return matches(instance.filter, modality, record, subtask)


def count_matching(root: Path, instance: TaskInstance) -> int:
    """How many records the task will yield (for progress bars and listings)."""
    return record_counts(root, instance)[1]


def count_check(root: Path, instance: TaskInstance, total: int | None = None) -> str | None:
    """The manifest's record count against the task's records (``total`` if already counted); layout only."""
    if not instance.spec.reads_layout:
        return None
    return official.count_check(root, instance, record_counts(root, instance)[0] if total is None else total)


def iter_samples(root: Path, instance: TaskInstance) -> Iterator[Sample | RecordFailure]:
    """Every record of the task that passes its filter, as a sample or a recorded failure."""
    fields = FieldMap(instance)
    task = instance.spec.task
    first_seen: dict[str, str] = {}
    for source, fallback_id, record, raw, resolve in raw_records(root, instance):
        try:
            if isinstance(record, RecordError):
                raise record
            sample = build_sample(record, fields, source, fallback_id, resolve)
        except RecordError as exc:
            record_id = _failure_id(record, fields, source, fallback_id)
            yield RecordFailure(record_id, task, source, str(exc), data_hash(raw, None))
            continue
        if not matches(instance.filter, sample.modality, sample.record, sample.subtask):
            continue
        if sample.id in first_seen:
            message = f"{source}: field 'id': duplicate sample id {sample.id!r} (first at {first_seen[sample.id]})"
            yield RecordFailure(f"{sample.id}#{fallback_id}", task, source, message, data_hash(raw, None))
            continue
        first_seen[sample.id] = source
        try:
            sample.data_hash = data_hash(raw, sample)
        except MedgenError as exc:
            yield RecordFailure(sample.id, task, source, str(exc), data_hash(raw, None), sample.modality)
            continue
        yield sample


def _failure_id(record: Any, fields: FieldMap, source: str, fallback: str) -> str:
    """The id a failed record is known by: its own, when that much can be read, else its position."""
    if not isinstance(record, dict):
        return fallback
    try:
        return fields.text("doc_to_id", record, record, source) or fallback
    except RecordError:
        return fallback


def first_sample_of(root: Path, instance: TaskInstance) -> Sample | None:
    """The task's first readable sample, or None (what prompt and capability checks look at)."""
    return next((s for s in iter_samples(root, instance) if isinstance(s, Sample)), None)
