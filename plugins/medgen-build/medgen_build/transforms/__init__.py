"""The built-in rule-based transforms, one module per family, and the table that registers them.

A transform is ``fn(image_or_volume, rng, **params) -> Pair``; the table gives
each its family, the modalities it suits and what it does. Plugins add their
own through the ``medgen_register_transforms`` hook with the same fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medgen_build.transforms import (
    annotation,
    artifacts,
    contrast,
    edits,
    lesion,
    noise,
    projection,
    regions,
    resolution,
    style,
)
from medgen_build.transforms.base import Pair

ALL = ("ct", "mri", "us", "xray", "pathology", "photo")
RADIOLOGY = ("ct", "mri", "us", "xray")

# name: (fn, family, modalities, input kind, description)
BUILTIN: dict[str, tuple[Callable[..., Pair], str, tuple[str, ...], str, str]] = {
    "gaussian_noise": (noise.gaussian_noise, "noise", ("pathology", "photo"), "image", "Additive Gaussian noise."),
    "poisson_noise": (noise.poisson_noise, "noise", ("xray", "ct"), "image", "Photon-count (quantum) noise."),
    "rician_noise": (noise.rician_noise, "noise", ("mri",), "image", "Rician noise of magnitude MR."),
    "speckle_noise": (noise.speckle_noise, "noise", ("us",), "image", "Multiplicative gamma speckle."),
    "downsample": (resolution.downsample, "resolution", ALL, "image", "Area down-sampling by an integer factor."),
    "contrast_reduction": (contrast.contrast_reduction, "contrast", ALL, "image", "Compress intensities to the mean."),
    "streak_artifact": (artifacts.streak_artifact, "artifact", ("ct",), "image", "Radiating CT streaks."),
    "ring_artifact": (artifacts.ring_artifact, "artifact", ("ct",), "image", "Concentric CT ring artifacts."),
    "motion_ghosting": (artifacts.motion_ghosting, "artifact", ("mri",), "image", "k-space motion ghosts."),
    "bias_field": (artifacts.bias_field, "artifact", ALL, "image", "Smooth multiplicative shading."),
    "ct_window": (style.ct_window, "style", ("ct",), "image", "Re-display in another CT window."),
    "invert_polarity": (style.invert_polarity, "style", ("xray",), "image", "Negative (black-bone) display."),
    "stain_restyle": (style.stain_restyle, "style", ("pathology",), "image", "H&E/IHC stain recomposition."),
    "red_free": (style.red_free, "style", ("photo",), "image", "Red-free (green channel) fundus view."),
    "colour_map": (style.colour_map, "style", ("mri", "us", "ct"), "image", "Pseudo-colour rendering."),
    "contour_overlay": (annotation.contour_overlay, "annotation", ALL, "image", "Outline a region (with mask)."),
    "label_overlay": (annotation.label_overlay, "annotation", ALL, "image", "Fill a region in colour (with mask)."),
    "region_removal": (regions.region_removal, "region", ALL, "image", "Remove a region, fill from surroundings."),
    "region_restoration": (regions.region_restoration, "region", ALL, "image", "Restore a removed region."),
    "max_intensity_projection": (
        projection.max_intensity_projection,
        "projection",
        ("mri", "ct"),
        "volume",
        "Maximum-intensity projection of a volume.",
    ),
    "mean_intensity_projection": (
        projection.mean_intensity_projection,
        "projection",
        ("mri", "ct"),
        "volume",
        "Mean-intensity projection of a volume.",
    ),
    "slice_views": (
        projection.slice_views,
        "projection",
        ("mri", "ct"),
        "volume",
        "Orthogonal reformat from a stack of axial slices.",
    ),
    "lesion_insert": (lesion.lesion_insert, "lesion", ALL, "image", "Insert a synthetic focal lesion."),
    "lesion_remove": (lesion.lesion_remove, "lesion", ALL, "image", "Remove a synthetic focal lesion."),
    "lesion_resize": (lesion.lesion_resize, "lesion", ALL, "image", "Grow or shrink a lesion (progression)."),
    "flip_horizontal": (edits.flip_horizontal, "edit", ALL, "image", "Mirror left-right."),
    "zoom_quadrant": (edits.zoom_quadrant, "edit", ALL, "image", "Zoom 2x into a quadrant."),
    "gamma_adjust": (edits.gamma_adjust, "edit", ALL, "image", "Gamma brightness change."),
}


def register_builtin(register: Any) -> None:
    for name, (fn, family, modalities, kind, description) in BUILTIN.items():
        register(name, fn, family=family, modalities=list(modalities), input_kind=kind, description=description)


__all__ = ["BUILTIN", "Pair", "register_builtin"]
