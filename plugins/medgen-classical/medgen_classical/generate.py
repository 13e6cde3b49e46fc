"""The image half of contextual multimodal generation: edits, inpainting and montage projections.

Where the instruction names a global operation we apply it; where it asks for a localised
semantic change we cannot localise (remove an organ, grow a lesion), we return a lightly
denoised copy: the input is the closest image we can justify, and these edits touch a small region.
"""

from __future__ import annotations

import re

import numpy as np

from medgen_classical import parse
from medgen_classical.arrays import fill_masked, light_denoise, luminance
from medgen_classical.restore import contrast, denoise, resize, unsharp


def conservative(arr: np.ndarray, what: str) -> tuple[np.ndarray, str]:
    return light_denoise(arr), f"{what} cannot be localised by classical filtering; returned a lightly denoised copy"


def disease_prediction(arr: np.ndarray, modality: str, prompt: str) -> tuple[np.ndarray, str]:
    return conservative(arr, "disease progression")


def organ_removal(arr: np.ndarray, modality: str, prompt: str) -> tuple[np.ndarray, str]:
    return conservative(arr, "the organ to remove")


def instruction_editing(arr: np.ndarray, modality: str, prompt: str) -> tuple[np.ndarray, str]:
    """Apply the global operations the instruction names, in a fixed order; none named -> conservative copy."""
    t = parse.lower(prompt)
    out, notes = arr, []
    for wanted, op in _EDIT_OPS:
        if wanted(t):
            out, note = op(out, modality, t)
            notes.append(note)
    if not notes:
        return conservative(arr, "the requested local edit")
    return out, "; ".join(notes)


def _rotate(arr: np.ndarray, modality: str, t: str) -> tuple[np.ndarray, str]:
    m = re.search(r"rotat\w*\s+(?:\w+\s+){0,3}?(90|180|270)", t)
    deg = int(m.group(1)) if m else 90
    k = deg // 90 if parse.has_any(t, ("counter", "anti-clock", "anticlock")) else -(deg // 90)
    return np.ascontiguousarray(np.rot90(arr, k)), f"rotated {deg} degrees"


def _smooth(arr: np.ndarray, modality: str, t: str) -> tuple[np.ndarray, str]:
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(arr, (1.5, 1.5, 0) if arr.ndim == 3 else 1.5), "smoothed with a Gaussian"


_FLIP_H = re.compile(r"flip\w*\s+(?:\w+\s+){0,3}(?:horizontal|left[- ]right)|mirror|horizontal(?:ly)?\s+flip")
_FLIP_V = re.compile(r"flip\w*\s+(?:\w+\s+){0,3}(?:vertical|up[- ]down|upside)|vertical(?:ly)?\s+flip|upside[- ]down")
# "contrast" as an edit ("increase the contrast"), not as a technique ("non-contrast CT", "contrast-enhanced")
_CONTRAST_EDIT = re.compile(
    r"\b(?:increase|enhance|boost|improve|raise|reduce|lower|decrease|adjust|stretch)\w*\s+(?:the\s+)?"
    r"(?:image\s+|overall\s+|tissue\s+)?contrast\b|\bcontrast\s+(?:enhancement|stretch)"
)
_EDIT_OPS = (
    (lambda t: bool(_FLIP_H.search(t)), lambda a, m, t: (np.ascontiguousarray(a[:, ::-1]), "flipped horizontally")),
    (lambda t: bool(_FLIP_V.search(t)), lambda a, m, t: (np.ascontiguousarray(a[::-1]), "flipped vertically")),
    (lambda t: bool(re.search(r"rotat\w*\s+(?:\w+\s+){0,3}?(90|180|270)", t)), _rotate),
    (
        lambda t: parse.has_any(t, ("brighten", "increase the brightness", "increase brightness", "brighter")),
        lambda a, m, t: (np.clip(a * 1.2 + 0.03, 0, 1), "brightened"),
    ),
    (
        lambda t: parse.has_any(t, ("darken", "decrease the brightness", "reduce the brightness", "darker")),
        lambda a, m, t: (np.clip(a * 0.8, 0, 1), "darkened"),
    ),
    (lambda t: bool(_CONTRAST_EDIT.search(t)), lambda a, m, t: contrast(a, t)),
    (lambda t: parse.has_any(t, ("sharpen", "sharper", "deblur")), lambda a, m, t: (unsharp(a, 1.0, 0.8), "sharpened")),
    (lambda t: parse.has_any(t, ("denois", "noise")), lambda a, m, t: denoise(a, m, t)),
    (lambda t: parse.has_any(t, ("smooth", "blur")) and "deblur" not in t, _smooth),
    (lambda t: parse.has_any(t, ("invert", "negative")), lambda a, m, t: (1.0 - a, "inverted intensities")),
    (
        lambda t: parse.has_any(t, ("grayscale", "greyscale", "gray scale", "grey scale")),
        lambda a, m, t: (luminance(a), "converted to grey scale"),
    ),
    (
        lambda t: bool(re.search(r"zoom\w*\s+in|crop", t)),
        lambda a, m, t: (_zoom(a, parse.scale_factor(t) or 1.5), "cropped the centre and zoomed in"),
    ),
)


def _zoom(arr: np.ndarray, factor: float) -> np.ndarray:
    h, w = arr.shape[:2]
    ch, cw = max(1, round(h / factor)), max(1, round(w / factor))
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return resize(arr[y0 : y0 + ch, x0 : x0 + cw], (w, h))


def organ_reconstruction(arr: np.ndarray, modality: str, prompt: str) -> tuple[np.ndarray, str]:
    """Find a blanked region (a large flat patch of one value, not touching the border) and inpaint it."""
    mask = blank_region(arr)
    if mask is None:
        return conservative(arr, "the region to reconstruct (no blanked area found)")
    from scipy.ndimage import binary_dilation

    return fill_masked(arr, binary_dilation(mask, iterations=1)), (
        f"inpainted a blanked region of {int(mask.sum())} pixels from its surroundings (normalised convolution)"
    )


def blank_region(arr: np.ndarray) -> np.ndarray | None:
    from scipy.ndimage import binary_opening, uniform_filter
    from skimage.measure import label

    g = luminance(arr)
    local_var = uniform_filter(g * g, 5) - uniform_filter(g, 5) ** 2
    flat = binary_opening(local_var < 1e-7, iterations=2)
    lab = label(flat)
    if lab.max() == 0:
        return None
    border = set(np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])).tolist())
    sizes = np.bincount(lab.ravel())
    best, best_size = 0, 0
    for idx in range(1, len(sizes)):
        if idx in border or sizes[idx] < 0.002 * g.size:
            continue
        if sizes[idx] > best_size:
            best, best_size = idx, int(sizes[idx])
    return (lab == best) if best else None


# ---------------------------------------------------------------- projections and montages


def find_grid(arr: np.ndarray, prompt: str) -> tuple[int, int] | None:
    """The tile grid of a montage: parsed from the text, else the split whose tiles correlate best (>= 0.7)."""
    parsed = parse.grid(prompt)
    if parsed and parsed[0] * parsed[1] > 1:
        return parsed
    n = parse.slice_count(prompt)
    if n:
        cols = int(np.ceil(np.sqrt(n)))
        return int(np.ceil(n / cols)), cols
    g = luminance(arr)
    best: tuple[float, tuple[int, int]] | None = None
    for rows in range(1, 5):
        for cols in range(1, 5):
            if rows * cols == 1 or g.shape[0] // rows < 16 or g.shape[1] // cols < 16:
                continue
            tiles = split_tiles(g, rows, cols)
            score = _mean_corr(tiles)
            if score >= 0.7 and (best is None or score > best[0] + 0.02):
                best = (score, (rows, cols))
    return best[1] if best else None


def split_tiles(arr: np.ndarray, rows: int, cols: int) -> list[np.ndarray]:
    th, tw = arr.shape[0] // rows, arr.shape[1] // cols
    return [arr[r * th : (r + 1) * th, c * tw : (c + 1) * tw] for r in range(rows) for c in range(cols)]


def _mean_corr(tiles: list[np.ndarray]) -> float:
    flat = [t.ravel() - t.mean() for t in tiles]
    vals = []
    for a, b in zip(flat[:-1], flat[1:], strict=True):
        den = np.sqrt((a * a).sum() * (b * b).sum())
        if den < 1e-9:
            return 0.0
        vals.append(float((a * b).sum() / den))
    return float(np.mean(vals)) if vals else 0.0


def projection_3d_to_2d(arr: np.ndarray, modality: str, prompt: str) -> tuple[np.ndarray, str]:
    """Project the tiles of a slice montage: max (MIP, default), min (MinIP) or mean (radiograph-like)."""
    grid = find_grid(arr, prompt)
    if grid is None:
        return arr, "the input holds a single view, whose projection along the view axis is itself"
    tiles = np.stack(split_tiles(arr, *grid))
    t = parse.lower(prompt)
    if parse.has_any(t, ("minimum intensity", "minip")):
        return tiles.min(axis=0), f"minimum-intensity projection over a {grid[0]}x{grid[1]} montage"
    if parse.has_any(t, ("average", "mean", "radiograph", "drr", "x-ray", "xray", "sum")):
        return tiles.mean(axis=0), f"mean-intensity projection over a {grid[0]}x{grid[1]} montage"
    return tiles.max(axis=0), f"maximum-intensity projection over a {grid[0]}x{grid[1]} montage"


def reconstruction_2d_to_3d(arr: np.ndarray, modality: str, prompt: str) -> tuple[np.ndarray, str]:
    """With a requested grid or slice count, show the slice extruded through depth as a montage at the input size."""
    grid = parse.grid(prompt)
    n = parse.slice_count(prompt)
    if grid is None and n:
        cols = int(np.ceil(np.sqrt(n)))
        grid = (int(np.ceil(n / cols)), cols)
    if grid is None or grid[0] * grid[1] < 2:
        return conservative(arr, "an unspecified 3D view")
    h, w = arr.shape[:2]
    rows, cols = grid
    tile = resize(arr, (max(1, w // cols), max(1, h // rows)))
    mont = np.concatenate([np.concatenate([tile] * cols, axis=1)] * rows, axis=0)
    return resize(mont, (w, h)), f"extruded the slice through depth, shown as a {rows}x{cols} montage"
