"""The samples a run goes through: each selected task's records in chunks, with group membership.

Running and rescoring walk the same stream, so both see exactly the same
samples in the same order, and both know which groups each sample counts in.

``--limit`` takes the first N records (or a fraction) of a task's own
records, BEFORE any group filter narrows them: the same records of a task
are used whatever else the command asks for.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from medgen_core.data.records import RecordFailure, matches
from medgen_core.data.samples import count_check, first_sample_of, iter_samples, record_counts
from medgen_core.run.ranks import Ranks
from medgen_core.tasks.index import Selection, TaskInstance
from medgen_core.types import Sample

CHUNK = 32

Progress = Callable[[str, int, int], None]  # (task label, done, total)
Item = Sample | RecordFailure


def no_progress(task: str, done: int, total: int) -> None:
    """The progress callback of a quiet run."""


@dataclass
class TaskPlan:
    """What a task will go through, counted before anything runs (one pass over its records)."""

    instance: TaskInstance
    in_file: int  # records in its data
    matching: int  # records that pass the task's own filter
    limit: int  # of those, how many the run takes (``--limit``)

    @property
    def empty(self) -> bool:
        return self.limit == 0 or (self.instance.extra_filter is None and self.matching == 0)

    def why_empty(self, data_root: Path) -> str:
        spec = self.instance.spec
        where = f"{spec.dataset_name} under {data_root}"
        if self.in_file == 0:
            return f"its data has no records ({where})"
        flt = self.instance.filter
        return f"no record of {self.in_file} in {where} passes its filter ({flt.describe() if flt else 'none'})"


@dataclass
class Chunk:
    """Up to :data:`CHUNK` samples, from one task or from the end of one and the start of the next.

    Chunks span tasks so a concurrent model or judge always gets full batches (a task of 19 records is not
    a chunk of 19); ``progress`` holds the (label, done, total) to report once the chunk is through.
    """

    entries: list[tuple[TaskInstance, Item]]
    progress: list[tuple[str, int, int]] = field(default_factory=list)

    def by_task(self) -> list[tuple[TaskInstance, list[Item]]]:
        """The chunk's items grouped by task, in order."""
        groups: dict[int, tuple[TaskInstance, list[Item]]] = {}
        for instance, item in self.entries:
            groups.setdefault(id(instance), (instance, []))[1].append(item)
        return list(groups.values())


@dataclass
class SampleStream:
    """Chunks of every selected task; ``memberships`` fills as the stream is read."""

    selection: Selection
    data_root: Path
    limit: int | float | None = None
    progress: Progress = no_progress
    warnings: list[str] = field(default_factory=list)
    memberships: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    ranks: Ranks = field(default_factory=Ranks)  # a data-parallel rank yields only its share of each task
    _plans: list[TaskPlan] | None = None

    def plans(self) -> list[TaskPlan]:
        """Every task's counts (and the manifest's record-count check), once."""
        if self._plans is None:
            self._plans = []
            for instance in self.selection.tasks:
                own = replace(instance, extra_filter=None)
                in_file, matching = record_counts(self.data_root, own)
                mismatch = count_check(self.data_root, instance, in_file)
                if mismatch:
                    self.warnings.append(mismatch)
                self._plans.append(TaskPlan(instance, in_file, matching, take(matching, self.limit)))
        return self._plans

    def chunks(self) -> Iterator[Chunk]:
        chunk = Chunk([])
        for plan in self.plans():
            instance = plan.instance
            share = len(range(self.ranks.rank, plan.limit, self.ranks.world))
            self.progress(instance.label, 0, share)
            done = 0
            for item in self._own(self._samples(plan)):
                chunk.entries.append((instance, item))
                done += 1
                if len(chunk.entries) == CHUNK:
                    chunk.progress.append((instance.label, done, share))
                    yield chunk
                    chunk = Chunk([])
            # the bar ends at what there was (a group filter may take fewer than the share)
            chunk.progress.append((instance.label, done, share if done == share else done))
        if chunk.entries or chunk.progress:
            yield chunk

    def _samples(self, plan: TaskPlan) -> Iterator[Item]:
        """The task's first ``limit`` records, then any group filter (failures are never filtered out)."""
        instance = plan.instance
        own = replace(instance, extra_filter=None)
        samples: Iterator[Item] = itertools.islice(iter_samples(self.data_root, own), plan.limit)
        if instance.extra_filter is None:
            return samples
        return (s for s in samples if isinstance(s, RecordFailure) or _passes(instance, s))

    def _own(self, samples: Iterable[Item]) -> Iterator[Item]:
        """This rank's share (every sample of a single process); every sample's groups are recorded."""
        for index, item in enumerate(samples):
            self.memberships[(item.task, item.id)] = self._groups_of(item)
            if self.ranks.owns(index):
                yield item

    def _groups_of(self, item: Item) -> list[str]:
        found = []
        for name, group in self.selection.groups.items():
            if item.task not in group.tasks:
                continue
            if isinstance(item, RecordFailure):
                if group.filter is None:
                    found.append(name)
            elif matches(group.filter, item.modality, item.record, item.subtask):
                found.append(name)
        return found


def first_sample(data_root: Path, plan: TaskPlan) -> Sample | None:
    """The task's first readable sample (what capability checks look at), or None."""
    return first_sample_of(data_root, replace(plan.instance, extra_filter=None))


def _passes(instance: TaskInstance, sample: Sample) -> bool:
    return matches(instance.extra_filter, sample.modality, sample.record, sample.subtask)


def take(available: int, limit: int | float | None) -> int:
    """How many of ``available`` records ``--limit`` keeps: N, or ceil(fraction x available) as lm-eval does."""
    if limit is None:
        return available
    if isinstance(limit, float) and 0 < limit < 1:
        return math.ceil(available * limit)
    return min(available, int(limit))


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
