"""Style transfer by fixed, instruction-named intensity and colour mappings.

No reference image of the target style is available to a model, so histogram matching against a
target is impossible; instead the instruction names the target (a CT window, a stain, grey scale,
inversion, a pseudo-colour map, an MR weighting) and we apply that mapping.
"""

from __future__ import annotations

import numpy as np

from medgen_classical import parse
from medgen_classical.arrays import luminance

# The 8-bit value range assumed to span these HU when re-windowing a CT PNG (a wide display window).
DEFAULT_CT_HU_RANGE = (-1000.0, 1000.0)


def style_transfer(
    arr: np.ndarray, modality: str, prompt: str, ct_hu_range: tuple[float, float] = DEFAULT_CT_HU_RANGE
) -> tuple[np.ndarray, str]:
    t = parse.lower(prompt)
    window = parse.ct_window(t)
    if window is not None and modality in ("ct", "xray"):
        return ct_window(arr, window, ct_hu_range), f"re-windowed to width {window[0]:g} HU, level {window[1]:g} HU"
    stain = _stain_target(t)
    if stain is not None and arr.ndim == 3:
        return restain(arr, stain), f"separated stains by colour deconvolution and recombined them as {stain}"
    if parse.has_any(t, ("invert", "negative", "reverse the intensit")):
        return 1.0 - arr, "inverted intensities"
    if parse.has_any(
        t,
        (
            "t1 to t2",
            "t1-weighted to t2",
            "t1 weighted to t2",
            "into t2",
            "to t2",
            "t2-weighted style",
            "t2 style",
            "t2-like",
            "flair to t1",
            "t2 to t1",
            "into t1",
            "to t1",
        ),
    ):
        return mr_weighting_swap(arr), "approximated the other MR weighting by inverting intensities inside the body"
    if parse.has_any(
        t,
        (
            "pseudo-colo",
            "pseudocolo",
            "false colo",
            "heatmap",
            "heat map",
            "jet",
            "colormap",
            "colour map",
            "color map",
            "hot ",
        ),
    ):
        return pseudo_colour(arr), "mapped intensities to a hot pseudo-colour scale"
    if parse.has_any(t, ("sepia",)):
        return sepia(arr), "applied a sepia tone"
    if parse.has_any(
        t, ("gray", "grey", "black and white", "black-and-white", "monochrom", "radiograph", "x-ray style")
    ):
        return luminance(arr), "converted to grey scale"
    return arr, "no recognisable target style in the instruction; returned the input unchanged"


def ct_window(arr: np.ndarray, window: tuple[float, float], hu_range: tuple[float, float]) -> np.ndarray:
    width, level = window
    g = luminance(arr)
    hu = hu_range[0] + g * (hu_range[1] - hu_range[0])
    return np.clip((hu - (level - width / 2.0)) / max(width, 1.0), 0.0, 1.0)


def _stain_target(t: str) -> str | None:
    if parse.has_any(t, ("ihc", "immunohisto", "dab", "diaminobenzidine")):
        return "hematoxylin-DAB"
    if parse.has_any(t, ("pas", "periodic acid")):
        return "hematoxylin-PAS"
    if parse.has_any(t, ("trichrome", "masson")):
        return "feulgen-light-green"
    if parse.has_any(t, ("h&e", "h & e", "hematoxylin and eosin", "haematoxylin and eosin", "he stain", "h and e")):
        return "hematoxylin-eosin"
    return None


def restain(arr: np.ndarray, target: str) -> np.ndarray:
    """Colour deconvolution (H&E stain vectors), then recombination with the target's stain vectors."""
    from skimage import color

    matrices = {
        "hematoxylin-eosin": color.rgb_from_hed,
        "hematoxylin-DAB": color.rgb_from_hdx,
        "hematoxylin-PAS": color.rgb_from_hpx,
        "feulgen-light-green": color.rgb_from_fgx,
    }
    stains = color.separate_stains(np.clip(arr, 0, 1), color.hed_from_rgb)
    return np.clip(color.combine_stains(stains, matrices[target]), 0.0, 1.0)


def mr_weighting_swap(arr: np.ndarray) -> np.ndarray:
    """Invert intensities inside the Otsu foreground (fluid dark <-> bright), background stays black."""
    from scipy.ndimage import binary_fill_holes
    from skimage.filters import threshold_otsu

    g = luminance(arr)
    if g.max() <= g.min():
        return g
    fg = binary_fill_holes(g > threshold_otsu(g) * 0.5)
    lo, hi = np.percentile(g[fg], [1, 99]) if fg.any() else (0.0, 1.0)
    inv = np.clip((hi - g) / max(hi - lo, 1e-6), 0.0, 1.0)
    return np.where(fg, inv, 0.0)


def pseudo_colour(arr: np.ndarray) -> np.ndarray:
    """A 'hot' ramp: black -> red -> yellow -> white."""
    g = luminance(arr)
    r = np.clip(3.0 * g, 0, 1)
    gr = np.clip(3.0 * g - 1.0, 0, 1)
    b = np.clip(3.0 * g - 2.0, 0, 1)
    return np.stack([r, gr, b], axis=-1)


def sepia(arr: np.ndarray) -> np.ndarray:
    g = luminance(arr)
    return np.clip(np.stack([g * 1.07, g * 0.74, g * 0.43], axis=-1) / 1.07, 0.0, 1.0)
