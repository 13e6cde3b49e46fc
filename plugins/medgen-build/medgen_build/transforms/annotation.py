"""Annotation overlays: a region outlined (contour) or filled (label) in colour, with its mask."""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, area_percent, position_words, to_rgb
from medgen_build.transforms.segment import REGION_WORDS, segment

COLOURS = {"green": (0, 220, 0), "red": (230, 30, 30), "yellow": (250, 220, 0), "cyan": (0, 210, 230)}


def _colour(name: str) -> np.ndarray:
    if name not in COLOURS:
        raise ValueError(f"unknown colour {name!r}; known: {', '.join(COLOURS)}")
    return np.array(COLOURS[name], np.float32)


def contour_overlay(
    img: np.ndarray, rng: np.random.Generator, region: str = "foreground", colour: str = "green", thickness: int = 2
) -> Pair:
    from scipy import ndimage

    mask = segment(img, region)
    edge = mask & ~ndimage.binary_erosion(mask, iterations=thickness)
    out = to_rgb(img)
    out[edge] = _colour(colour)
    return Pair(
        img.astype(np.float32),
        out,
        mask=(mask * 255).astype(np.uint8),
        meta={
            "params": {"region": region, "colour": colour, "thickness_px": thickness},
            "effect": f"outline {REGION_WORDS[region]} with a {thickness}-px {colour} contour",
            "region": REGION_WORDS[region],
            "where": position_words(mask),
            "area_percent": area_percent(mask),
        },
    )


def label_overlay(
    img: np.ndarray, rng: np.random.Generator, region: str = "bright", colour: str = "red", alpha: float = 0.45
) -> Pair:
    mask = segment(img, region)
    out = to_rgb(img)
    out[mask] = (1 - alpha) * out[mask] + alpha * _colour(colour)
    return Pair(
        img.astype(np.float32),
        out,
        mask=(mask * 255).astype(np.uint8),
        meta={
            "params": {"region": region, "colour": colour, "alpha": alpha},
            "effect": f"label {REGION_WORDS[region]} with a semi-transparent {colour} fill (opacity {alpha:g})",
            "region": REGION_WORDS[region],
            "where": position_words(mask),
            "area_percent": area_percent(mask),
        },
    )
