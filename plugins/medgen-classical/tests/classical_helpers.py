"""Shared builders for the classical-model tests: real images, requests and a sample that forbids peeking."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from medgen_core.paths import sample_benchmark_dir
from medgen_core.types import ImageRef, ModelRequest, Sample

SOURCES = sample_benchmark_dir() / "sources"  # committed copies
FORBIDDEN = ("answer", "reference_image", "mask_image", "record")


class PeekedError(AssertionError):
    """Raised when a model reads a field a real model never sees."""


class GuardedSample:
    """Behaves like a Sample but raises on answer / reference_image / mask_image / record."""

    def __init__(self, sample: Sample) -> None:
        object.__setattr__(self, "_sample", sample)

    def __getattribute__(self, name: str):
        if name in FORBIDDEN:
            raise PeekedError(f"the model read sample.{name}")
        if name.startswith("_"):
            return object.__getattribute__(self, name)
        return getattr(object.__getattribute__(self, "_sample"), name)


def real_image(rel: str, size: int = 256) -> Image.Image:
    img = Image.open(SOURCES / rel)
    img = img.convert("RGB") if img.mode not in ("L", "RGB") else img
    return img.resize((size, size), Image.Resampling.LANCZOS)


def as_float(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.float64) / 255.0


def to_ref(img: Image.Image, name: str = "input.png") -> ImageRef:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return ImageRef(name, data=buf.getvalue())


def request(
    task: str,
    prompt: str,
    output_type: str,
    images: list[Image.Image],
    modality: str = "ct",
    fmt: str = "edit",
    choices: list[str] | None = None,
    guarded: bool = True,
) -> ModelRequest:
    sample = Sample(
        id=f"{task}-0001",
        task=task,
        format=fmt,
        modality=modality,
        instruction=prompt,
        answer="SECRET-ANSWER",
        choices=choices,
        input_images=[to_ref(i) for i in images],
        reference_image=to_ref(images[0], "gt.png"),
        record={"build": {"sigma": 0.1}},
    )
    return ModelRequest(
        sample=GuardedSample(sample) if guarded else sample,
        prompt=prompt,  # type: ignore[arg-type]
        output_type=output_type,
        images=list(sample.input_images),
    )


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 100.0 if mse == 0 else 10.0 * np.log10(1.0 / mse)
