"""The prediction stage: ask the model for every sample of a chunk that has no saved answer.

Each answer (or failure) is appended to predictions.jsonl the moment it
exists; a saved answer is never asked for again (``--retry_failed`` re-asks
failed ones), and a sample whose data changed since it was answered is refused.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from medgen_core.calls import build, call_batch
from medgen_core.data.records import RecordFailure
from medgen_core.images import contact_sheet, encode_png
from medgen_core.run.outputs import OutputError, check_output, save_image
from medgen_core.run.store import RunStore
from medgen_core.run.stream import Chunk, Item, chunked
from medgen_core.secrets import scrub
from medgen_core.tasks.prompt import render_prompt
from medgen_core.tasks.spec import TaskSpec
from medgen_core.types import BudgetExhausted, ImageRef, MedgenError, ModelInfo, ModelRequest, Sample

RAW_LIMIT = 20_000  # characters of a raw reply kept in predictions.jsonl


class Predictor:
    def __init__(
        self,
        info: ModelInfo,
        args: dict[str, Any],
        store: RunStore,
        secrets: list[str],
        retry_failed: bool,
        runtime_args: dict[str, Any] | None = None,
    ) -> None:
        self.info = info
        self.args = args
        self.runtime_args = runtime_args or {}
        self._described: dict[str, Any] | None = None
        self.store = store
        self.secrets = secrets
        self.retry_failed = retry_failed
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = build_model(self.info, self.args, self.runtime_args)
        return self._model

    def predict(self, chunk: Chunk) -> None:
        store = self.store
        requests: list[ModelRequest] = []
        for instance, item in chunk.entries:
            if not self._wanted(item):
                continue
            if isinstance(item, RecordFailure):
                store.add_prediction(failure_entry(item, "data", item.message, self.secrets))
                continue
            problem = input_problem(item)
            if problem is not None:
                store.add_prediction(failure_entry(item, "data", problem, self.secrets))
                continue
            try:
                requests.append(self._request(instance.spec, item))
            except MedgenError as exc:
                store.add_prediction(failure_entry(item, "prompt", str(exc), self.secrets))
        if not requests:
            return
        model = self.model
        batch_size = max(1, int(getattr(model, "batch_size", 1) or 1))
        for batch in chunked(requests, batch_size):
            started = time.perf_counter()
            outputs = call_batch(model.predict, batch, f"model {self.info.name!r}")
            latency = (time.perf_counter() - started) / len(batch)
            for request, output in zip(batch, outputs, strict=True):
                store.add_prediction(self._entry(request, output, latency))

    def _wanted(self, item: Item) -> bool:
        saved = self.store.prediction_index.get((item.task, item.id))
        if saved is None:
            return True
        if saved.data_hash != item.data_hash:
            raise MedgenError(
                f"sample {item.id!r} of task {item.task!r} ({item.source}) changed since this run saved its "
                "prediction; use another --output_path for the new data"
            )
        return saved.not_done or (saved.failed and self.retry_failed)

    def _request(self, spec: TaskSpec, sample: Sample) -> ModelRequest:
        images = list(sample.input_images)
        one_image_model = "multi_image_in" not in self.info.capabilities  # ("required" tasks refused such models)
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

    def _entry(self, request: ModelRequest, output: Any, latency: float) -> dict[str, Any]:
        entry = {**base_entry(request.sample), "prompt": request.prompt, "latency_s": round(latency, 6)}
        if isinstance(output, BudgetExhausted):
            return {**entry, "not_done": scrub(str(output), self.secrets)}
        if isinstance(output, BaseException):
            return {**entry, "error": scrub(f"{type(output).__name__}: {output}", self.secrets), "error_stage": "model"}
        try:
            text, image, missing = check_output(output, request.output_type, self.info.name)
            image_path = save_image(image, self.store.folder) if image is not None else None
        except (OutputError, MedgenError) as exc:
            where = f"sample {request.sample.id!r} ({request.sample.source}): "
            return {**entry, "error": scrub(where + str(exc), self.secrets), "error_stage": "output"}
        entry.update(text=text, image=image_path, usage=output.usage or {})
        if missing:
            entry["missing"] = missing
        if output.raw is not None:
            entry["raw"] = scrub(str(output.raw)[:RAW_LIMIT], self.secrets)
        return entry

    def describe(self) -> dict[str, Any] | None:
        """The model's ``describe()`` (checkpoint, revision, settings) for run.json, kept after ``close()``."""
        own = getattr(self._model, "describe", None) if self._model is not None else None
        if callable(own):
            self._described = own()
        return self._described

    def holds_accelerator(self) -> bool:
        """Whether the model says it holds an accelerator (then scoring waits until it is released).

        Asked of the built model, else of its class (a plain ``holds_accelerator = True``), never by building it.
        """
        if self._model is not None:
            return bool(getattr(self._model, "holds_accelerator", False))
        declared = getattr(self.info.factory, "holds_accelerator", False)
        return declared is True

    def close(self) -> None:
        """Release the model (its ``close()``, if it has one), e.g. to free an accelerator for scoring."""
        self.describe()
        if self._model is not None and callable(getattr(self._model, "close", None)):
            self._model.close()
        self._model = None


def input_problem(sample: Sample) -> str | None:
    """Why the sample's images cannot be used (naming the record, field and file), or None.

    Every input, reference and mask image is decoded here, before the model is called, so a bad file is
    the sample's data failure whichever model runs; the pixels are kept for the model and the scorers.
    """
    fields = [(f"input_image[{i}]", ref) for i, ref in enumerate(sample.input_images)]
    fields += [("ground_truth_image", sample.reference_image), ("mask_image", sample.mask_image)]
    for name, ref in fields:
        if ref is None:
            continue
        try:
            ref.check()
        except MedgenError as exc:
            where = f" ({ref.path})" if ref.path else ""
            return f"{sample.source}: field {name!r}{where}: {exc}"
    return None


def build_model(info: ModelInfo, args: dict[str, Any], runtime_args: dict[str, Any]) -> Any:
    """The model from ``--model_args``, with ``--batch_size``/``--device`` where the model takes them.

    A factory that takes ``batch_size`` gets it; otherwise the built model's ``batch_size`` attribute is set
    (the runner batches by it). ``device`` goes only to a factory that takes it: a model that cannot be
    moved is an error, not a silent CPU run. The run's ``seed`` goes to a factory that takes one (unless
    ``--model_args`` sets it).
    """
    accepted = _accepted_args(info.factory)
    named = _accepted_args(info.factory, named_only=True)
    passed = {
        k: v
        for k, v in runtime_args.items()
        if k not in args and (k in named if k == "seed" else accepted is None or k in accepted)
    }
    refused = [k for k in runtime_args if k not in passed and k not in ("batch_size", "seed") and k not in args]
    if refused:
        raise MedgenError(f"model {info.name!r} (plugin {info.plugin!r}) takes no {', '.join(refused)} argument")
    model = build("model", info.name, info.factory, {**args, **passed}, "--model_args")
    if "batch_size" in runtime_args and "batch_size" not in passed:
        model.batch_size = int(runtime_args["batch_size"])
    return model


def _accepted_args(factory: Any, named_only: bool = False) -> Any:
    """The keyword arguments a factory takes: None means any (it has ``**kwargs``), unless ``named_only``,
    which gives just the parameters it names (the run's seed goes only to a factory that asks for it)."""
    import inspect

    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return set() if named_only else None
    if not named_only and any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return {p.name for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD}


def base_entry(item: Item) -> dict[str, Any]:
    """What every predictions.jsonl line says about its sample."""
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


def failure_entry(item: Item, stage: str, message: str, secrets: list[str]) -> dict[str, Any]:
    return {**base_entry(item), "error": scrub(message, secrets), "error_stage": stage}


def saved_image(pred: dict[str, Any], folder: Path) -> ImageRef | None:
    """The model's output image of a saved prediction, inside the run folder."""
    return ImageRef(ref=pred["image"], path=folder / pred["image"]) if pred.get("image") else None
