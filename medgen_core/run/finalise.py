"""Turning a run folder's journals into results.json and samples.jsonl.

Both files are rewritten whole and atomically from the journals, so they are
always consistent with what was saved, however often a run was interrupted.
Metric keys, tiers and descriptions come from the scoring slots and what
run.json saved of them: nothing is built here just to learn a name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from medgen_core.results.aggregate import Column
from medgen_core.results.schema import SCHEMA_VERSION, RunResults
from medgen_core.run.failures import FailureTally
from medgen_core.run.holistic import Holistic
from medgen_core.run.journal import write_atomic
from medgen_core.run.judging import JudgeSlot
from medgen_core.run.scoring import Scorer, Slot
from medgen_core.run.store import RunStore
from medgen_core.run.usage import UsageTotals
from medgen_core.tasks.spec import TaskSpec

RESULTS_NOTE = (
    "mean and 95% percentile bootstrap CI (1000 resamples, seed) over scored samples; pass_rate over all attempted "
    "samples, failures counting as not passing; n_not_done (a budget was reached) counts in no rate; groups pool "
    "their tasks' samples, each judged by its own task's threshold"
)


def finalise(
    store: RunStore,
    config: dict[str, Any],
    memberships: dict[tuple[str, str], list[str]],
    scorer: Scorer,
    predict_only: bool,
) -> dict[str, Any]:
    """Write samples.jsonl and results.json for the samples in ``memberships`` (task, id -> groups)."""
    scores = store.latest_scores()
    tasks_in_run = sorted({task for task, _ in memberships})
    slots = {task: [] if predict_only else _slots(scorer, config["tasks"][task]["spec"]) for task in tasks_in_run}
    columns = {task: {s.slot_id: _column(s, task) for s in slots[task]} for task in tasks_in_run}
    group_columns: dict[str, dict[str, Column]] = {g: {} for g in config.get("groups", {})}
    holistic = Holistic(config["seed"])
    usage = UsageTotals()
    data_hashes: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    group_counts: dict[str, dict[str, int]] = {g: {} for g in config.get("groups", {})}
    failures = FailureTally()
    samples_path = store.folder / "samples.jsonl"
    tmp = samples_path.with_name(f".samples.jsonl.tmp{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            for (task, sample_id), groups in memberships.items():
                pred = store.prediction(task, sample_id) or {"task": task, "id": sample_id}
                for group in groups:
                    group_counts[group][task] = group_counts[group].get(task, 0) + 1
                failures.prediction(_label(config, task), pred)
                data_hashes.setdefault(task, {})[sample_id] = pred.get("data_hash", "")
                count = counts.setdefault(task, {"total": 0, "failed_predictions": 0, "not_done": 0})
                count["total"] += 1
                count["failed_predictions"] += bool(pred.get("error"))
                count["not_done"] += bool(pred.get("not_done") or "data_hash" not in pred)
                usage.add("model", pred.get("usage"))
                found = scores.get((task, sample_id), {})
                line = _sample_line(pred)
                for slot in slots[task]:
                    entry = found.get(slot.slot_id)
                    value, not_done, why = _outcome(pred, slot, entry)
                    if why is not None:
                        line["failures" if not not_done else "not_done"][slot.key] = why
                        if not not_done and not pred.get("error"):
                            failures.score(_label(config, task), slot.key, why, pred)
                    elif value is not None:
                        line["scores"][slot.key] = value
                        if entry and entry.get("details") and slot.tier != "holistic":
                            line["scores"][f"{slot.key}.details"] = entry["details"]
                    for column in _columns_of(columns[task][slot.slot_id], group_columns, groups, slot, task):
                        column.add(task, value, not_done)
                    if isinstance(slot, JudgeSlot):
                        holistic.add(task, sample_id, slot, entry, value, not_done, why, line)
                        usage.add(f"judge:{slot.handle.key}", (entry or {}).get("details", {}).get("usage"))
                holistic.finish_sample(task, sample_id, groups, line)
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(tmp, samples_path)  # streamed to a temporary file, then swapped in whole
    finally:
        tmp.unlink(missing_ok=True)
    seed = int(config["seed"])
    task_results = {_label(config, t): _summaries(cols.values(), seed) for t, cols in columns.items()}
    group_results = {g: _summaries(cols.values(), seed) for g, cols in sorted(group_columns.items())}
    holistic.summarise_into(task_results, group_results)
    for group, result in group_results.items():
        members = config["groups"][group]["tasks"]
        result["tasks"] = members
        empty = [t for t in members if not group_counts[group].get(t)]
        if empty:  # e.g. a modality group over data where some tasks have no sample of that modality
            result["empty_tasks"] = empty
    n_samples = {_label(config, task): counts.get(task, {}) for task in tasks_in_run}
    results = {
        "schema_version": SCHEMA_VERSION,
        "results": task_results,
        "groups": group_results,
        "holistic": holistic.details(),
        "n_samples": n_samples,
        "failures": failures.summary(n_samples, task_results),
        "usage": usage.totals(),
        "versions": {_label(config, task): config["tasks"][task]["version"] for task in tasks_in_run},
        "config": _results_config(config, data_hashes, scorer),
    }
    RunResults.model_validate(results)  # what is written reads back through the schema
    write_atomic(store.folder / "results.json", json.dumps(results, indent=2, sort_keys=False, default=str))
    return results


def _label(config: dict[str, Any], task: str) -> str:
    return config["tasks"][task].get("label", task)


def _slots(scorer: Scorer, spec: dict[str, Any]) -> list[Slot]:
    return scorer.slots_for(TaskSpec(**spec))


def _column(slot: Slot, task: str) -> Column:
    return Column(slot.key, slot.tier, slot.higher_is_better, {task: slot.threshold}, unavailable=slot.unavailable)


def _columns_of(
    own: Column, group_columns: dict[str, dict[str, Column]], groups: list[str], slot: Slot, task: str
) -> Iterator[Column]:
    """The sample's task column and the pooled column of every group it counts in."""
    own.unavailable = slot.unavailable
    yield own
    for group in groups:
        pooled = group_columns[group].setdefault(slot.key, Column(slot.key, slot.tier, slot.higher_is_better))
        pooled.thresholds.setdefault(task, slot.threshold)
        pooled.unavailable = pooled.unavailable or slot.unavailable
        yield pooled


def _outcome(pred: dict[str, Any], slot: Slot, entry: dict[str, Any] | None) -> tuple[float | None, bool, str | None]:
    """(value, not done, why not) of one sample under one slot."""
    if "data_hash" not in pred or pred.get("not_done"):  # nothing saved yet (interrupted), or left out on purpose
        return None, True, f"not run: {pred.get('not_done', 'no prediction saved yet')}"
    if pred.get("error"):
        return None, False, f"prediction failed: {pred['error']}"
    if slot.unavailable:
        return None, False, f"metric unavailable: {slot.unavailable}"
    if entry is None:
        return None, False, "not scored"
    if entry.get("not_done"):
        return None, True, f"not scored: {entry['not_done']}"
    if "error" in entry:
        return None, False, entry["error"]
    return float(entry["value"]), False, None


def _summaries(columns: Any, seed: int) -> dict[str, Any]:
    return {column.key: column.summary(seed) for column in sorted(columns, key=lambda c: c.key)}


def _sample_line(pred: dict[str, Any]) -> dict[str, Any]:
    line = {k: pred.get(k) for k in ("id", "task", "modality", "subtask", "format", "source")}
    line["inputs"] = {"images": pred.get("inputs", []), "reference_image": pred.get("reference_image")}
    line["prompt"] = pred.get("prompt")
    line["prediction"] = {"text": pred.get("text"), "image": pred.get("image"), "latency_s": pred.get("latency_s")}
    if pred.get("usage"):
        line["prediction"]["usage"] = pred["usage"]
    line["reference_text"] = pred.get("reference_text")
    line["error"] = pred.get("error")
    line["scores"] = {}
    line["failures"] = {}
    line["not_done"] = {}
    return line


def _results_config(config: dict[str, Any], data_hashes: dict[str, dict[str, str]], scorer: Scorer) -> dict[str, Any]:
    keep = (
        "medgen_version",
        "python",
        "plugins",
        "command",
        "model",
        "judges",
        "seed",
        "limit",
        "data_root",
        "predict_only",
        "created",
        "finished",
        "rescored",
        "warnings",
    )
    out = {k: config.get(k) for k in keep if k in config}
    out["tasks"] = {
        name: {"hash": t["hash"], "version": t["version"], "path": t["path"], "label": t.get("label", name)}
        for name, t in config["tasks"].items()
        if name in data_hashes
    }
    out["data_hashes"] = data_hashes
    described = {**config.get("scorers", {}), **scorer.state()}
    out["metrics"] = {s["key"]: s["describe"] for s in described.values() if s.get("describe")}
    out["aggregation"] = RESULTS_NOTE
    return out
