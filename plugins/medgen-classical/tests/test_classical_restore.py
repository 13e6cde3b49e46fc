"""Restoration methods measured against the clean image they should recover."""

from __future__ import annotations

import numpy as np
import pytest
from classical_helpers import as_float, psnr, real_image
from medgen_classical import restore

REAL = [
    "ct/ct_upper_abdomen_spine.png",
    "mri/mr_brain_pd_axial.png",
    "xray/xr_chest_pa_cr.png",
    "pathology/he_skin_nevus.png",
]


def _noisy(clean: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "gaussian":
        out = clean + rng.normal(0, 0.07, clean.shape)
    elif kind == "poisson":
        out = rng.poisson(clean * 60.0) / 60.0
    else:
        out = clean + clean * rng.normal(0, 0.2, clean.shape)
    return np.round(np.clip(out, 0, 1) * 255) / 255


@pytest.mark.parametrize("rel", REAL)
@pytest.mark.parametrize("kind", ["gaussian", "poisson", "speckle"])
def test_denoise_raises_psnr_on_real_images(rel: str, kind: str) -> None:
    clean = as_float(real_image(rel))
    noisy = _noisy(clean, kind, np.random.default_rng(7))
    out, note = restore.denoise(noisy, "ct", f"Remove the {kind} noise from this image.")
    assert out.shape == clean.shape
    assert psnr(out, clean) > psnr(noisy, clean) + 1.5, note


def test_denoise_uses_modality_noise_model_when_unnamed() -> None:
    clean = as_float(real_image("us/us_echo_philips.png"))
    noisy = _noisy(clean, "speckle", np.random.default_rng(3))
    out, note = restore.denoise(noisy, "us", "Restore a clean version of this image.")
    assert "speckle" in note
    assert psnr(out, clean) > psnr(noisy, clean) + 0.5


def test_denoise_on_synthetic_phantom() -> None:
    yy, xx = np.mgrid[0:128, 0:128]
    clean = np.where((yy - 64) ** 2 + (xx - 64) ** 2 < 40**2, 0.7, 0.2)
    noisy = clean + np.random.default_rng(0).normal(0, 0.1, clean.shape)
    out, _ = restore.denoise(np.clip(noisy, 0, 1), "mri", "Denoise (Gaussian noise).")
    assert psnr(out, clean) > psnr(np.clip(noisy, 0, 1), clean) + 5


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("Upscale this image to 512x512 pixels.", (512, 512)),
        ("Increase the resolution by a factor of 4.", (256, 256)),
        ("Super-resolve this image 2x.", (128, 128)),
        ("Produce a ×3 super-resolution version.", (192, 192)),
        ("Downsample this image by 2.", (32, 32)),
    ],
)
def test_resolution_returns_requested_size(prompt: str, size: tuple[int, int]) -> None:
    arr = as_float(real_image("mri/mr_brain_pd_axial.png", 64))
    out, note = restore.resolution(arr, prompt)
    assert (out.shape[1], out.shape[0]) == size, note


def test_resolution_lanczos_beats_nearest_neighbour() -> None:
    clean = as_float(real_image("ct/ct_head_subdural_693.png", 256))
    small = clean[::2, ::2]
    out, _ = restore.resolution(small, "Upscale by 2x.")
    nearest = np.repeat(np.repeat(small, 2, axis=0), 2, axis=1)
    assert out.shape == clean.shape
    assert psnr(out, clean) > psnr(nearest, clean)


def test_resolution_without_numbers_keeps_size() -> None:
    arr = as_float(real_image("xray/xr_chest_pa_cr.png", 96))
    out, _ = restore.resolution(arr, "Enhance the resolution of this image.")
    assert out.shape == arr.shape


@pytest.mark.parametrize("rel", ["ct/ct_chest_nema_ct1.png", "pathology/ihc_colon_fhl2.png"])
def test_clahe_raises_contrast_of_low_contrast_image(rel: str) -> None:
    arr = as_float(real_image(rel))
    low = 0.4 + 0.2 * arr  # squeeze into [0.4, 0.6]
    out, note = restore.contrast(low, "Enhance the contrast of this image.")
    assert "CLAHE" in note
    assert out.shape == low.shape
    assert out.std() > 1.5 * low.std()


def test_impulse_removal_restores_image() -> None:
    clean = as_float(real_image("mri/mr_brain_t1_coronal_dipy.png"))
    rng = np.random.default_rng(1)
    noisy = clean.copy()
    hits = rng.random(clean.shape) < 0.03
    noisy[hits] = rng.integers(0, 2, hits.sum())
    out, note = restore.artifacts(noisy, "mri", "Remove the salt-and-pepper artifacts.")
    assert psnr(out, clean) > psnr(noisy, clean) + 10, note


def test_ring_removal_restores_image() -> None:
    clean = as_float(real_image("ct/ct_abdomen_pancreas_tcia.png"))
    yy, xx = np.mgrid[0:256, 0:256]
    r = np.hypot(yy - 127.5, xx - 127.5).astype(int)
    rings = np.where(r % 17 == 0, 0.12, 0.0)
    out, note = restore.artifacts(np.clip(clean + rings, 0, 1), "ct", "Remove the ring artifacts.")
    assert psnr(out, clean) > psnr(np.clip(clean + rings, 0, 1), clean) + 3, note


def test_ghost_removal_restores_image() -> None:
    clean = as_float(real_image("mri/mr_brain_pd_axial.png"))
    ghosted = np.clip(clean + 0.35 * np.roll(clean, 64, axis=0), 0, 1)
    out, note = restore.artifacts(ghosted, "mri", "Remove the ghosting artifact.")
    assert psnr(out, clean) > psnr(ghosted, clean) + 8, note


def test_ghost_detector_ignores_clean_images() -> None:
    for rel in REAL + ["mri/mr_shoulder_nema_mr2.png", "mri/mr_cardiac_cine.png"]:
        clean = as_float(real_image(rel))
        out, note = restore.remove_ghost(clean, min_ratio=0.15)
        assert note == "" and out is clean, rel


def test_bias_field_flattening_restores_image() -> None:
    clean = as_float(real_image("mri/mr_brain_t1_coronal_dipy.png"))
    xx = np.linspace(-1, 1, 256)[None, :]
    biased = np.clip(clean * (1.0 + 0.4 * xx), 0, 1)
    out, note = restore.artifacts(biased, "mri", "Correct the intensity inhomogeneity (bias field).")
    assert psnr(out, clean) > psnr(biased, clean) + 1, note


def test_unnamed_artifact_leaves_clean_image_nearly_unchanged() -> None:
    clean = as_float(real_image("mri/mr_brain_t1_colin27_axial.png"))
    out, _ = restore.artifacts(clean, "mri", "Remove the artifacts from this image.")
    assert psnr(out, clean) > 35
