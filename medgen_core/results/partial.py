"""Results and samples of a run that has not finished, rebuilt read-only from run.json and its journals.

What such a view holds, precisely:
- samples: every sample with a saved prediction (the last one saved, as a
  resumed run would use), with every score saved so far;
- per task and metric: the same numbers as results.json (mean, 95% CI, pass
  rate), over those samples; a sample whose prediction is saved but that a
  metric has not scored yet counts in ``n_not_done`` (in no rate), like a
  sample left out by a budget; a failed prediction fails every metric the
  task has shown so far;
- a metric appears once it has scored (or failed) one sample of the task, so
  a metric that is unavailable, or not reached yet, is not listed;
- not yet: group rows, the panel mean of several judges, judge agreement,
  usage totals; they come with results.json when the run finishes.
Nothing is written: the journals of a live run are only read, and a torn last
line is left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medgen_core.results.files import PREDICTIONS, RUN, SCORES, ResultsError, read_journal
from medgen_core.results.keys import parse_key
from medgen_core.results.samples import SampleRecord
from medgen_core.results.schema import SCHEMA_VERSION, Partial, RunResults

NOT_YET = "not scored yet (the run has not finished)"
_RUN_KEYS = ("medgen_version", "python", "plugins", "command", "model", "judges", "seed", "limit", "data_root")
_RUN_KEYS += ("predict_only", "created", "finished", "warnings")


def rebuild(folder: Path, reason: str) -> tuple[RunResults, list[SampleRecord]]:
    import json

    run_path = folder / RUN
    if not run_path.is_file():
        raise ResultsError(f"{folder}: {reason}, and there is no {RUN} to rebuild the results from")
    config = json.loads(run_path.read_text(encoding="utf-8"))
    predictions: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in read_journal(folder / PREDICTIONS):
        predictions[(entry["task"], entry["id"])] = entry
    scores: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    n_scores = 0
    for entry in read_journal(folder / SCORES):
        scores.setdefault((entry["task"], entry["id"]), {})[entry["metric_id"]] = entry
        n_scores += 1
    task_keys: dict[str, dict[str, str]] = {}  # task -> metric_id -> key, in first-seen order
    for (task, _), entries in scores.items():
        for metric_id, entry in entries.items():
            task_keys.setdefault(task, {}).setdefault(metric_id, entry.get("metric") or metric_id)
    rules = _Rules(config)
    lines = [_sample(pred, scores.get(key, {}), task_keys.get(key[0], {})) for key, pred in predictions.items()]
    results = {
        "schema_version": SCHEMA_VERSION,
        "results": _summaries(lines, task_keys, rules, config),
        "n_samples": {_label(config, task): n for task, n in _counts(predictions.values()).items()},
        "versions": {_label(config, name): task["version"] for name, task in config.get("tasks", {}).items()},
        "config": {
            **{k: config[k] for k in _RUN_KEYS if k in config},
            "tasks": {
                name: {"hash": t["hash"], "version": t["version"], "path": t.get("path")}
                for name, t in config.get("tasks", {}).items()
            },
            "data_hashes": _data_hashes(predictions.values()),
        },
    }
    parsed = RunResults.model_validate(results)
    parsed.partial = Partial(reason=reason, predictions=len(predictions), scores=n_scores)
    return parsed, [SampleRecord.model_validate(line) for line in lines]


def _sample(pred: dict[str, Any], entries: dict[str, dict[str, Any]], keys: dict[str, str]) -> dict[str, Any]:
    """A samples.jsonl-shaped line from the journals (see finalise for the finished form)."""
    line = {k: pred.get(k) for k in ("id", "task", "modality", "subtask", "format", "source", "prompt")}
    line["inputs"] = {"images": pred.get("inputs") or [], "reference_image": pred.get("reference_image")}
    line["prediction"] = {"text": pred.get("text"), "image": pred.get("image"), "latency_s": pred.get("latency_s")}
    line.update(reference_text=pred.get("reference_text"), error=pred.get("error"))
    line.update(scores={}, failures={}, not_done={}, judges={})
    for metric_id, key in keys.items():
        entry = entries.get(metric_id)
        if pred.get("not_done"):
            line["not_done"][key] = f"not run: {pred['not_done']}"
        elif pred.get("error"):
            line["failures"][key] = f"prediction failed: {pred['error']}"
        elif entry is None:
            line["not_done"][key] = NOT_YET
        elif entry.get("not_done"):
            line["not_done"][key] = f"not scored: {entry['not_done']}"
        elif "error" in entry:
            line["failures"][key] = entry["error"]
        else:
            line["scores"][key] = float(entry["value"])
        parsed = parse_key(key)
        if parsed.tier == "holistic" and parsed.judge and entry is not None:
            line["judges"].setdefault(parsed.judge, {})[parsed.mode or "?"] = _verdict(line, key, entry)
    return line


def _verdict(line: dict[str, Any], key: str, entry: dict[str, Any]) -> dict[str, Any]:
    if key in line["scores"]:
        details = entry.get("details") or {}
        shown = {k: details[k] for k in ("dimensions", "explanations", "analysis") if k in details}
        return {"overall": line["scores"][key], **shown}
    if key in line["not_done"]:
        return {"not_judged": line["not_done"][key]}
    return {"error": line["failures"].get(key, "no verdict")}


class _Rules:
    """Each task's threshold and direction per metric id, from run.json's task specs (registry defaults)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.tasks = config.get("tasks", {})
        self._defaults: dict[str, Any] | None = None

    def __call__(self, task: str, metric_id: str) -> tuple[float | None, bool]:
        spec = self.tasks.get(task, {}).get("spec", {})
        if metric_id.startswith("judge:"):
            return float((spec.get("judge") or {}).get("threshold", 8.0)), True
        name = metric_id.split("#", 1)[0]
        entry = next((e for e in spec.get("metric_list", []) if e.get("metric") == name), {})
        info = self.defaults().get(name)
        threshold = entry.get("threshold")
        if threshold is None and info is not None:
            threshold = info.threshold
        higher = entry.get("higher_is_better")
        if higher is None:
            higher = info.higher_is_better if info is not None else True
        return threshold, bool(higher)

    def defaults(self) -> dict[str, Any]:
        if self._defaults is None:
            from medgen_core.plugins import get_host

            self._defaults = get_host().metrics
        return self._defaults


def _summaries(
    lines: list[dict[str, Any]], task_keys: dict[str, dict[str, str]], rules: _Rules, config: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    from medgen_core.results.aggregate import Column

    scorers = config.get("scorers", {})
    columns: dict[str, dict[str, Column]] = {}
    for task in sorted({line["task"] for line in lines}):
        columns[task] = {}
        for metric_id, key in task_keys.get(task, {}).items():
            threshold, higher = rules(task, metric_id)
            tier = (scorers.get(metric_id) or {}).get("tier") or parse_key(key).tier
            columns[task][key] = Column(key, tier, higher, {task: threshold})
    for line in lines:
        for key, column in columns[line["task"]].items():
            value = line["scores"].get(key)
            column.add(line["task"], value, not_done=key in line["not_done"])
    seed = int(config.get("seed", 0))
    return {
        _label(config, task): {k: c.summary(seed) for k, c in sorted(cols.items())} for task, cols in columns.items()
    }


def _label(config: dict[str, Any], task: str) -> str:
    """How results name a task: ``task[modality=mri]`` when a group's filter narrowed it (run.json's label)."""
    return config.get("tasks", {}).get(task, {}).get("label") or task


def _counts(predictions: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for pred in predictions:
        count = out.setdefault(pred["task"], {"total": 0, "failed_predictions": 0, "not_done": 0})
        count["total"] += 1
        count["failed_predictions"] += bool(pred.get("error"))
        count["not_done"] += bool(pred.get("not_done"))
    return dict(sorted(out.items()))


def _data_hashes(predictions: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for pred in predictions:
        out.setdefault(pred["task"], {})[pred["id"]] = pred.get("data_hash", "")
    return out
