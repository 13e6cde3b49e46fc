"""The run loop: stream samples, ask the model, score, write everything as it happens.

Samples flow in chunks: each chunk is predicted (only samples with no saved
prediction), then scored (only missing scores), then judged. Every answer
and score is appended to the run's journals the moment it exists, so a
killed run loses nothing and a rerun does no work twice.
"""

from __future__ import annotations

import itertools
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from medgen_core.data.official import count_check, iter_samples, record_counts
from medgen_core.data.records import RecordFailure, matches
from medgen_core.images import contact_sheet, encode_png
from medgen_core.plugins import PluginHost
from medgen_core.run.finalise import finalise
from medgen_core.run.outputs import OutputError, check_output, save_image
from medgen_core.run.scoring import MetricSlot, Scorer, check_verdict, judge_request, score_entry
from medgen_core.run.secrets import redact, scrub, secret_values
from medgen_core.run.store import RunStore
from medgen_core.tasks.index import Selection, TaskInstance
from medgen_core.tasks.prompt import render_prompt
from medgen_core.tasks.spec import GroupSpec, SampleFilter, TaskSpec, content_hash
from medgen_core.types import ImageRef, MedgenError, ModelRequest, Sample, Score, ScoreItem

CHUNK = 32
RAW_LIMIT = 20_000  # characters of a raw reply kept in predictions.jsonl


@dataclass
class RunSettings:
    selection: Selection
    model: str
    model_args: dict[str, Any] = field(default_factory=dict)
    judge: str | None = None
    judge_args: dict[str, Any] = field(default_factory=dict)
    output_path: Path = Path("runs/default")
    data_root: Path = Path(".")
    limit: int | None = None
    predict_only: bool = False
    seed: int = 1234
    retry_failed: bool = False
    command: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # found before the run (e.g. by the CLI)


Progress = Callable[[str, int, int], None]  # (task, done, total)


def identity(kind: str, name: str, args: dict[str, Any], host: PluginHost, plugin: str) -> dict[str, Any]:
    """Who answered: name, arguments with secrets removed, plugin and version, and a hash of them."""
    clean = redact(args)
    return {
        "kind": kind,
        "name": name,
        "args": clean,
        "plugin": plugin,
        "version": host.records.get(plugin).version if plugin in host.records else "?",
        "hash": content_hash({"name": name, "args": clean}),
    }


class Runner:
    def __init__(
        self, settings: RunSettings, host: PluginHost, progress: Progress | None = None, rescoring: bool = False
    ) -> None:
        self.s = settings
        self.host = host
        self.progress = progress or (lambda task, done, total: None)
        self.rescoring = rescoring  # never call the model: score what is saved
        self.model_info = None if rescoring else host.model(settings.model)
        self.judge_info = host.judge(settings.judge) if settings.judge else None
        self.secrets = secret_values(settings.model_args) + secret_values(settings.judge_args)
        self._model: Any = None
        self._judge: Any = None
        self.warnings: list[str] = list(settings.warnings)

    # public -------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        store = RunStore(self.s.output_path)
        try:
            # rescoring keeps the folder's own run.json: it says who ran
            config = (store.load_config() or {}) if self.rescoring else store.reconcile(self._config())
            scorer = Scorer(self.host, store.folder)
            keys: dict[tuple[str, str], list[str]] = {}
            for instance in self.s.selection.tasks:
                self._run_task(instance, store, scorer, keys)
            config = {**config, "finished": _now(), "warnings": self.warnings}
            store.save_config(config)
            return finalise(store, config, keys, scorer, self.s.predict_only)
        finally:
            store.close()

    # config -------------------------------------------------------------------------------
    def _config(self) -> dict[str, Any]:
        from medgen_core import __version__

        s = self.s
        judge = None
        if self.judge_info is not None:
            judge = identity("judge", self.judge_info.name, s.judge_args, self.host, self.judge_info.plugin)
        return {
            "medgen_version": __version__,
            "python": platform.python_version(),
            "plugins": self.host.versions(),
            "created": _now(),
            "command": scrub(" ".join(s.command), self.secrets),
            "model": identity(
                "model", s.model, s.model_args, self.host, self.model_info.plugin if self.model_info else ""
            ),
            "judge": judge,
            "seed": s.seed,
            "limit": s.limit,
            "predict_only": s.predict_only,
            "data_root": str(s.data_root),
            "tasks": {
                t.name: {
                    "hash": content_hash({"spec": t.spec.model_dump(mode="json"), "filter": _dump(t.extra_filter)}),
                    "path": str(t.path),
                    "version": t.spec.metadata.version,
                    "spec": t.spec.model_dump(mode="json"),
                    "extra_filter": _dump(t.extra_filter),
                }
                for t in s.selection.tasks
            },
            "groups": {
                name: {"spec": g.spec.model_dump(mode="json"), "tasks": g.tasks, "filter": _dump(g.filter)}
                for name, g in s.selection.groups.items()
            },
        }

    # per task -----------------------------------------------------------------------------
    def _run_task(
        self, instance: TaskInstance, store: RunStore, scorer: Scorer, keys: dict[tuple[str, str], list[str]]
    ) -> None:
        root = self.s.data_root
        in_file, total = record_counts(root, instance)  # one pass for the manifest check and the progress bar
        mismatch = count_check(root, instance, in_file)
        if mismatch:
            self.warnings.append(mismatch)
        if self.s.limit is not None:
            total = min(total, self.s.limit)
        slots = [] if self.s.predict_only else scorer.slots_for(instance.spec)
        samples: Iterable[Sample | RecordFailure] = iter_samples(root, instance)
        if self.s.limit is not None:
            samples = itertools.islice(samples, self.s.limit)
        done = 0
        self.progress(instance.name, 0, total)
        for chunk in _chunks(samples, CHUNK):
            for item in chunk:
                keys[(item.task, item.id)] = self._groups_of(item)
            self._predict(instance.spec, chunk, store)
            if slots:
                self._score(instance.spec, chunk, slots, store, scorer)
            if self.judge_info is not None and instance.spec.judge is not None and not self.s.predict_only:
                self._judge_chunk(instance.spec, chunk, store)
            done += len(chunk)
            self.progress(instance.name, done, total)

    def _groups_of(self, item: Sample | RecordFailure) -> list[str]:
        found = []
        for name, group in self.s.selection.groups.items():
            if item.task not in group.tasks:
                continue
            if isinstance(item, RecordFailure):
                if group.filter is None:
                    found.append(name)
            elif matches(group.filter, item.modality, item.record):
                found.append(name)
        return found

    # predict ------------------------------------------------------------------------------
    def _predict(self, spec: TaskSpec, chunk: list[Sample | RecordFailure], store: RunStore) -> None:
        requests: list[ModelRequest] = []
        for item in chunk:
            saved = store.prediction_index.get((item.task, item.id))
            if saved is not None:
                if saved.data_hash != item.data_hash:
                    raise MedgenError(
                        f"sample {item.id!r} of task {item.task!r} ({item.source}) changed since this run saved its "
                        "prediction; use another --output_path for the new data"
                    )
                if not (saved.failed and self.s.retry_failed):
                    continue
            if isinstance(item, RecordFailure):
                store.add_prediction(self._failure_entry(item, "data", item.message))
                continue
            try:
                requests.append(self._request(spec, item))
            except MedgenError as exc:
                store.add_prediction(self._failure_entry(item, "prompt", str(exc)))
        if not requests or self.rescoring:
            return
        model = self._get_model()
        batch_size = max(1, int(getattr(model, "batch_size", 1) or 1))
        for batch in _chunks(requests, batch_size):
            started = time.perf_counter()
            outputs = self._call_model(model, batch)
            latency = (time.perf_counter() - started) / len(batch)
            for request, output in zip(batch, outputs, strict=False):
                store.add_prediction(self._prediction_entry(request, output, latency, store.folder))

    def _get_model(self) -> Any:
        assert self.model_info is not None
        if self._model is None:
            try:
                self._model = self.model_info.factory(**self.s.model_args)
            except TypeError as exc:
                raise MedgenError(f"model {self.s.model!r}: bad --model_args: {exc}") from None
        return self._model

    def _call_model(self, model: Any, batch: list[ModelRequest]) -> list[Any]:
        """One output or exception per request; a batch that raises is retried one by one."""
        try:
            outputs = list(model.predict(batch))
            if len(outputs) == len(batch):
                return outputs
            error: BaseException = MedgenError(
                f"model {self.s.model!r} returned {len(outputs)} outputs for {len(batch)} requests"
            )
        except Exception as exc:  # the model's own bug or a transport error
            error = exc
        if len(batch) == 1:
            return [error]
        return [self._call_model(model, [request])[0] for request in batch]

    def _request(self, spec: TaskSpec, sample: Sample) -> ModelRequest:
        images = list(sample.input_images)
        one_image_model = self.model_info is not None and "multi_image_in" not in self.model_info.capabilities
        if len(images) > 1 and (spec.multi_image == "contact_sheet" or one_image_model):
            sheet = contact_sheet([ref.open() for ref in images])
            images = [ImageRef(ref=f"contact_sheet({', '.join(r.ref for r in images)})", data=encode_png(sheet))]
        return ModelRequest(
            sample=sample,
            prompt=render_prompt(spec.doc_to_text, sample),
            output_type=spec.output_type,
            images=images,
            generation_kwargs=dict(spec.generation_kwargs),
        )

    def _base_entry(self, item: Sample | RecordFailure) -> dict[str, Any]:
        entry: dict[str, Any] = {"task": item.task, "id": item.id, "source": item.source, "data_hash": item.data_hash}
        if isinstance(item, Sample):
            entry.update(
                modality=item.modality,
                subtask=item.subtask,
                format=item.format,
                inputs=[ref.ref for ref in item.input_images],
                reference_image=item.reference_image.ref if item.reference_image else None,
                reference_text=item.answer,
            )
        else:
            entry["modality"] = item.modality
        return entry

    def _failure_entry(self, item: Sample | RecordFailure, stage: str, message: str) -> dict[str, Any]:
        return {**self._base_entry(item), "error": scrub(message, self.secrets), "error_stage": stage}

    def _prediction_entry(self, request: ModelRequest, output: Any, latency: float, folder: Path) -> dict[str, Any]:
        entry = {**self._base_entry(request.sample), "prompt": request.prompt, "latency_s": round(latency, 6)}
        if isinstance(output, BaseException):
            return {**entry, "error": scrub(f"{type(output).__name__}: {output}", self.secrets), "error_stage": "model"}
        try:
            text, image, missing = check_output(output, request.output_type, self.s.model)
            image_path = save_image(image, folder) if image is not None else None
        except (OutputError, MedgenError) as exc:
            return {**entry, "error": scrub(str(exc), self.secrets), "error_stage": "output"}
        entry.update(text=text, image=image_path, usage=output.usage or {})
        if missing:
            entry["missing"] = missing
        if output.raw is not None:
            entry["raw"] = scrub(str(output.raw)[:RAW_LIMIT], self.secrets)
        return entry

    # score --------------------------------------------------------------------------------
    def _saved_items(
        self, chunk: list[Sample | RecordFailure], store: RunStore
    ) -> Iterator[tuple[Sample, dict[str, Any]]]:
        for item in chunk:
            if isinstance(item, Sample):
                saved = store.prediction(item.task, item.id)
                if saved is not None and not saved.get("error"):
                    yield item, saved

    def _score(
        self,
        spec: TaskSpec,
        chunk: list[Sample | RecordFailure],
        slots: list[MetricSlot],
        store: RunStore,
        scorer: Scorer,
    ) -> None:
        saved = list(self._saved_items(chunk, store))
        for slot in slots:
            todo: list[ScoreItem] = []
            for sample, pred in saved:
                if (sample.task, sample.id, slot.metric_id) in store.score_index:
                    continue
                if slot.info.reads in pred.get("missing", []):
                    message = MedgenError(f"the model returned no {slot.info.reads} for this sample")
                    store.add_score(score_entry(sample.task, sample.id, slot.metric_id, slot.key, message))
                    continue
                todo.append(_score_item(sample, pred, store.folder))
            if not todo:
                continue
            results = scorer.score(slot, todo)
            for item, result in zip(todo, results, strict=False):
                store.add_score(score_entry(item.sample.task, item.sample.id, slot.metric_id, slot.key, result))

    # judge --------------------------------------------------------------------------------
    def _judge_chunk(self, spec: TaskSpec, chunk: list[Sample | RecordFailure], store: RunStore) -> None:
        block = spec.judge
        assert block is not None and self.judge_info is not None
        saved = list(self._saved_items(chunk, store))
        for mode in block.modes:
            mid = f"judge:{mode}"
            todo = [(s, p) for s, p in saved if (s.task, s.id, mid) not in store.score_index]
            if not todo:
                continue
            judge = self._get_judge()
            requests = []
            for sample, pred in todo:
                item = _score_item(sample, pred, store.folder)
                requests.append(judge_request(block, mode, sample, item.text, item.image))
            verdicts = self._call_judge(judge, requests, block.max_retries, block.dimensions)
            for (sample, _), verdict in zip(todo, verdicts, strict=False):
                key = f"judge_overall[{mode}]"
                if isinstance(verdict, BaseException):
                    result: Any = verdict
                else:
                    result = Score(
                        float(verdict.overall), {"dimensions": verdict.dimensions, "analysis": verdict.analysis}
                    )
                entry = score_entry(sample.task, sample.id, mid, key, result)
                if "error" in entry:
                    entry["error"] = scrub(entry["error"], self.secrets)
                store.add_score(entry)

    def _get_judge(self) -> Any:
        if self._judge is None:
            assert self.judge_info is not None
            try:
                self._judge = self.judge_info.factory(**self.s.judge_args)
            except TypeError as exc:
                raise MedgenError(f"judge {self.s.judge!r}: bad --judge_args: {exc}") from None
        return self._judge

    def _call_judge(self, judge: Any, requests: list[Any], retries: int, dimensions: list[str]) -> list[Any]:
        """Verdicts in 1-10; unparseable or out-of-range replies are retried, then recorded as failures."""
        results: list[Any] = [None] * len(requests)
        pending = list(range(len(requests)))
        for _attempt in range(retries + 1):
            if not pending:
                break
            try:
                replies = list(judge.judge([requests[i] for i in pending]))
                if len(replies) != len(pending):
                    raise MedgenError(f"judge returned {len(replies)} verdicts for {len(pending)} requests")
            except Exception as exc:
                replies = [exc] * len(pending)
            still = []
            for i, reply in zip(pending, replies, strict=False):
                try:
                    results[i] = check_verdict(reply, dimensions)
                except Exception as exc:
                    results[i] = MedgenError(f"judge failed after {_attempt + 1} attempt(s): {exc}")
                    still.append(i)
            pending = still
        return results


def _score_item(sample: Sample, pred: dict[str, Any], folder: Path) -> ScoreItem:
    image = None
    if pred.get("image"):
        image = ImageRef(ref=pred["image"], path=folder / pred["image"])
    return ScoreItem(sample=sample, text=pred.get("text"), image=image)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _dump(flt: SampleFilter | None) -> dict[str, Any] | None:
    return None if flt is None else flt.model_dump(mode="json")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def selection_from_config(config: dict[str, Any]) -> Selection:
    """Rebuild what a run ran from its run.json (for ``medgen score``), without the YAML files."""
    from medgen_core.tasks.index import GroupSelection

    selection = Selection()
    for task in config["tasks"].values():
        extra = SampleFilter(**task["extra_filter"]) if task.get("extra_filter") else None
        selection.tasks.append(TaskInstance(TaskSpec(**task["spec"]), Path(task["path"]), extra))
    for name, group in config.get("groups", {}).items():
        flt = SampleFilter(**group["filter"]) if group.get("filter") else None
        selection.groups[name] = GroupSelection(GroupSpec(**group["spec"]), group["tasks"], flt)
    return selection
