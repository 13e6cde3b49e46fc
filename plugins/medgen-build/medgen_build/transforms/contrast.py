"""Contrast reduction: intensities are pulled toward the mean; the target is the original contrast."""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip


def contrast_reduction(img: np.ndarray, rng: np.random.Generator, factor: float = 0.35, gamma: float = 1.0) -> Pair:
    mean = float(img.mean())
    flat = mean + factor * (img - mean)
    if gamma != 1.0:
        flat = 255.0 * (np.clip(flat, 0, 255) / 255.0) ** gamma
    low = clip(flat)
    return Pair(
        low,
        img,
        meta={
            "params": {"factor": factor, "gamma": gamma, "mean": round(mean, 2)},
            "effect": f"contrast reduced to {factor:.0%} of its range around the mean "
            f"intensity {mean:.0f}" + (f" with gamma {gamma:g}" if gamma != 1 else ""),
        },
    )
