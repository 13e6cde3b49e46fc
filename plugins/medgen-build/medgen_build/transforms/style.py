"""Style changes: CT display windows, X-ray polarity, H&E/IHC stain restyling, colour styles.

The input is the source as displayed; the target is the same anatomy in the
requested style, so the edit is fully determined by the instruction.
"""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip, gray

# Windows on the 0-255 display scale of an already windowed PNG (the source
# DICOM values are not kept), named by what they emphasise.
CT_WINDOWS = {
    "narrow soft-tissue": (110.0, 90.0),
    "bone (high window)": (185.0, 110.0),
    "wide lung-style": (90.0, 240.0),
}

# Colour maps as control points (position, RGB), interpolated linearly.
COLOUR_MAPS = {
    "hot": [(0.0, (0, 0, 0)), (0.4, (230, 0, 0)), (0.75, (255, 210, 0)), (1.0, (255, 255, 255))],
    "bone": [(0.0, (0, 0, 0)), (0.38, (80, 80, 110)), (0.75, (165, 199, 199)), (1.0, (255, 255, 255))],
    "viridis": [(0.0, (68, 1, 84)), (0.33, (49, 104, 142)), (0.66, (53, 183, 121)), (1.0, (253, 231, 37))],
}


def ct_window(img: np.ndarray, rng: np.random.Generator, window: str = "bone (high window)") -> Pair:
    if window not in CT_WINDOWS:
        raise ValueError(f"unknown window {window!r}; known: {', '.join(CT_WINDOWS)}")
    centre, width = CT_WINDOWS[window]
    out = clip((gray(img) - (centre - width / 2)) / width * 255.0)
    return Pair(
        gray(img),
        out,
        meta={
            "params": {"window": window, "centre": centre, "width": width},
            "effect": f"re-displayed in a {window} window (centre {centre:g}, width "
            f"{width:g} on the 0-255 display scale)",
            "style": f"{window} window",
        },
    )


def invert_polarity(img: np.ndarray, rng: np.random.Generator) -> Pair:
    out = clip(255.0 - gray(img))
    return Pair(
        gray(img),
        out,
        meta={
            "params": {},
            "effect": "inverted polarity (dense structures dark)",
            "style": "inverted (negative) polarity",
        },
    )


def stain_restyle(
    img: np.ndarray, rng: np.random.Generator, target: str = "hematoxylin only", eosin_gain: float = 1.0
) -> Pair:
    """Colour deconvolution into H, E, DAB, then recomposition in the requested stain style."""
    from skimage.color import hed2rgb, rgb2hed

    if img.ndim != 3:
        raise ValueError("stain_restyle needs an RGB image")
    hed = rgb2hed(np.clip(img / 255.0, 0, 1))
    styles = {
        "hematoxylin only": (1.0, 0.0, 0.0),
        "eosin only": (0.0, 1.0, 0.0),
        "strong eosin": (1.0, 1.8 * eosin_gain, 0.0),
        "no DAB (counterstain only)": (1.0, 1.0, 0.0),
    }
    if target not in styles:
        raise ValueError(f"unknown stain target {target!r}; known: {', '.join(styles)}")
    weights = np.array(styles[target], np.float32)
    out = clip(hed2rgb(hed * weights) * 255.0)
    return Pair(
        img.astype(np.float32),
        out,
        meta={
            "params": {"target": target, "weights_hed": weights.tolist()},
            "effect": f"restained to a {target} appearance by colour deconvolution",
            "style": target,
        },
    )


def red_free(img: np.ndarray, rng: np.random.Generator) -> Pair:
    """The red-free fundus view: the green channel, contrast-stretched, as gray."""
    src = img.astype(np.float32)
    green = src[..., 1] if src.ndim == 3 else src
    lo, hi = np.percentile(green, [1, 99.5])
    out = clip((green - lo) / max(hi - lo, 1.0) * 255.0)
    return Pair(
        src,
        out,
        meta={
            "params": {"stretch_percentiles": [1, 99.5]},
            "effect": "converted to a red-free (green channel) view",
            "style": "red-free",
        },
    )


def colour_map(img: np.ndarray, rng: np.random.Generator, cmap: str = "hot") -> Pair:
    if cmap not in COLOUR_MAPS:
        raise ValueError(f"unknown colour map {cmap!r}; known: {', '.join(COLOUR_MAPS)}")
    points = COLOUR_MAPS[cmap]
    pos = np.array([p for p, _ in points])
    g = gray(img) / 255.0
    out = np.stack([np.interp(g, pos, [c[i] for _, c in points]) for i in range(3)], axis=-1)
    return Pair(
        gray(img),
        clip(out),
        meta={
            "params": {"cmap": cmap},
            "effect": f"rendered with the {cmap} pseudo-colour map",
            "style": f"{cmap} pseudo-colour",
        },
    )
