"""What every transform returns, and small array helpers the families share.

Transforms work on float32 arrays on the 0-255 display scale: ``(H, W)`` gray,
``(H, W, 3)`` colour, or ``(D, H, W)`` volumes. They return a :class:`Pair`
(input image, target image, optional region mask) plus metadata: every
parameter actually used (including those drawn from ``rng``) and plain-text
phrases the templates put into instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Pair:
    """An input/target image pair; ``mask`` is 255 inside the edited region."""

    input: np.ndarray
    target: np.ndarray
    mask: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def gray(img: np.ndarray) -> np.ndarray:
    """Luminance of a gray or RGB image (ITU-R 601 weights)."""
    if img.ndim == 2:
        return img.astype(np.float32)
    return (img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114).astype(np.float32)


def clip(img: np.ndarray) -> np.ndarray:
    return np.clip(img, 0.0, 255.0).astype(np.float32)


def per_channel(img: np.ndarray, fn) -> np.ndarray:
    """Apply a 2-D function to each channel of a colour image (or to a gray one)."""
    if img.ndim == 2:
        return fn(img)
    return np.stack([fn(img[..., c]) for c in range(img.shape[-1])], axis=-1)


def to_rgb(img: np.ndarray) -> np.ndarray:
    return np.repeat(img[..., None], 3, axis=-1).astype(np.float32) if img.ndim == 2 else img.astype(np.float32)


def rounded(value: Any, digits: int = 3) -> Any:
    """Round floats (also inside lists/tuples) so recorded parameters are stable and short."""
    if isinstance(value, (float, np.floating)):
        return round(float(value), digits)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    return value


def position_words(mask: np.ndarray) -> str:
    """Where a region lies, in words a reader can check (image left/right, as displayed)."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return "nowhere"
    h, w = mask.shape
    cy, cx = ys.mean() / h, xs.mean() / w
    vert = "upper" if cy < 0.4 else "lower" if cy > 0.6 else "middle"
    horiz = "left" if cx < 0.4 else "right" if cx > 0.6 else "central"
    if vert == "middle" and horiz == "central":
        return "centre of the image"
    if vert == "middle":
        return f"{horiz} part of the image"
    if horiz == "central":
        return f"{vert} central part of the image"
    return f"{vert}-{horiz} part of the image"


def area_percent(mask: np.ndarray) -> float:
    return round(100.0 * float((mask > 0).mean()), 1)
