"""Turning a run folder's journals into results.json and samples.jsonl.

Both files are rewritten whole and atomically from the journals, so they are
always consistent with what was saved, however often a run was interrupted.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from medgen_core.run.aggregate import passes, summarise
from medgen_core.run.journal import write_atomic
from medgen_core.run.scoring import Scorer
from medgen_core.run.store import RunStore


@dataclass
class MetricColumn:
    """Everything needed to summarise one metric of one task."""

    key: str
    threshold: float | None
    higher_is_better: bool
    values: list[float] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)
    n_total: int = 0
    unavailable: str | None = None
    describe: dict[str, Any] | None = None


def _columns(
    spec: dict[str, Any], scorer: Scorer, judged: bool, stored_keys: dict[str, str]
) -> dict[str, MetricColumn]:
    """metric_id -> column, for the metrics this task uses that are installed (and the judge modes).

    A metric's key (its name in results) comes from its saved scores; only a
    metric with none is built here to ask it.
    """
    from medgen_core.tasks.spec import TaskSpec

    columns: dict[str, MetricColumn] = {}
    for slot in scorer.slots_for(TaskSpec(**spec)):
        if slot.instance is None and slot.metric_id not in stored_keys:
            scorer.instance(slot)
        key = stored_keys.get(slot.metric_id, slot.key) if slot.instance is None else slot.key
        describe = getattr(slot.instance, "describe", None)
        columns[slot.metric_id] = MetricColumn(
            key,
            slot.threshold,
            slot.higher_is_better,
            unavailable=slot.unavailable,
            describe=describe() if callable(describe) else None,
        )
    judge = spec.get("judge")
    if judged and judge:
        for mode in judge["modes"]:
            columns[f"judge:{mode}"] = MetricColumn(f"judge_overall[{mode}]", judge["threshold"], True)
    return columns


def finalise(
    store: RunStore,
    config: dict[str, Any],
    keys: dict[tuple[str, str], list[str]],
    scorer: Scorer,
    predict_only: bool,
) -> dict[str, Any]:
    scores: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    stored_keys: dict[str, str] = {}
    for _, entry in store.scores.entries():
        scores.setdefault((entry["task"], entry["id"]), {})[entry["metric_id"]] = entry
        stored_keys[entry["metric_id"]] = entry["metric"]
    tasks_in_run = {task for task, _ in keys}
    judged = bool(config.get("judge"))
    columns = {
        task: ({} if predict_only else _columns(config["tasks"][task]["spec"], scorer, judged, stored_keys))
        for task in tasks_in_run
    }
    group_columns: dict[str, dict[str, MetricColumn]] = {g: {} for g in config.get("groups", {})}
    data_hashes: dict[str, dict[str, str]] = {}
    failed_predictions: dict[str, int] = {}
    samples_path = store.folder / "samples.jsonl"
    tmp = samples_path.with_name(f".samples.jsonl.tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as handle:
        for (task, sample_id), groups in keys.items():
            pred = store.prediction(task, sample_id) or {}
            data_hashes.setdefault(task, {})[sample_id] = pred.get("data_hash", "")
            failed_predictions[task] = failed_predictions.get(task, 0) + bool(pred.get("error"))
            sample_scores, failures = {}, {}
            for mid, column in columns[task].items():
                entry = scores.get((task, sample_id), {}).get(mid)
                column.n_total += 1
                value = None
                if pred.get("error"):
                    failures[column.key] = f"prediction failed: {pred['error']}"
                elif column.unavailable:
                    failures[column.key] = f"metric unavailable: {column.unavailable}"
                elif entry is None:
                    failures[column.key] = "not scored"
                elif "error" in entry:
                    failures[column.key] = entry["error"]
                else:
                    value = entry["value"]
                    sample_scores[column.key] = value
                    if entry.get("details"):
                        sample_scores[f"{column.key}.details"] = entry["details"]
                _add(column, value)
                for group in groups:
                    pooled = group_columns[group].setdefault(
                        column.key, MetricColumn(column.key, column.threshold, column.higher_is_better)
                    )
                    pooled.unavailable = pooled.unavailable or column.unavailable
                    pooled.n_total += 1
                    _add(pooled, value, column)
            handle.write(json.dumps(_sample_line(pred, sample_scores, failures), ensure_ascii=False) + "\n")
    os.replace(tmp, samples_path)  # streamed to a temporary file, then swapped in whole
    seed = int(config["seed"])
    results = {
        "results": {task: _summaries(cols, seed) for task, cols in sorted(columns.items())},
        "groups": {
            group: {**_summaries(cols, seed), "tasks": config["groups"][group]["tasks"]}
            for group, cols in sorted(group_columns.items())
        },
        "n_samples": {
            task: {"total": len(data_hashes.get(task, {})), "failed_predictions": failed_predictions.get(task, 0)}
            for task in sorted(tasks_in_run)
        },
        "versions": {task: config["tasks"][task]["version"] for task in sorted(tasks_in_run)},
        "config": _results_config(config, data_hashes, columns, scorer),
    }
    write_atomic(store.folder / "results.json", json.dumps(results, indent=2, sort_keys=False, default=str))
    return results


def _add(column: MetricColumn, value: float | None, judged_by: MetricColumn | None = None) -> None:
    """Record one sample's value (None: failed) with its pass flag, judged by its own task's threshold."""
    rule = judged_by or column
    if value is None:
        column.passed.append(False)
        return
    column.values.append(value)
    column.passed.append(rule.threshold is not None and passes(value, rule.threshold, rule.higher_is_better))


def _summaries(columns: dict[str, MetricColumn], seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in sorted(columns.values(), key=lambda c: c.key):
        if column.unavailable:
            out[column.key] = {"unavailable": column.unavailable, "n": column.n_total, "n_failed": column.n_total}
            continue
        summary = summarise(column.values, column.n_total, column.threshold, column.higher_is_better, seed)
        if column.threshold is not None and column.n_total:
            summary["pass_rate"] = sum(column.passed) / column.n_total
        out[column.key] = summary
    return out


def _sample_line(pred: dict[str, Any], scores: dict[str, Any], failures: dict[str, str]) -> dict[str, Any]:
    line = {k: pred.get(k) for k in ("id", "task", "modality", "subtask", "format", "source")}
    line["inputs"] = {"images": pred.get("inputs", []), "reference_image": pred.get("reference_image")}
    line["prediction"] = {"text": pred.get("text"), "image": pred.get("image"), "latency_s": pred.get("latency_s")}
    if pred.get("usage"):
        line["prediction"]["usage"] = pred["usage"]
    line["reference_text"] = pred.get("reference_text")
    line["error"] = pred.get("error")
    line["scores"] = scores
    line["failures"] = failures
    return line


def _results_config(
    config: dict[str, Any],
    data_hashes: dict[str, dict[str, str]],
    columns: dict[str, dict[str, MetricColumn]],
    scorer: Scorer,
) -> dict[str, Any]:
    keep = (
        "medgen_version",
        "python",
        "plugins",
        "command",
        "model",
        "judge",
        "seed",
        "limit",
        "data_root",
        "predict_only",
        "created",
        "finished",
        "warnings",
    )
    out = {k: config.get(k) for k in keep}
    out["tasks"] = {
        name: {"hash": t["hash"], "version": t["version"], "path": t["path"]}
        for name, t in config["tasks"].items()
        if name in data_hashes
    }
    out["data_hashes"] = data_hashes
    out["metrics"] = {c.key: c.describe for cols in columns.values() for c in cols.values() if c.describe}
    if scorer.missing_metrics:
        out["metrics_not_installed"] = scorer.missing_metrics
    out["aggregation"] = (
        "mean and 95% percentile bootstrap CI (1000 resamples, seed) over scored samples; pass_rate over all "
        "samples, failures counting as not passing; groups pool their tasks' samples"
    )
    return out
