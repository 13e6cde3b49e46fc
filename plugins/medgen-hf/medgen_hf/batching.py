"""Batches that never lose a sample: per-item failures stay with their item, memory errors split the batch.

A request is first *prepared* on its own (open its images, render its
prompt), so a broken image fails only that request. Prepared requests are run
in groups that can share one forward pass (same generation settings, same
image size). A group that runs out of accelerator memory is split in halves
until it fits; a group that fails for any other reason is rerun one item at a
time, so only the item that really fails is reported. Part of this package's
library API: medgen-diffusers uses it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from medgen_core import MedgenError

P = TypeVar("P")  # a prepared request
log = logging.getLogger(__name__)


@dataclass
class Prepared(Generic[P]):
    index: int  # position in the caller's request list
    item: P
    group: Hashable  # items with equal groups may share a batch


@dataclass
class BatchRunner:
    """Runs ``run(items) -> outputs`` with item isolation and out-of-memory splitting.

    ``fitted`` is the largest batch that ran after a memory error (None when
    none happened): the model lowers its ``batch_size`` to it, so later
    batches do not fail the same way.
    """

    is_out_of_memory: Callable[[BaseException], bool]
    release_memory: Callable[[], None]
    memory_error: Callable[[BaseException], MedgenError]  # the message for one item that cannot fit
    fitted: int | None = None

    def __call__(self, items: Sequence[Any], run: Callable[[list[Any]], list[Any]]) -> list[Any]:
        try:
            outputs = list(run(list(items)))
        except Exception as exc:  # a bad item, a memory error or a bug: decided below
            return self._after_failure(items, run, exc)
        if len(outputs) != len(items):
            return [MedgenError(f"the model gave {len(outputs)} outputs for {len(items)} inputs")] * len(items)
        return outputs

    def _after_failure(self, items: Sequence[Any], run: Callable[[list[Any]], list[Any]], exc: Exception) -> list[Any]:
        if self.is_out_of_memory(exc):
            self.release_memory()
            if len(items) == 1:
                return [self.memory_error(exc)]
            half = len(items) // 2
            self.fitted = min(self.fitted or half, half)
            log.warning("out of memory with %d items in a batch; retrying in halves", len(items))
            return self(items[:half], run) + self(items[half:], run)
        if len(items) == 1:
            return [exc]
        return [out for item in items for out in self([item], run)]


def predict_prepared(
    requests: Sequence[Any],
    prepare: Callable[[Any], tuple[P, Hashable]],
    run: Callable[[list[P]], list[Any]],
    runner: BatchRunner,
    batch_size: int,
) -> list[Any]:
    """One output or exception per request, in order: prepare each, run groups of up to ``batch_size``."""
    results: list[Any] = [None] * len(requests)
    groups: dict[Hashable, list[Prepared[P]]] = {}
    for index, request in enumerate(requests):
        try:
            item, group = prepare(request)
        except Exception as exc:  # this request alone fails (unreadable image, unsupported output, ...)
            results[index] = exc
            continue
        groups.setdefault(group, []).append(Prepared(index, item, group))
    for members in groups.values():
        for start in range(0, len(members), batch_size):
            chunk = members[start : start + batch_size]
            for member, output in zip(chunk, runner([m.item for m in chunk], run), strict=True):
                results[member.index] = output
    return results
