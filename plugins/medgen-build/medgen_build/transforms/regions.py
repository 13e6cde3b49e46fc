"""Region removal (the target has the region filled from its surroundings) and its inverse, restoration."""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, area_percent, clip, gray, per_channel, position_words
from medgen_build.transforms.segment import REGION_WORDS, segment


def fill_region(
    img: np.ndarray, mask: np.ndarray, rng: np.random.Generator, sigma: float = 6.0, texture: bool = True
) -> np.ndarray:
    """Fill ``mask`` by normalised convolution of the surroundings, plus noise of the surround's grain."""
    from scipy import ndimage

    keep = (~mask).astype(np.float32)

    def fill(ch: np.ndarray) -> np.ndarray:
        out = ch.copy()
        for s in (sigma * 4, sigma * 2, sigma):
            num = ndimage.gaussian_filter(ch * keep, s)
            den = ndimage.gaussian_filter(keep, s)
            est = np.where(den > 1e-3, num / np.maximum(den, 1e-3), ch.mean())
            out = np.where(mask, est, out)
        return out

    out = per_channel(img.astype(np.float32), fill)
    if texture:
        ring = ndimage.binary_dilation(mask, iterations=6) & ~mask
        g = gray(img)
        grain = float(np.std(g[ring] - ndimage.gaussian_filter(g, 2)[ring])) if ring.any() else 0.0
        noise = ndimage.gaussian_filter(rng.normal(0, 1, mask.shape), 1.0) * grain * 2.0
        out = per_channel(out, lambda ch: np.where(mask, ch + noise, ch))
    return clip(out)


def _removed(img: np.ndarray, rng: np.random.Generator, region: str) -> tuple[np.ndarray, np.ndarray]:
    mask = segment(img, region)
    if not mask.any():
        raise ValueError(f"region {region!r} is empty in this image")
    return fill_region(img, mask, rng), mask


def _meta(region: str, mask: np.ndarray, params: dict) -> dict:
    return {
        "params": params,
        "region": REGION_WORDS[region],
        "where": position_words(mask),
        "area_percent": area_percent(mask),
    }


def region_removal(img: np.ndarray, rng: np.random.Generator, region: str = "bright") -> Pair:
    out, mask = _removed(img, rng, region)
    meta = _meta(region, mask, {"region": region, "fill": "normalised convolution of surroundings + grain"})
    meta["effect"] = f"{REGION_WORDS[region]} removed and filled with surrounding tissue"
    return Pair(img.astype(np.float32), out, mask=(mask * 255).astype(np.uint8), meta=meta)


def region_restoration(img: np.ndarray, rng: np.random.Generator, region: str = "bright") -> Pair:
    out, mask = _removed(img, rng, region)
    meta = _meta(region, mask, {"region": region, "fill": "normalised convolution of surroundings + grain"})
    meta["effect"] = f"{REGION_WORDS[region]} missing (filled with surrounding tissue); restore it"
    return Pair(out, img.astype(np.float32), mask=(mask * 255).astype(np.uint8), meta=meta)
