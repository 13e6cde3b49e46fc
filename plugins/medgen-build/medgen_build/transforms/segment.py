"""Rule-based region masks (no model): foreground, bright structure, nuclei, optic disc, dark region.

The masks drive annotation overlays, region removal and lesion placement, and
their names go into the text so an instruction says which region is meant.
"""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import gray

REGIONS = ("foreground", "bright", "nuclei", "optic_disc", "dark")

REGION_WORDS = {
    "foreground": "the imaged body/tissue outline (foreground)",
    "bright": "the largest high-intensity structure",
    "nuclei": "the cell nuclei",
    "optic_disc": "the optic disc (the brightest round structure)",
    "dark": "the largest low-intensity structure inside the tissue",
}


def _largest(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    labels, n = ndimage.label(mask)
    if n == 0:
        return mask
    sizes = ndimage.sum(mask, labels, index=np.arange(1, n + 1))
    return labels == (int(np.argmax(sizes)) + 1)


def foreground(img: np.ndarray) -> np.ndarray:
    """Largest Otsu-foreground component with holes filled."""
    from scipy import ndimage
    from skimage.filters import threshold_otsu

    g = ndimage.gaussian_filter(gray(img), 2.0)
    if g.max() - g.min() < 1:
        return np.ones(g.shape, bool)
    mask = g > threshold_otsu(g)
    if mask.mean() > 0.5 and img.ndim == 3:  # bright background (slides): tissue is darker
        mask = ~mask
    return ndimage.binary_fill_holes(_largest(mask))


def segment(img: np.ndarray, region: str) -> np.ndarray:
    """A boolean mask of ``region`` (one of :data:`REGIONS`)."""
    from scipy import ndimage
    from skimage.filters import threshold_otsu

    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; known: {', '.join(REGIONS)}")
    if region == "foreground":
        return foreground(img)
    g = ndimage.gaussian_filter(gray(img), 1.5)
    fg = foreground(img)
    inside = g[fg] if fg.any() else g.ravel()
    if region == "bright":
        level = max(threshold_otsu(inside), np.percentile(inside, 85))
        mask = ndimage.binary_opening((g > level) & fg, iterations=1)
        return ndimage.binary_fill_holes(_largest(mask))
    if region == "dark":
        level = np.percentile(inside, 12)
        core = ndimage.binary_erosion(fg, iterations=max(2, min(g.shape) // 20))
        mask = ndimage.binary_opening((g < level) & core, iterations=1)
        return _largest(mask)
    if region == "nuclei":
        if img.ndim == 3:
            from skimage.color import rgb2hed

            h = rgb2hed(np.clip(img / 255.0, 0, 1))[..., 0]
            h = ndimage.gaussian_filter(h, 1.0)
            mask = h > threshold_otsu(h)
        else:
            mask = g > threshold_otsu(g)
        return ndimage.binary_opening(mask, iterations=1)
    # optic_disc: brightest smooth blob
    s = ndimage.gaussian_filter(gray(img), 4.0)
    mask = s > np.percentile(s[fg] if fg.any() else s, 98.5)
    return ndimage.binary_fill_holes(_largest(mask))
