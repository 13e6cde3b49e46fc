"""The one way to read a run folder's results and samples (console, compare, report and third parties).

``load_results(run_dir)`` and ``load_samples(run_dir)`` read results.json and
samples.jsonl when they are up to date. When results.json is missing, or older
than a journal (predictions.jsonl, scores.jsonl: the run is going on, was
stopped, or is being rescored), both are rebuilt read-only from run.json and
the journals instead, and ``RunResults.partial`` says so and why (see
:mod:`medgen_core.results.partial` for exactly what such a view holds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from medgen_core.results.files import PREDICTIONS, RESULTS, RUN, SAMPLES, SCORES, ResultsError, lines, read_journal
from medgen_core.results.samples import SampleRecord
from medgen_core.results.schema import READABLE_VERSIONS, SCHEMA_VERSION, RunResults


@dataclass
class LoadedRun:
    """A run folder read once: its results and its samples (in samples.jsonl order)."""

    folder: Path
    results: RunResults
    samples: list[SampleRecord]

    @property
    def label(self) -> str:
        return f"{self.results.model_name} ({self.folder.name})"


def load_results(run_dir: str | Path) -> RunResults:
    folder = Path(run_dir)
    stale = why_partial(folder)
    if stale is None:
        return parse_results(_read_json(folder / RESULTS), folder / RESULTS)
    from medgen_core.results.partial import rebuild

    return rebuild(folder, stale)[0]


def load_samples(run_dir: str | Path) -> list[SampleRecord]:
    return load_run(run_dir).samples


def load_run(run_dir: str | Path) -> LoadedRun:
    folder = Path(run_dir)
    stale = why_partial(folder)
    if stale is not None:
        from medgen_core.results.partial import rebuild

        results, samples = rebuild(folder, stale)
        return LoadedRun(folder, results, samples)
    results = parse_results(_read_json(folder / RESULTS), folder / RESULTS)
    prompts = {(p["task"], p["id"]): p.get("prompt") for p in read_journal(folder / PREDICTIONS)}
    samples = []
    for number, line in lines(folder / SAMPLES):
        sample = _validate(SampleRecord, line, f"{folder / SAMPLES}, line {number}", json_text=True)
        if sample.prompt is None:
            sample.prompt = prompts.get((sample.task, sample.id))
        samples.append(sample)
    return LoadedRun(folder, results, samples)


def why_partial(folder: Path) -> str | None:
    """None when results.json and samples.jsonl are up to date; otherwise why the journals are read instead."""
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such run folder")
    results = folder / RESULTS
    if not results.is_file():
        if not (folder / RUN).is_file():
            raise ResultsError(f"{folder} is not a medgen run folder (no {RESULTS} and no {RUN})")
        return f"{RESULTS} is not written yet: the run is in progress, or stopped before it finished"
    written = results.stat().st_mtime_ns
    for name in (PREDICTIONS, SCORES):
        journal = folder / name
        if journal.is_file() and journal.stat().st_mtime_ns > written:
            return f"{RESULTS} is older than {name}: the run went on (or is being rescored) after it was written"
    if not (folder / SAMPLES).is_file():
        return f"{SAMPLES} is missing"
    return None


def parse_results(data: Any, where: Path | str) -> RunResults:
    """A results.json's content as :class:`RunResults`, or a :class:`ResultsError` naming version and field."""
    if not isinstance(data, dict):
        raise ResultsError(f"{where}: expected a JSON object, found {type(data).__name__}")
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version not in READABLE_VERSIONS:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION
        hint = "it was written by a newer medgen: upgrade medgen to read it" if newer else "it is not a medgen version"
        raise ResultsError(
            f"{where}: schema_version {version!r} cannot be read by medgen's results schema "
            f"(reads versions {', '.join(map(str, READABLE_VERSIONS))}); {hint}"
        )
    return _validate(RunResults, data, f"{where} (schema_version {version})")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None


def _validate(model: type[BaseModel], data: Any, where: str, json_text: bool = False) -> Any:
    try:
        return model.model_validate_json(data) if json_text else model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()[:5]
        )
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise ResultsError(f"{where}: {problems}{more}") from None
