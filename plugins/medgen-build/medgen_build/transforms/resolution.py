"""Down-sampling: the input is the image at 1/``factor`` of its size; the target is full size."""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip


def _resize(img: np.ndarray, size: tuple[int, int], resample: str) -> np.ndarray:
    from PIL import Image

    mode = {
        "area": Image.Resampling.BOX,
        "bilinear": Image.Resampling.BILINEAR,
        "nearest": Image.Resampling.NEAREST,
        "lanczos": Image.Resampling.LANCZOS,
    }[resample]
    channels = [img] if img.ndim == 2 else [img[..., c] for c in range(img.shape[-1])]
    out = [np.asarray(Image.fromarray(ch.astype(np.float32), mode="F").resize(size, mode)) for ch in channels]
    return clip(out[0] if img.ndim == 2 else np.stack(out, axis=-1))


def downsample(img: np.ndarray, rng: np.random.Generator, factor: int = 4, method: str = "area") -> Pair:
    h, w = img.shape[:2]
    small = _resize(img, (max(8, w // factor), max(8, h // factor)), method)
    return Pair(
        small,
        img,
        meta={
            "params": {"factor": factor, "method": method},
            "effect": f"down-sampled {factor}x ({w}x{h} -> {small.shape[1]}x{small.shape[0]} px, {method} averaging)",
            "input_size": [small.shape[1], small.shape[0]],
        },
    )
