"""The samples a run goes through: each selected task's records in chunks, with group membership.

Running and rescoring walk the same stream, so both see exactly the same
samples in the same order, and both know which groups each sample counts in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medgen_core.data.official import count_check, iter_samples, record_counts
from medgen_core.data.records import RecordFailure, matches
from medgen_core.tasks.index import Selection, TaskInstance
from medgen_core.types import Sample

CHUNK = 32

Progress = Callable[[str, int, int], None]  # (task, done, total)


def no_progress(task: str, done: int, total: int) -> None:
    """The progress callback of a quiet run."""


Item = Sample | RecordFailure


@dataclass
class Chunk:
    """Up to :data:`CHUNK` samples of one task; ``done`` of ``total`` once it is through."""

    instance: TaskInstance
    items: list[Item]
    done: int
    total: int


@dataclass
class SampleStream:
    """Chunks of every selected task; ``memberships`` fills as the stream is read."""

    selection: Selection
    data_root: Path
    limit: int | None = None
    progress: Progress = no_progress
    warnings: list[str] = field(default_factory=list)
    memberships: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def chunks(self) -> Iterator[Chunk]:
        for instance in self.selection.tasks:
            yield from self._task_chunks(instance)

    def _task_chunks(self, instance: TaskInstance) -> Iterator[Chunk]:
        in_file, total = record_counts(self.data_root, instance)  # one pass: manifest check and progress total
        mismatch = count_check(self.data_root, instance, in_file)
        if mismatch:
            self.warnings.append(mismatch)
        samples: Iterable[Item] = iter_samples(self.data_root, instance)
        if self.limit is not None:
            total = min(total, self.limit)
            samples = itertools.islice(samples, self.limit)
        self.progress(instance.name, 0, total)
        done = 0
        for items in chunked(samples, CHUNK):
            for item in items:
                self.memberships[(item.task, item.id)] = self._groups_of(item)
            done += len(items)
            yield Chunk(instance, items, done, total)

    def _groups_of(self, item: Item) -> list[str]:
        found = []
        for name, group in self.selection.groups.items():
            if item.task not in group.tasks:
                continue
            if isinstance(item, RecordFailure):
                if group.filter is None:
                    found.append(name)
            elif matches(group.filter, item.modality, item.record):
                found.append(name)
        return found


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
