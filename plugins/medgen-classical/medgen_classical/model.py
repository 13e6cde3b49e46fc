"""``ClassicalModel``: dispatches each request to its task's classical method.

Honesty: a task function receives a :class:`TaskInput` built from what a real model gets (prompt,
input images, choices, task, format, modality); the sample's answer, reference image, mask and
build record never reach it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from medgen_classical import annotate, generate, restore, style, text
from medgen_classical.arrays import to_float, to_pil
from medgen_core.types import MedgenError, ModelOutput, ModelRequest

if TYPE_CHECKING:
    from PIL.Image import Image


class UnknownTask(MedgenError):
    """A task this baseline has no method for."""


@dataclass
class TaskInput:
    """Everything a task method may read: exactly what a real model is shown."""

    task: str
    modality: str
    format: str
    prompt: str
    output_type: str
    choices: list[str]
    images: list[Image] = field(default_factory=list)
    ct_hu_range: tuple[float, float] = style.DEFAULT_CT_HU_RANGE

    def first_image(self) -> np.ndarray:
        if not self.images:
            raise MedgenError(f"task {self.task!r} needs an input image and the request has none")
        return to_float(self.images[0])


@dataclass
class Result:
    text: str | None = None
    image: np.ndarray | None = None


ImageFn = Callable[[TaskInput], "tuple[np.ndarray, str]"]


def _mc(x: TaskInput) -> Result:
    return Result(text=text.multiple_choice(x.prompt, x.choices, x.modality)[0])


def _edit(fn: ImageFn) -> Callable[[TaskInput], Result]:
    def run(x: TaskInput) -> Result:
        img, _ = fn(x)
        return Result(image=img)

    return run


def _gen(fn: ImageFn) -> Callable[[TaskInput], Result]:
    def run(x: TaskInput) -> Result:
        img, note = fn(x)
        return Result(text=text.generation(x.task, x.modality, note), image=img)

    return run


def _with(fn: Callable[[np.ndarray, str, str], tuple[np.ndarray, str]]) -> ImageFn:
    return lambda x: fn(x.first_image(), x.modality, x.prompt)


TASKS: dict[str, Callable[[TaskInput], Result]] = {
    "multiple_choice": _mc,
    "blank_filling": lambda x: Result(text=text.blank_filling(x.prompt, x.modality)),
    "report_generation": lambda x: Result(text=text.report(x.modality)),
    "question_answering": lambda x: Result(text=text.question_answering(x.prompt, x.modality)),
    "noise_reconstruction": _edit(_with(restore.denoise)),
    "resolution_editing": _edit(lambda x: restore.resolution(x.first_image(), x.prompt)),
    "contrast_enhancement": _edit(lambda x: restore.contrast(x.first_image(), x.prompt)),
    "artifact_removal": _edit(_with(restore.artifacts)),
    "style_transfer": _edit(lambda x: style.style_transfer(x.first_image(), x.modality, x.prompt, x.ct_hu_range)),
    "anatomical_annotation": _edit(lambda x: annotate.annotate(x.first_image(), x.prompt)),
    "disease_prediction": _gen(_with(generate.disease_prediction)),
    "instruction_editing": _gen(_with(generate.instruction_editing)),
    "ct_lesion_edit": _gen(_with(generate.instruction_editing)),
    "organ_removal": _gen(_with(generate.organ_removal)),
    "organ_reconstruction": _gen(_with(generate.organ_reconstruction)),
    "projection_3d_to_2d": _gen(_with(generate.projection_3d_to_2d)),
    "reconstruction_2d_to_3d": _gen(_with(generate.reconstruction_2d_to_3d)),
}


class ClassicalModel:
    """Classical image processing + template text for every MedGEN-Bench task (a transparent baseline)."""

    def __init__(
        self,
        batch_size: int = 16,
        ct_hu_range: tuple[float, float] | list[float] = style.DEFAULT_CT_HU_RANGE,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise TypeError(
                f"classical model: unknown argument(s) {sorted(unknown)}; accepted: batch_size, ct_hu_range"
            )
        if not isinstance(batch_size, int) or batch_size < 1:
            raise TypeError(f"classical model: batch_size must be a positive integer, not {batch_size!r}")
        lo, hi = (float(v) for v in ct_hu_range)
        if hi <= lo:
            raise TypeError(f"classical model: ct_hu_range must be (low, high) with low < high, not {ct_hu_range!r}")
        self.batch_size = batch_size
        self.ct_hu_range = (lo, hi)

    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        return [self._one(r) for r in requests]

    def _one(self, request: ModelRequest) -> ModelOutput | BaseException:
        try:
            start = time.perf_counter()
            x = self.task_input(request)
            fn = TASKS.get(x.task)
            if fn is None:
                known = ", ".join(sorted(TASKS))
                return UnknownTask(f"classical model has no method for task {x.task!r}; known: {known}")
            result = fn(x)
            return self._output(x, result, time.perf_counter() - start)
        except Exception as exc:  # one sample's failure must not sink the batch
            return exc

    def task_input(self, request: ModelRequest) -> TaskInput:
        """Copy out the fields a real model may see; nothing else of the sample is read."""
        sample = request.sample
        return TaskInput(
            task=sample.task,
            modality=sample.modality,
            format=sample.format,
            prompt=request.prompt or "",
            output_type=request.output_type,
            choices=list(sample.choices or []),
            images=[ref.open() for ref in request.images],
            ct_hu_range=self.ct_hu_range,
        )

    @staticmethod
    def _output(x: TaskInput, result: Result, seconds: float) -> ModelOutput:
        wants_text = x.output_type in ("text", "text+image")
        wants_image = x.output_type in ("image", "text+image")
        if wants_image and result.image is None:
            raise MedgenError(f"task {x.task!r} asks for an image and the classical method made none")
        if wants_text and result.text is None:
            raise MedgenError(f"task {x.task!r} asks for text and the classical method wrote none")
        return ModelOutput(
            text=result.text if wants_text else None,
            image=to_pil(result.image) if wants_image else None,
            usage={"seconds": round(seconds, 4)},
        )
