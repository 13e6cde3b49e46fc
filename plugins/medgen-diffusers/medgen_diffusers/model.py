"""The ``diffusers`` model: image editing for editing tasks, text-to-image from a prompt.

- An editing pipeline (one whose ``__call__`` takes an ``image``: InstructPix2Pix,
  img2img, ...) edits the request's input image for every image request.
- A text-to-image pipeline edits for image tasks through its image-to-image
  variant (same weights), and draws text+image requests from the prompt (the
  run itself refuses text+image tasks for this model: it writes no text).

Every image draws its noise from its own CPU generator seeded with ``seed``:
the same seed gives byte-identical images, and a sample keeps its noise
whatever else shares its batch (pixels then agree to one grey level: batched
kernels round differently). Images go out at the size the pipeline made
them; the pixel scorer resizes to the reference.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import torch
from medgen_hf.accelerator import (
    device_summary,
    dtype_name,
    holds_accelerator,
    memory_safe_runner,
    release_memory,
    resolve_device,
    resolve_dtype,
)
from medgen_hf.args import flag, integer, number, positive_int, refuse_unknown
from medgen_hf.batching import predict_prepared
from medgen_hf.checkpoint import resolve_checkpoint, with_hub_revision
from medgen_hf.loading import load_failure, without_progress_bars

from medgen_core import MedgenError, ModelOutput, ModelRequest
from medgen_diffusers.pipelines import AUTO, call_parameters, edits_images, image_to_image_variant, pipeline_class

NAME = "diffusers"
MARKER = "model_index.json"
ARG_OF = {  # pipeline keyword -> the model argument that sets it
    "num_inference_steps": "steps",
    "guidance_scale": "guidance",
    "image_guidance_scale": "image_guidance",
    "strength": "strength",
}
TOO_BIG_HINT = (
    "Try dtype=float16 or bfloat16, cpu_offload=true (keeps only the running component on the GPU), "
    "a smaller size or batch_size"
)


@dataclass(frozen=True)
class Job:
    """One image to make: the prompt and, for an edit, the image to start from."""

    prompt: str
    image: Any = None  # PIL RGB


def parse_size(size: Any) -> tuple[int, int] | None:
    """``512`` or ``"768x512"`` (width x height) -> (width, height)."""
    if size is None:
        return None
    if isinstance(size, int) and not isinstance(size, bool):
        width = height = size
    else:
        try:
            width, height = (int(v) for v in str(size).lower().split("x"))
        except ValueError:
            raise TypeError(f"{NAME} model: size must be N or WIDTHxHEIGHT (e.g. 512x512), not {size!r}") from None
    if width < 8 or height < 8:
        raise TypeError(f"{NAME} model: size must be at least 8x8, not {size!r}")
    return width, height


def default_dtype(device: str) -> torch.dtype:
    """Half precision on accelerators (bfloat16 where the GPU has it), float32 on the CPU."""
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float16 if device.startswith("mps") else torch.float32


class DiffusersModel:
    """``--model diffusers``: a diffusers pipeline (pretrained=PATH_OR_HUB_ID, pipeline=CLASS or auto)."""

    ACCEPTED = [
        "pretrained",
        "pipeline",
        "revision",
        "variant",
        "seed",
        "steps",
        "guidance",
        "image_guidance",
        "strength",
        "negative_prompt",
        "size",
        "dtype",
        "device",
        "batch_size",
        "cpu_offload",
        "safety_checker",
    ]

    def __init__(
        self,
        pretrained: str | None = None,
        pipeline: str = AUTO,
        revision: str | None = None,
        variant: str | None = None,
        seed: int = 1234,
        steps: int | None = None,
        guidance: float | None = None,
        image_guidance: float | None = None,
        strength: float | None = None,
        negative_prompt: str | None = None,
        size: Any = None,
        dtype: str | None = None,
        device: str | None = None,
        batch_size: int = 1,
        cpu_offload: bool = False,
        safety_checker: bool = True,
        **unknown: Any,
    ) -> None:
        refuse_unknown(NAME, unknown, self.ACCEPTED)
        self.seed = integer(NAME, "seed", seed)
        self.batch_size = positive_int(NAME, "batch_size", batch_size)
        self.size = parse_size(size)
        self.negative_prompt = negative_prompt
        self.options = {
            "num_inference_steps": positive_int(NAME, "steps", steps, allow_none=True),
            "guidance_scale": number(NAME, "guidance", guidance),
            "image_guidance_scale": number(NAME, "image_guidance", image_guidance),
            "strength": number(NAME, "strength", strength),
        }
        self.device = resolve_device(device, NAME)
        self.pipe: Any = self._load(
            pretrained, pipeline, revision, variant, dtype, flag(NAME, "cpu_offload", cpu_offload), safety_checker
        )
        self._check_options()
        self.editor = self.pipe if edits_images(self.pipe) else None  # made on first edit otherwise
        self.holds_accelerator = holds_accelerator(self.device)
        self.runner = memory_safe_runner(NAME, self.checkpoint.source, self.device, TOO_BIG_HINT)

    def _load(
        self,
        pretrained: str | None,
        pipeline: str,
        revision: str | None,
        variant: str | None,
        dtype: str | None,
        cpu_offload: bool,
        safety_checker: Any,
    ) -> Any:
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging

        cls = pipeline_class(str(pipeline), NAME)
        self.checkpoint = resolve_checkpoint(pretrained, NAME, MARKER, revision)
        self.dtype = resolve_dtype(dtype, NAME, default=default_dtype(self.device))
        kwargs: dict[str, Any] = {"dtype": self.dtype, "revision": revision, "variant": variant}
        if not flag(NAME, "safety_checker", safety_checker):
            kwargs.update(safety_checker=None, requires_safety_checker=False)
        try:
            with without_progress_bars(diffusers_logging, transformers_logging):
                pipe = cls.from_pretrained(self.checkpoint.location, **kwargs)
            if cpu_offload:
                pipe.enable_model_cpu_offload(device=self.device)
            else:
                pipe.to(self.device)
        except Exception as exc:  # every load failure ends in one line
            release_memory()
            raise load_failure(NAME, self.checkpoint, self.device, exc, TOO_BIG_HINT) from None
        self.checkpoint = with_hub_revision(self.checkpoint, MARKER, revision)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def _check_options(self) -> None:
        """An option this pipeline cannot take is an error now, not a failure on every sample."""
        accepted = call_parameters(self.pipe)
        if not edits_images(self.pipe):
            accepted |= {"strength"}  # used by the image-to-image variant for editing tasks
        for option, value in self.options.items():
            if value is not None and option not in accepted:
                raise MedgenError(
                    f"model {NAME!r}: {type(self.pipe).__name__} takes no {option}, so {ARG_OF[option]}= cannot apply"
                )

    # predict ------------------------------------------------------------------------------
    def predict(self, requests: list[ModelRequest]) -> list[ModelOutput | BaseException]:
        pipe = self._loaded()
        outputs = predict_prepared(
            requests, self._prepare, lambda jobs: self._run(pipe, jobs), self.runner, self.batch_size
        )
        if self.runner.fitted is not None:
            self.batch_size = min(self.batch_size, self.runner.fitted)
        return outputs

    def _prepare(self, request: ModelRequest) -> tuple[Job, Hashable]:
        if request.output_type == "text":
            raise MedgenError(f"model {NAME!r} makes images and this task wants only text")
        edit = self.editor is not None or request.output_type == "image"
        if not edit:
            return Job(request.prompt), ("text-to-image",)
        if not request.images:
            raise MedgenError(f"model {NAME!r} edits an input image and this request has none")
        image = request.images[0].open().convert("RGB")
        if self.size is not None and image.size != self.size:
            from PIL import Image

            image = image.resize(self.size, Image.Resampling.LANCZOS)
        return Job(request.prompt, image), ("edit", image.size)

    def _run(self, pipe: Any, jobs: list[Job]) -> list[ModelOutput | BaseException]:
        kwargs = {k: v for k, v in self.options.items() if v is not None}
        if jobs[0].image is None:
            kwargs.pop("strength", None)
            if self.size is not None:
                kwargs.update(width=self.size[0], height=self.size[1])
        else:
            pipe = self._editor()
            kwargs["image"] = [job.image for job in jobs]
        if self.negative_prompt is not None:
            kwargs["negative_prompt"] = [self.negative_prompt] * len(jobs)
        generators = [torch.Generator("cpu").manual_seed(self.seed) for _ in jobs]
        with torch.inference_mode():
            result = pipe(prompt=[job.prompt for job in jobs], generator=generators, output_type="pil", **kwargs)
        flagged = getattr(result, "nsfw_content_detected", None) or [False] * len(jobs)
        return [
            MedgenError(
                "the pipeline's safety checker blanked this image; pass safety_checker=false to keep the output"
            )
            if blanked
            else ModelOutput(image=image)
            for image, blanked in zip(result.images, flagged, strict=True)
        ]

    def _editor(self) -> Any:
        if self.editor is None:
            self.editor = image_to_image_variant(self._loaded(), NAME)
            self.editor.set_progress_bar_config(disable=True)
        return self.editor

    def _loaded(self) -> Any:
        if self.pipe is None:
            raise MedgenError(f"model {NAME!r} was closed; create a new one to predict again")
        return self.pipe

    # identity and lifecycle ---------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        import diffusers

        pipe = self._loaded()
        return {
            "class": type(pipe).__name__,
            **self.checkpoint.identity(),
            "scheduler": type(pipe.scheduler).__name__ if getattr(pipe, "scheduler", None) is not None else None,
            "dtype": dtype_name(self.dtype),
            "device": device_summary(self.device),
            "seed": self.seed,
            "size": list(self.size) if self.size else None,
            "batch_size": self.batch_size,
            "diffusers": diffusers.__version__,
        }

    def close(self) -> None:
        """Release the pipeline's weights and the accelerator memory they held."""
        self.pipe = None
        self.editor = None
        if self.holds_accelerator:  # on the CPU, dropping the references frees the weights
            release_memory()
