"""One run folder on disk: what ran, every prediction and score, and the lock.

Layout of ``DIR``:
  run.json          identity of the run (model, judge, task spec hashes, seed, ...)
  predictions.jsonl one line per sample, appended as each model answer arrives
  scores.jsonl      one line per (sample, metric), appended as each score arrives
  images/           model output images, named by their SHA-256
  results.json      aggregates (rewritten at the end of each run or ``medgen score``)
  samples.jsonl     per-sample view: inputs, prediction, scores, failures

A rerun with the same identity resumes; a different identity is refused.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medgen_core.run.journal import Journal, write_atomic
from medgen_core.types import MedgenError


class RunMismatch(MedgenError):
    """An existing run folder was made by a different model, judge, seed or task spec."""


@dataclass
class PredictionIndex:
    offset: int
    data_hash: str
    failed: bool
    not_done: bool  # left out on purpose (a budget was reached): a resumed run asks again

    @classmethod
    def of(cls, offset: int, entry: dict[str, Any]) -> PredictionIndex:
        return cls(offset, entry.get("data_hash", ""), bool(entry.get("error")), bool(entry.get("not_done")))


class RunStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._lock_handle = (folder / ".lock").open("w")
        try:
            fcntl.flock(self._lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MedgenError(f"{folder} is in use by another medgen process") from None
        self.images = folder / "images"
        self.predictions = Journal(folder / "predictions.jsonl")
        self.scores = Journal(folder / "scores.jsonl")
        self.prediction_index: dict[tuple[str, str], PredictionIndex] = {}
        self.score_index: set[tuple[str, str, str]] = set()
        self._load_indexes()

    def _load_indexes(self) -> None:
        for offset, entry in self.predictions.entries():
            self.prediction_index[(entry["task"], entry["id"])] = PredictionIndex.of(offset, entry)
        for _, entry in self.scores.entries():
            self._index_score(entry)

    # run.json -----------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.folder / "run.json"

    def load_config(self) -> dict[str, Any] | None:
        if not self.config_path.exists():
            return None
        return json.loads(self.config_path.read_text(encoding="utf-8"))

    def save_config(self, config: dict[str, Any]) -> None:
        write_atomic(self.config_path, json.dumps(config, indent=2, sort_keys=True, default=str))

    def reconcile(self, new: dict[str, Any]) -> dict[str, Any]:
        """Merge ``new`` into the folder's run.json, refusing what would mix different runs."""
        old = self.load_config()
        if old is None:
            self.save_config(new)
            return new
        problems = []
        if old["model"]["hash"] != new["model"]["hash"]:
            problems.append(f"model: this folder has {_who(old['model'])}, the command asks for {_who(new['model'])}")
        if old["seed"] != new["seed"]:
            problems.append(f"seed: this folder has {old['seed']}, the command asks for {new['seed']}")
        for name, task in new["tasks"].items():
            before = old["tasks"].get(name)
            if before and before["hash"] != task["hash"]:
                problems.append(_task_change(name, before, task))
        if problems and not self.prediction_index and not self.score_index:
            self.save_config(new)  # nothing was computed yet (e.g. a mistyped --model_args): start afresh
            return new
        if problems:
            raise RunMismatch(
                f"{self.folder} holds a different run, so resuming it would mix results:\n  - "
                + "\n  - ".join(problems)
                + "\nUse another --output_path, or delete the folder to start over."
            )
        merged = {
            **old,
            **new,
            "tasks": {**old["tasks"], **new["tasks"]},
            "groups": {**old.get("groups", {}), **new["groups"]},
        }
        merged["judges"] = merge_judges(old.get("judges", []), new.get("judges", []))
        merged["scorers"] = {**old.get("scorers", {}), **new.get("scorers", {})}
        merged["created"] = old.get("created", new.get("created"))
        self.save_config(merged)
        return merged

    # journals -------------------------------------------------------------------
    def add_prediction(self, entry: dict[str, Any]) -> None:
        offset = self.predictions.append(entry)
        self.prediction_index[(entry["task"], entry["id"])] = PredictionIndex.of(offset, entry)

    def prediction(self, task: str, sample_id: str) -> dict[str, Any] | None:
        found = self.prediction_index.get((task, sample_id))
        return None if found is None else self.predictions.read_at(found.offset)

    def add_score(self, entry: dict[str, Any]) -> None:
        self.scores.append(entry)
        self._index_score(entry)

    def _index_score(self, entry: dict[str, Any]) -> None:
        """Scores left out on purpose (``not_done``) stay unindexed, so a resumed run scores them."""
        key = (entry["task"], entry["id"], entry["metric_id"])
        if entry.get("not_done"):
            self.score_index.discard(key)
        else:
            self.score_index.add(key)

    def latest_scores(self) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
        """(task, id) -> slot id -> its last scores.jsonl entry."""
        out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for _, entry in self.scores.entries():
            out.setdefault((entry["task"], entry["id"]), {})[entry["metric_id"]] = entry
        return out

    def clear_scores(self, keep: Callable[[dict[str, Any]], bool]) -> None:
        """Forget every score but those ``keep`` accepts (rewritten atomically)."""
        kept = [entry for _, entry in self.scores.entries() if keep(entry)]
        self.scores.rewrite(kept)
        self.score_index.clear()
        for entry in kept:
            self._index_score(entry)

    def close(self) -> None:
        self.predictions.close()
        self.scores.close()
        self._lock_handle.close()


def _task_change(name: str, before: dict[str, Any], now: dict[str, Any]) -> str:
    """What changed in a task since the folder's run, in the user's terms."""
    old_over, new_over = before.get("overrides") or {}, now.get("overrides") or {}
    for option in ("metric_args", "gen_kwargs"):
        if old_over.get(option) != new_over.get(option):
            return (
                f"task {name!r}: --{option} changed (this folder used {json.dumps(old_over.get(option) or {})}, "
                f"the command gives {json.dumps(new_over.get(option) or {})})"
            )
    if before.get("extra_filter") != now.get("extra_filter"):
        return (
            f"task {name!r}: this folder ran it as {before.get('label', name)!r}, the command asks for "
            f"{now.get('label', name)!r} (another subset)"
        )
    return (
        f"task {name!r}: its YAML spec changed since this run started (hash {before['hash'][:12]} -> "
        f"{now['hash'][:12]}, {now['path']})"
    )


def merge_judges(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Judges accumulate: a folder keeps every judge that graded it (a panel may grow run by run)."""
    merged = {j["hash"]: j for j in old}
    for judge in new:
        merged[judge["hash"]] = {**merged.get(judge["hash"], {}), **judge}
    return list(merged.values())


def _who(identity: dict[str, Any]) -> str:
    return f"{identity['name']} {json.dumps(identity.get('args', {}), sort_keys=True)}"
