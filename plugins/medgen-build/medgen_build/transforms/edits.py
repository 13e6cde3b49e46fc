"""Global instruction edits that need no lesion: mirror, zoom into a quadrant, brightness (gamma)."""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip

QUADRANTS = {"upper-left": (0, 0), "upper-right": (0, 1), "lower-left": (1, 0), "lower-right": (1, 1)}


def flip_horizontal(img: np.ndarray, rng: np.random.Generator) -> Pair:
    return Pair(
        img.astype(np.float32),
        img[:, ::-1].astype(np.float32).copy(),
        meta={"params": {}, "effect": "mirror the image left-right"},
    )


def zoom_quadrant(img: np.ndarray, rng: np.random.Generator, quadrant: str = "upper-left") -> Pair:
    from PIL import Image

    if quadrant not in QUADRANTS:
        raise ValueError(f"unknown quadrant {quadrant!r}; known: {', '.join(QUADRANTS)}")
    r, c = QUADRANTS[quadrant]
    h, w = img.shape[:2]
    crop = img[r * h // 2 : (r + 1) * h // 2, c * w // 2 : (c + 1) * w // 2]
    chans = [crop] if crop.ndim == 2 else [crop[..., k] for k in range(crop.shape[-1])]
    big = [
        np.asarray(Image.fromarray(ch.astype(np.float32), mode="F").resize((w, h), Image.Resampling.BICUBIC))
        for ch in chans
    ]
    out = clip(big[0] if crop.ndim == 2 else np.stack(big, axis=-1))
    return Pair(
        img.astype(np.float32),
        out,
        meta={"params": {"quadrant": quadrant, "zoom": 2}, "effect": f"zoom 2x into the {quadrant} quadrant"},
    )


def gamma_adjust(img: np.ndarray, rng: np.random.Generator, gamma: float = 0.6) -> Pair:
    out = clip(255.0 * (np.clip(img, 0, 255) / 255.0) ** gamma)
    word = "brighten" if gamma < 1 else "darken"
    return Pair(
        img.astype(np.float32),
        out,
        meta={"params": {"gamma": gamma}, "effect": f"{word} the mid-tones with gamma {gamma:g}"},
    )
