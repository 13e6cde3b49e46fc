"""Each built-in transform: deterministic for a seed, and doing what its name says."""

from __future__ import annotations

import numpy as np
import pytest
from medgen_build.transforms import BUILTIN, artifacts, lesion, noise, projection, resolution, style


def _phantom(rgb: bool = False) -> np.ndarray:
    yy, xx = np.mgrid[0:96, 0:96]
    img = np.where((yy - 48) ** 2 + (xx - 48) ** 2 < 35**2, 120.0, 0.0).astype(np.float32)
    img[40:56, 40:56] = 200.0
    return np.stack([img, img * 0.6, img * 0.8], -1) if rgb else img


def _volume() -> np.ndarray:
    zz, yy, xx = np.mgrid[0:24, 0:32, 0:32]
    return np.where((zz - 12) ** 2 + (yy - 16) ** 2 + (xx - 16) ** 2 < 100, 150.0, 0.0).astype(np.float32)


ARGS = {"stain_restyle": {"rgb": True}, "red_free": {"rgb": True}}


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_transform_is_deterministic_and_changes_the_image(name):
    fn, _, _, kind, _ = BUILTIN[name]
    data = _volume() if kind == "volume" else _phantom(ARGS.get(name, {}).get("rgb", False))
    extra = {"spacing": [1.0, 1.0, 1.0], "size": 64} if kind == "volume" else {}
    a = fn(data, np.random.default_rng(7), **extra)
    b = fn(data, np.random.default_rng(7), **extra)
    assert np.array_equal(a.input, b.input) and np.array_equal(a.target, b.target)
    assert "params" in a.meta
    if a.input.shape == a.target.shape:
        assert np.abs(a.input - a.target).max() > 1.0
    if a.mask is not None:
        assert a.mask.dtype == np.uint8 and a.mask.max() == 255 and a.mask.shape == a.target.shape[:2]


def test_noise_kinds_behave_like_their_physics():
    flat = np.full((128, 128), 100.0, np.float32)
    dark = np.zeros((128, 128), np.float32)
    rng = np.random.default_rng(0)
    p = noise.poisson_noise(flat, rng, photons=50.0).input
    assert abs(p.var() - 100.0 * 255.0 / 50.0) < 0.15 * 100.0 * 255.0 / 50.0  # variance = mean * 255 / photons
    assert noise.poisson_noise(dark, rng).input.max() == 0.0  # no photons, no noise
    assert noise.rician_noise(dark, rng, sigma=10.0).input.mean() > 10.0  # Rician floor: sigma * sqrt(pi/2)
    assert noise.speckle_noise(dark, rng).input.max() == 0.0  # multiplicative
    assert abs(noise.gaussian_noise(flat, rng, sigma=10.0).input.std() - 10.0) < 0.5


def test_downsample_and_projection_shapes():
    pair = resolution.downsample(_phantom(), np.random.default_rng(0), factor=4)
    assert pair.input.shape == (24, 24) and pair.target.shape == (96, 96)
    vol = _volume()
    mip = projection.max_intensity_projection(vol, np.random.default_rng(0), axis=0, size=32)
    assert mip.target.shape == (32, 32) and np.isclose(mip.target.max(), 150.0, atol=1.0)
    mean = projection.mean_intensity_projection(vol, np.random.default_rng(0), axis=0, size=32)
    assert mean.target.max() == pytest.approx(255.0, abs=1.0)


def test_lesion_edits_stay_inside_their_mask():
    img = _phantom()
    pair = lesion.lesion_insert(img, np.random.default_rng(1), radius=5.0, contrast=-60.0)
    changed = np.abs(pair.target - pair.input) > 1
    mask = pair.mask > 0
    from scipy import ndimage

    assert changed.any() and not (changed & ~ndimage.binary_dilation(mask, iterations=3)).any()
    grow = lesion.lesion_resize(img, np.random.default_rng(1), radius=4.0, new_radius=8.0, contrast=-60.0)
    assert (np.abs(grow.target - img) > 1).sum() > (np.abs(grow.input - img) > 1).sum()


def test_styles_and_artifacts_keep_shape():
    img = _phantom()
    assert style.ct_window(img, np.random.default_rng(0)).target.shape == img.shape
    assert style.colour_map(img, np.random.default_rng(0), cmap="hot").target.shape == (96, 96, 3)
    ghost = artifacts.motion_ghosting(img, np.random.default_rng(0), shift_px=8.0)
    assert ghost.input.shape == img.shape and (ghost.input[:6] > 5).any()  # ghosts outside the object
    with pytest.raises(ValueError):
        style.ct_window(img, np.random.default_rng(0), window="nope")
