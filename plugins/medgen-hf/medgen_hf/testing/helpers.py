"""Requests and run-folder readers for local-model tests (medgen-hf's and medgen-diffusers')."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from medgen_core.types import ImageRef, ModelRequest, Sample


def png(seed: int, size: tuple[int, int] = (96, 80), mode: str = "L") -> ImageRef:
    """A random image (width x height) as PNG bytes."""
    rng = np.random.default_rng(seed)
    shape = (size[1], size[0]) if mode == "L" else (size[1], size[0], 3)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(buffer, "PNG")
    return ImageRef(f"random-{seed}.png", data=buffer.getvalue())


def request(
    i: int,
    images: int = 1,
    output_type: str = "text",
    generation_kwargs: dict[str, Any] | None = None,
    size: tuple[int, int] = (96, 80),
) -> ModelRequest:
    """Request ``i`` with its own random images (the same ``i`` always gives the same request)."""
    sample = Sample(id=f"s{i}", task="question_answering", format="vqa", modality="ct", instruction="What is shown?")
    return ModelRequest(
        sample=sample,
        prompt=f"Case {i}: what organ is shown?",
        output_type=output_type,  # type: ignore[arg-type]
        images=[png(10 * i + k, size) for k in range(images)],
        generation_kwargs={"max_new_tokens": 5} if generation_kwargs is None else generation_kwargs,
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_folder(folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(predictions, results) of a finished run."""
    return read_jsonl(folder / "predictions.jsonl"), json.loads((folder / "results.json").read_text())
