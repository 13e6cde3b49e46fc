"""A task over any dataset: its records through ``datasets``, its ``doc_to_*`` keys checked up front.

A key naming a column the dataset does not have, or a field the task needs
that no column gives, stops the task before any model call with a message
naming the task, its YAML, the key and the columns there are. Problems in one
record are that record's failure (see :mod:`.records`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from medgen_core.data.fields import DEFAULT_COLUMNS, FieldMap
from medgen_core.data.image_refs import dataset_resolver
from medgen_core.data.records import Raw, canonical_bytes
from medgen_core.data.source import DatasetSource, dataset_source, task_label
from medgen_core.tasks.index import TaskInstance
from medgen_core.types import MedgenError

NEEDED = {  # output type -> (key, what it gives) the task cannot do without
    "text": [("doc_to_target", "the reference answer")],
    "image": [("doc_to_reference_image", "the reference image")],
    "text+image": [("doc_to_target", "the reference answer"), ("doc_to_reference_image", "the reference image")],
}


def raw_records(instance: TaskInstance, without_images: bool = False) -> Iterator[Raw]:
    """Every record of the task's split, streamed; ``without_images`` drops image columns (counting passes)."""
    from medgen_core.data.stream import stream_records

    source = dataset_source(instance)
    columns, records = stream_records(source, task_label(instance), without_images)
    if columns:  # an empty split has nothing to check
        check_columns(instance, source, columns)
    resolve = dataset_resolver(source.base, source.image_roots)
    prefix = f"{source.base}{os.sep}" if source.base else None
    for index, record in enumerate(records):
        hashed = _relative_paths(record, prefix) if prefix else record
        yield Raw(f"{source.label}:record {index}", f"{index:06d}", record, canonical_bytes(hashed), resolve)


def _relative_paths(value: Any, prefix: str) -> Any:
    """The record with absolute paths inside the dataset folder made relative (``imagefolder`` writes them
    absolute), so its hash does not change when the dataset folder moves."""
    if isinstance(value, str):
        return value.removeprefix(prefix)
    if isinstance(value, dict):
        return {key: _relative_paths(item, prefix) for key, item in value.items()}
    if isinstance(value, list):
        return [_relative_paths(item, prefix) for item in value]
    return value


def check_columns(instance: TaskInstance, source: DatasetSource, columns: list[str]) -> None:
    """Every column the keys name exists, and every field the task needs has a column."""
    who, have = task_label(instance), ", ".join(columns)
    for key, column in FieldMap(instance).named_columns():
        if column not in columns:
            raise MedgenError(f"{who}: key {key!r}: no column {column!r} in {source.label} (columns: {have})")
    spec = instance.spec
    needed = NEEDED[spec.output_type]
    if spec.doc_to_text == "{{ instruction }}":
        needed = [("doc_to_text", "the prompt"), *needed]
    for key, what in needed:
        default = DEFAULT_COLUMNS.get(key, ("instruction",))
        if getattr(spec, key) in (None, "{{ instruction }}") and not set(default) & set(columns):
            raise MedgenError(
                f"{who}: key {key!r} is not set and {source.label} has no {default[0]!r} column for "
                f"{what}; set {key} to a column or template (columns: {have})"
            )
