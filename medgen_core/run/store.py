"""One run folder on disk: what ran, every prediction and score, and the lock.

Layout of ``DIR``:
  run.json          identity of the run (model, judge, task spec hashes, seed, ...)
  predictions.jsonl one line per sample, appended as each model answer arrives
  scores.jsonl      one line per (sample, metric), appended as each score arrives
  *.rankN.jsonl     the same journals of rank N > 0 of a data-parallel run (every process reads all of them)
  images/           model output images, named by their SHA-256
  results.json      aggregates (rewritten at the end of each run or ``medgen score``)
  samples.jsonl     per-sample view: inputs, prediction, scores, failures

A rerun with the same identity resumes; a different identity is refused.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medgen_core.run.journal import Journal, write_atomic
from medgen_core.types import MedgenError


class RunMismatch(MedgenError):
    """An existing run folder was made by a different model, judge, seed or task spec."""


@dataclass
class PredictionIndex:
    journal: Journal
    offset: int
    data_hash: str
    failed: bool
    not_done: bool  # left out on purpose (a budget was reached): a resumed run asks again

    @classmethod
    def of(cls, journal: Journal, offset: int, entry: dict[str, Any]) -> PredictionIndex:
        return cls(journal, offset, entry.get("data_hash", ""), bool(entry.get("error")), bool(entry.get("not_done")))


def _settles(new: PredictionIndex, old: PredictionIndex) -> bool:
    """A retry in another rank's journal replaces a failed or not-done answer, never a good one."""
    return (old.failed or old.not_done) and not (new.failed or new.not_done)


def journal_name(kind: str, rank: int) -> str:
    """``predictions.jsonl`` for rank 0 (and any single process), ``predictions.rank3.jsonl`` for rank 3."""
    return f"{kind}.jsonl" if rank == 0 else f"{kind}.rank{rank}.jsonl"


class RunStore:
    """A run folder, opened by one process, or by one rank of a data-parallel run (``rank`` of ``world``)."""

    def __init__(self, folder: Path, rank: int = 0, world: int = 1) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._locks = [self._lock(".lock", exclusive=world == 1)]  # a single process excludes every rank
        if world > 1:
            self._locks.append(self._lock(f".lock.rank{rank}", exclusive=True))
        self.images = folder / "images"
        self.predictions = Journal(folder / journal_name("predictions", rank))
        self.scores = Journal(folder / journal_name("scores", rank))
        self.prediction_index: dict[tuple[str, str], PredictionIndex] = {}
        self.score_index: set[tuple[str, str, str]] = set()
        self.reload()

    def _lock(self, name: str, exclusive: bool) -> Any:
        handle = (self.folder / name).open("w")
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise MedgenError(f"{self.folder} is in use by another medgen process") from None
        return handle

    def _all(self, kind: str) -> list[Journal]:
        """Every rank's journal of ``kind``, this process's own included, rank 0 first."""
        own = self.predictions if kind == "predictions" else self.scores
        others = sorted(self.folder.glob(f"{kind}.rank*.jsonl"), key=lambda p: int(p.name.split("rank")[1][:-6]))
        paths = [self.folder / f"{kind}.jsonl", *others]
        return [own if path == own.path else Journal(path) for path in paths]

    def reload(self) -> None:
        """(Re)build the indexes from every rank's journals (rank 0 does it again before merging)."""
        self.prediction_index.clear()
        self.score_index.clear()
        for journal in self._all("predictions"):
            for offset, entry in journal.entries():
                self.prediction_index.setdefault(
                    (entry["task"], entry["id"]), PredictionIndex.of(journal, offset, entry)
                )
                if journal is self.predictions:  # this process's later entries (e.g. a retry) win over its earlier
                    self.prediction_index[(entry["task"], entry["id"])] = PredictionIndex.of(journal, offset, entry)
        for entry in self._score_entries():
            self._index_score(entry)

    def _score_entries(self) -> Iterator[dict[str, Any]]:
        for journal in self._all("scores"):
            for _, entry in journal.entries():
                yield entry

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

    def reconcile(self, new: dict[str, Any], save: bool = True) -> dict[str, Any]:
        """Merge ``new`` into the folder's run.json, refusing what would mix different runs.

        ``save=False`` (ranks other than 0) checks against what rank 0 wrote without writing.
        """
        old = self.load_config()
        if old is None:
            if save:
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
        if problems and not self.prediction_index and not self.score_index and save:
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
        merged["model"] = {**old["model"], **new["model"]}  # keeps what an earlier process learnt (describe)
        merged["judges"] = merge_judges(old.get("judges", []), new.get("judges", []))
        merged["scorers"] = {**old.get("scorers", {}), **new.get("scorers", {})}
        merged["created"] = old.get("created", new.get("created"))
        if save:
            self.save_config(merged)
        return merged

    # journals -------------------------------------------------------------------
    def add_prediction(self, entry: dict[str, Any]) -> None:
        offset = self.predictions.append(entry)
        self.prediction_index[(entry["task"], entry["id"])] = PredictionIndex.of(self.predictions, offset, entry)

    def prediction(self, task: str, sample_id: str) -> dict[str, Any] | None:
        found = self.prediction_index.get((task, sample_id))
        return None if found is None else found.journal.read_at(found.offset)

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
        for entry in self._score_entries():
            out.setdefault((entry["task"], entry["id"]), {})[entry["metric_id"]] = entry
        return out

    def clear_scores(self, keep: Callable[[dict[str, Any]], bool]) -> None:
        """Forget every score but those ``keep`` accepts: every rank's, gathered into this process's journal."""
        kept = [entry for entry in self._score_entries() if keep(entry)]
        self.scores.rewrite(kept)
        for journal in self._all("scores"):
            if journal is not self.scores:
                journal.path.unlink()
        self.score_index.clear()
        for entry in kept:
            self._index_score(entry)

    def close(self) -> None:
        self.predictions.close()
        self.scores.close()
        for handle in self._locks:
            handle.close()


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
