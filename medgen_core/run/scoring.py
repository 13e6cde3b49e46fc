"""The scoring stage: every metric and judge of a task scores the saved answers it has not scored yet.

Metrics (pixel and text tiers) and judges (holistic tier) are both scoring
slots: each is built once per run, called on batches with the same
retry-one-by-one rule, and writes one scores.jsonl line per sample as the
result arrives, so an interrupted run loses nothing and redoes nothing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from medgen_core.calls import build, call_batch
from medgen_core.plugins import PluginHost
from medgen_core.run.judging import JudgeHandle, JudgeSlot, grade
from medgen_core.run.predict import saved_image
from medgen_core.run.store import RunStore
from medgen_core.run.stream import Chunk
from medgen_core.secrets import scrub
from medgen_core.tasks.spec import MetricEntry, TaskSpec, content_hash
from medgen_core.types import BudgetExhausted, MedgenError, MetricInfo, MetricUnavailable, Sample, Score, ScoreItem


class Slot(Protocol):
    """What the scoring stage needs of a metric or a judge mode."""

    slot_id: str  # what scores.jsonl and resumed runs match scores by
    tier: str
    reads: str | None  # the part of the answer it needs ("text", "image"), or None for whatever there is
    unavailable: str | None
    describe: dict[str, Any] | None

    @property
    def key(self) -> str: ...  # its name in results

    @property
    def threshold(self) -> float | None: ...

    @property
    def higher_is_better(self) -> bool: ...

    def score(self, items: list[ScoreItem]) -> list[Any]: ...


@dataclass
class LiveMetric:
    """A metric object built once per metric and arguments, shared by every task that uses it."""

    info: MetricInfo
    args: dict[str, Any]
    instance: Any = None
    unavailable: str | None = None
    describe: dict[str, Any] | None = None

    def get(self) -> Any:
        """The metric object, or None when it is unavailable here (``unavailable`` says why)."""
        if self.instance is None and self.unavailable is None:
            try:
                self.instance = build("metric", self.info.name, self.info.factory, self.args, "arguments")
            except MetricUnavailable as exc:
                self.unavailable = str(exc)
                return None
            describe = getattr(self.instance, "describe", None)
            self.describe = describe() if callable(describe) else None
        return self.instance


@dataclass
class MetricSlot:
    """A metric as one task uses it: its registration and YAML entry, and the shared live object."""

    live: LiveMetric
    entry: MetricEntry
    slot_id: str
    saved_key: str | None = None

    @property
    def info(self) -> MetricInfo:
        return self.live.info

    @property
    def tier(self) -> str:
        return self.info.tier

    @property
    def reads(self) -> str:
        return self.info.reads

    @property
    def unavailable(self) -> str | None:
        return self.live.unavailable

    @property
    def describe(self) -> dict[str, Any] | None:
        return self.live.describe

    @property
    def built(self) -> bool:
        return self.live.instance is not None

    @property
    def threshold(self) -> float | None:
        return self.entry.threshold if self.entry.threshold is not None else self.info.threshold

    @property
    def higher_is_better(self) -> bool:
        return self.entry.higher_is_better if self.entry.higher_is_better is not None else self.info.higher_is_better

    @property
    def key(self) -> str:
        return getattr(self.live.instance, "key", None) or self.saved_key or self.info.name

    def score(self, items: list[ScoreItem]) -> list[Any]:
        """One result per item; an empty list when the metric is unavailable here."""
        metric = self.live.get()
        if metric is None:
            return []
        try:
            return call_batch(metric.score, items, f"metric {self.key!r}")
        except MetricUnavailable as exc:
            self.live.unavailable = str(exc)
            return []


def metric_id(entry: MetricEntry) -> str:
    """Stable id of a metric with its arguments: what resumed runs match scores by."""
    if not entry.args:
        return entry.metric
    return f"{entry.metric}#{content_hash(entry.args)[:12]}"


@dataclass
class Scorer:
    """Holds the run's scoring slots (built once, shared by tasks that use a metric the same way)."""

    host: PluginHost
    store: RunStore
    judges: list[JudgeHandle] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)  # run.json "scorers": slot id -> key, ...
    _live: dict[str, LiveMetric] = field(default_factory=dict)
    _metric_slots: dict[str, MetricSlot] = field(default_factory=dict)
    _judge_slots: dict[tuple[str, str, str], JudgeSlot] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        for handle in self.judges:
            handle.peers = self.judges

    def slots_for(self, spec: TaskSpec) -> list[Slot]:
        with self._lock:  # the scoring and judging stages ask from their own threads
            return [*self.metric_slots(spec), *self.judge_slots(spec)]

    def metric_slots(self, spec: TaskSpec) -> list[MetricSlot]:
        slots = []
        for entry in spec.metric_list:  # every metric is installed: checks.check_metrics ran first
            mid = metric_id(entry)
            slot_key = f"{mid}|{entry.threshold}|{entry.higher_is_better}"
            if slot_key not in self._metric_slots:
                live = self._live.setdefault(mid, LiveMetric(self.host.metrics[entry.metric], entry.args))
                self._metric_slots[slot_key] = MetricSlot(live, entry, mid, self.saved.get(mid, {}).get("key"))
            slots.append(self._metric_slots[slot_key])
        return slots

    def judge_slots(self, spec: TaskSpec) -> list[JudgeSlot]:
        if spec.judge is None:
            return []
        slots = []
        for handle in self.judges:
            for mode in spec.judge.modes:
                key = (handle.slot_prefix, spec.task, mode)
                if key not in self._judge_slots:
                    if not handle.runs_mode(mode):
                        continue
                    self._judge_slots[key] = JudgeSlot(handle, spec.judge, mode)
                slots.append(self._judge_slots[key])
        return slots

    def score(self, chunk: Chunk, judges: bool | None = None) -> None:
        """Score the chunk's saved answers with every slot of their tasks: only metrics (``judges=False``),
        only judges (``judges=True``; the run's judging stage overlaps its metric stage), or both.

        A metric gets every item of the chunk it scores in one call, whatever task it came from, and the
        metrics run one after another in the calling thread: the scoring order
        :class:`~medgen_core.types.Metric` promises. A judge gets all its modes of the chunk at once.
        """
        metric_jobs: dict[int, tuple[Slot, list[ScoreItem]]] = {}
        judge_jobs: dict[int, tuple[JudgeHandle, list[tuple[JudgeSlot, ScoreItem]]]] = {}
        for instance, items in chunk.by_task():
            saved = list(self._saved_answers(items))
            for slot in self.slots_for(instance.spec):
                if judges is not None and isinstance(slot, JudgeSlot) != judges:
                    continue
                todo = self._todo(slot, saved)
                if isinstance(slot, JudgeSlot):
                    judge_jobs.setdefault(id(slot.handle), (slot.handle, []))[1].extend((slot, i) for i in todo)
                else:
                    metric_jobs.setdefault(id(slot), (slot, []))[1].extend(todo)
        for slot, todo in metric_jobs.values():
            if todo:
                self._record([(slot, item) for item in todo], slot.score(todo))
        for handle, jobs in judge_jobs.values():
            if jobs:
                self._record(jobs, grade(handle, jobs))

    def _todo(self, slot: Slot, saved: list[tuple[Sample, dict[str, Any]]]) -> list[ScoreItem]:
        """The answers ``slot`` has not scored yet; an answer missing the part it reads fails it here."""
        todo: list[ScoreItem] = []
        for sample, pred in saved:
            if (sample.task, sample.id, slot.slot_id) in self.store.score_index:
                continue
            if slot.reads and slot.reads in pred.get("missing", []):
                message = MedgenError(f"the model returned no {slot.reads} for this sample")
                self.store.add_score(score_entry(sample.task, sample.id, slot.slot_id, slot.key, message))
                continue
            todo.append(ScoreItem(sample, pred.get("text"), saved_image(pred, self.store.folder)))
        return todo

    def _record(self, jobs: list[tuple[Slot, ScoreItem]], results: list[Any]) -> None:
        """One scores.jsonl line per result (none when the metric turned out to be unavailable)."""
        for (slot, item), result in zip(jobs, results, strict=False):
            entry = score_entry(item.sample.task, item.sample.id, slot.slot_id, slot.key, result)
            if "error" in entry:
                entry["error"] = scrub(entry["error"], self.secrets)
            self.store.add_score(entry)

    def _saved_answers(self, items: list[Any]) -> Iterator[tuple[Sample, dict[str, Any]]]:
        for item in items:
            if isinstance(item, Sample):
                saved = self.store.prediction(item.task, item.id)
                if saved is not None and not saved.get("error") and not saved.get("not_done"):
                    yield item, saved

    def adopt_keys(self, scores: dict[tuple[str, str], dict[str, dict[str, Any]]]) -> None:
        """Name metrics this process never built by the key their scores were saved under (other ranks')."""
        keys = {mid: entry["metric"] for by_slot in scores.values() for mid, entry in by_slot.items()}
        for slot in self._metric_slots.values():
            if not slot.built and slot.slot_id in keys:
                slot.saved_key = keys[slot.slot_id]

    def state(self) -> dict[str, dict[str, Any]]:
        """What run.json keeps of the slots built so far: key, tier and description, by slot id."""
        out = dict(self.saved)
        for slot in [*self._metric_slots.values(), *self._judge_slots.values()]:
            if not (slot.built if isinstance(slot, MetricSlot) else slot.handle.built):
                continue
            out[slot.slot_id] = {"key": slot.key, "tier": slot.tier, "describe": slot.describe}
        return out


def score_entry(task: str, sample_id: str, slot_id: str, key: str, result: Any) -> dict[str, Any]:
    """The scores.jsonl line for one result: a finite float, the failure's message, or why it was not done."""
    entry: dict[str, Any] = {"task": task, "id": sample_id, "metric_id": slot_id, "metric": key}
    if isinstance(result, BudgetExhausted):
        entry["not_done"] = str(result)
        return entry
    if isinstance(result, BaseException):
        entry["error"] = f"{type(result).__name__}: {result}"
        details = getattr(result, "details", None)
        if details:
            entry["details"] = details
        return entry
    value, details = (result.value, result.details) if isinstance(result, Score) else (result, {})
    try:
        value = float(value)
    except (TypeError, ValueError):
        entry["error"] = f"metric returned {type(value).__name__}, expected a number"
        return entry
    if not math.isfinite(value):
        entry["error"] = f"metric returned a non-finite value ({value})"
        return entry
    entry["value"] = value
    if details:
        entry["details"] = details
    return entry
