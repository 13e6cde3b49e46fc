"""Volume to image: MIP / mean projections (3D->2D) and orthogonal reformats from a slice stack (2D->3D).

Inputs are montages of evenly spaced slices (what a 2D model can be shown of a
volume); physical spacing is honoured so anisotropic series keep their shape.
"""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip

AXIS_NAMES = {0: "superior-inferior (axial slices)", 1: "anterior-posterior (coronal)", 2: "left-right (sagittal)"}
PLANE_OF_AXIS = {0: "axial", 1: "coronal", 2: "sagittal"}


def _resample(img: np.ndarray, spacing_rc: tuple[float, float], size: int) -> np.ndarray:
    """Resize a 2-D view so pixels are square and the long side is ``size``."""
    from PIL import Image

    h_mm, w_mm = img.shape[0] * spacing_rc[0], img.shape[1] * spacing_rc[1]
    scale = size / max(h_mm, w_mm)
    new = (max(8, int(round(w_mm * scale))), max(8, int(round(h_mm * scale))))
    pil = Image.fromarray(img.astype(np.float32), mode="F").resize(new, Image.Resampling.BILINEAR)
    return clip(np.asarray(pil))


def _view_spacing(spacing: tuple[float, float, float], axis: int) -> tuple[float, float]:
    return tuple(s for i, s in enumerate(spacing) if i != axis)  # type: ignore[return-value]


def _orient(img: np.ndarray, axis: int) -> np.ndarray:
    """Put superior at the top for coronal and sagittal views (volumes are stored inferior->superior)."""
    return img[::-1] if axis != 0 else img


def slice_montage(
    volume: np.ndarray, axis: int, n: int, spacing: tuple[float, float, float], size: int
) -> tuple[np.ndarray, list[int]]:
    """A near-square grid of ``n`` evenly spaced slices along ``axis``, each tile resampled."""
    depth = volume.shape[axis]
    idx = [int(round(v)) for v in np.linspace(depth * 0.15, depth * 0.85, n)]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    tile = size // cols
    tiles = [_orient(_resample(np.take(volume, i, axis=axis), _view_spacing(spacing, axis), tile), axis) for i in idx]
    th = max(t.shape[0] for t in tiles)
    tw = max(t.shape[1] for t in tiles)
    sheet = np.zeros((rows * th, cols * tw), np.float32)
    for k, t in enumerate(tiles):
        r, c = divmod(k, cols)
        sheet[r * th : r * th + t.shape[0], c * tw : c * tw + t.shape[1]] = t
    return sheet, idx


def _projection(volume, rng, axis, spacing, size, n_slices, kind):
    spacing = tuple(float(s) for s in spacing)
    proj = volume.max(axis=axis) if kind == "max" else volume.mean(axis=axis)
    if kind == "mean":
        proj = proj / max(float(proj.max()), 1e-6) * 255.0
    target = _orient(_resample(proj, _view_spacing(spacing, axis), size), axis)
    montage, idx = slice_montage(volume, axis, n_slices, spacing, size)
    name = "maximum" if kind == "max" else "mean"
    return Pair(
        montage,
        target,
        meta={
            "params": {"axis": axis, "kind": kind, "spacing_mm": list(spacing), "size": size, "montage_slices": idx},
            "effect": f"{name}-intensity projection along the {AXIS_NAMES[axis]} axis",
            "plane": PLANE_OF_AXIS[axis],
            "n_slices": n_slices,
            "volume_shape": list(volume.shape),
        },
    )


def max_intensity_projection(
    volume: np.ndarray,
    rng: np.random.Generator,
    axis: int = 0,
    spacing=(1.0, 1.0, 1.0),
    size: int = 256,
    n_slices: int = 9,
) -> Pair:
    return _projection(volume, rng, axis, spacing, size, n_slices, "max")


def mean_intensity_projection(
    volume: np.ndarray,
    rng: np.random.Generator,
    axis: int = 0,
    spacing=(1.0, 1.0, 1.0),
    size: int = 256,
    n_slices: int = 9,
) -> Pair:
    return _projection(volume, rng, axis, spacing, size, n_slices, "mean")


def slice_views(
    volume: np.ndarray,
    rng: np.random.Generator,
    target_axis: int = 1,
    position: float = 0.5,
    spacing=(1.0, 1.0, 1.0),
    size: int = 256,
    n_slices: int = 9,
) -> Pair:
    """Input: a montage of axial slices; target: the coronal or sagittal reformat at ``position``."""
    if target_axis not in (1, 2):
        raise ValueError("target_axis must be 1 (coronal) or 2 (sagittal)")
    spacing = tuple(float(s) for s in spacing)
    index = int(round(position * (volume.shape[target_axis] - 1)))
    view = np.take(volume, index, axis=target_axis)
    target = _orient(_resample(view, _view_spacing(spacing, target_axis), size), target_axis)
    montage, idx = slice_montage(volume, 0, n_slices, spacing, size)
    return Pair(
        montage,
        target,
        meta={
            "params": {
                "target_axis": target_axis,
                "position": position,
                "index": index,
                "spacing_mm": list(spacing),
                "size": size,
                "montage_slices": idx,
            },
            "effect": f"{PLANE_OF_AXIS[target_axis]} reformat at {position:.0%} of the volume, reconstructed from "
            f"{n_slices} axial slices",
            "plane": PLANE_OF_AXIS[target_axis],
            "n_slices": n_slices,
            "volume_shape": list(volume.shape),
        },
    )
