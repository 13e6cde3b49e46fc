"""Scoring saved predictions with metrics and the judge, writing each score as it arrives."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medgen_core.plugins import PluginHost
from medgen_core.tasks.spec import JudgeBlock, MetricEntry, TaskSpec, content_hash
from medgen_core.types import (
    ImageRef,
    JudgeRequest,
    JudgeVerdict,
    MedgenError,
    MetricInfo,
    MetricUnavailable,
    Sample,
    Score,
    ScoreItem,
)


@dataclass
class MetricSlot:
    """A metric as one task uses it: registration, YAML entry, and the live object once built."""

    info: MetricInfo
    entry: MetricEntry
    metric_id: str
    instance: Any = None
    unavailable: str | None = None

    @property
    def threshold(self) -> float | None:
        return self.entry.threshold if self.entry.threshold is not None else self.info.threshold

    @property
    def higher_is_better(self) -> bool:
        return self.entry.higher_is_better if self.entry.higher_is_better is not None else self.info.higher_is_better

    @property
    def key(self) -> str:
        return getattr(self.instance, "key", None) or self.info.name


def metric_id(entry: MetricEntry) -> str:
    """Stable id of a metric with its arguments: what resumed runs match scores by."""
    if not entry.args:
        return entry.metric
    return f"{entry.metric}#{content_hash(entry.args)[:12]}"


@dataclass
class Scorer:
    """Builds each metric once per run and scores chunks of samples with it."""

    host: PluginHost
    run_folder: Path
    missing_metrics: dict[str, str] = field(default_factory=dict)
    _slots: dict[str, MetricSlot] = field(default_factory=dict)

    def slots_for(self, spec: TaskSpec) -> list[MetricSlot]:
        slots = []
        for entry in spec.metric_list:
            if entry.metric not in self.host.metrics:
                self.missing_metrics[entry.metric] = (
                    f"metric {entry.metric!r} (task {spec.task!r}) is not installed; install its plugin "
                    "(see `medgen ls metrics`)"
                )
                continue
            mid = metric_id(entry)
            slot_key = f"{spec.task}|{mid}|{entry.threshold}|{entry.higher_is_better}"
            if slot_key not in self._slots:
                self._slots[slot_key] = MetricSlot(self.host.metrics[entry.metric], entry, mid)
            slots.append(self._slots[slot_key])
        return slots

    def instance(self, slot: MetricSlot) -> Any:
        if slot.instance is None and slot.unavailable is None:
            shared = next(
                (s.instance for s in self._slots.values() if s.metric_id == slot.metric_id and s.instance), None
            )
            try:
                slot.instance = shared or slot.info.factory(**slot.entry.args)
            except MetricUnavailable as exc:
                slot.unavailable = str(exc)
            except TypeError as exc:
                raise MedgenError(f"metric {slot.info.name!r}: bad arguments {slot.entry.args}: {exc}") from None
        return slot.instance

    def score(self, slot: MetricSlot, items: list[ScoreItem]) -> list[float | Score | BaseException]:
        """One result per item; a batch that raises is retried item by item, so a bad sample fails alone.

        An empty list means the metric is unavailable here (``slot.unavailable`` says why).
        """
        metric = self.instance(slot)
        if metric is None:
            return []
        try:
            results = list(metric.score(items))
            if len(results) != len(items):
                raise MedgenError(f"metric {slot.key!r} returned {len(results)} scores for {len(items)} items")
            return results
        except MetricUnavailable as exc:
            slot.unavailable = str(exc)
            return []
        except Exception as exc:
            if len(items) == 1:
                return [exc]
        results = []
        for item in items:
            one = self.score(slot, [item])
            if not one:
                return []
            results += one
        return results


def score_entry(task: str, sample_id: str, slot_id: str, key: str, result: Any) -> dict[str, Any]:
    """The scores.jsonl line for one result: a finite float, or the failure's message."""
    entry: dict[str, Any] = {"task": task, "id": sample_id, "metric_id": slot_id, "metric": key}
    if isinstance(result, BaseException):
        entry["error"] = f"{type(result).__name__}: {result}"
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


def judge_request(
    block: JudgeBlock, mode: str, sample: Sample, text: str | None, image: ImageRef | None
) -> JudgeRequest:
    """Labelled images per the protocol: with GT the judge sees the reference, without it only input and output."""
    images: list[tuple[str, ImageRef]] = []
    for i, ref in enumerate(sample.input_images):
        images.append((f"Input {i + 1}" if len(sample.input_images) > 1 else "Input", ref))
    if mode == "with_reference" and sample.reference_image is not None:
        images.append(("Ground Truth", sample.reference_image))
    if image is not None:
        images.append(("Output", image))
    return JudgeRequest(
        sample=sample,
        mode=mode,  # type: ignore[arg-type]
        prediction_text=text,
        images=images,
        reference_text=sample.answer if mode == "with_reference" else None,
        rubric=block.to_rubric(sample.task),
    )


def check_verdict(verdict: Any, dimensions: list[str]) -> JudgeVerdict:
    """A verdict with every score in 1-10, or an error (which the runner retries, then records)."""
    if isinstance(verdict, BaseException):
        raise verdict
    if not isinstance(verdict, JudgeVerdict):
        raise MedgenError(f"judge returned {type(verdict).__name__}, expected JudgeVerdict")
    scores = {"overall": verdict.overall, **verdict.dimensions}
    for name, value in scores.items():
        if not isinstance(value, (int, float)) or not 1 <= float(value) <= 10:
            raise MedgenError(f"judge score {name!r} is {value!r}, outside 1-10")
    return verdict
