"""The shortcuts behind the fast pixel path give exactly the plain definitions' values."""

from __future__ import annotations

import numpy as np
import pytest
from medgen_pixel import pairs
from medgen_pixel.psnr import rgb_squared_error_sum
from medgen_pixel.ssim import ssim, ssim_map
from PIL import Image


@pytest.mark.parametrize("shape", [(7, 7), (7, 40), (33, 7), (64, 65), (200, 131)])
def test_integer_ssim_equals_skimage_on_edge_cases(shape: tuple[int, int]) -> None:
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(sum(shape))
    a = rng.integers(0, 256, shape, dtype=np.uint8)
    cases = [rng.integers(0, 256, shape, dtype=np.uint8), 255 - a, a, np.zeros_like(a), np.full_like(a, 255)]
    for b in cases:
        want, full = structural_similarity(a, b, data_range=255, full=True)
        assert abs(ssim(a, b) - want) < 1e-9
        np.testing.assert_allclose(ssim_map(a, b), full[3:-3, 3:-3], rtol=0, atol=1e-9)
    flat = np.full(shape, 255, dtype=np.uint8)
    assert ssim(flat, flat) == pytest.approx(1.0, abs=1e-12)


def test_gray_rgb_shortcuts_match_rgb_forms() -> None:
    rng = np.random.default_rng(5)
    g1 = rng.integers(0, 256, (97, 143), dtype=np.uint8)
    g2 = rng.integers(0, 256, (97, 143), dtype=np.uint8)
    c2 = rng.integers(0, 256, (97, 143, 3), dtype=np.uint8)
    rgb1, rgb2 = np.repeat(g1[:, :, None], 3, axis=2), np.repeat(g2[:, :, None], 3, axis=2)
    mask = rng.random((97, 143)) > 0.4

    def plain(x: np.ndarray, y: np.ndarray, where: np.ndarray | None = None) -> tuple[int, int]:
        sq = (x.astype(np.float64) - y.astype(np.float64)) ** 2
        sq = sq[where] if where is not None else sq
        return int(sq.sum()), sq.size

    assert rgb_squared_error_sum(g1, g2) == plain(rgb1, rgb2)
    assert rgb_squared_error_sum(g1, c2) == plain(rgb1, c2)
    assert rgb_squared_error_sum(c2, g2, mask) == plain(c2, rgb2, mask)
    # the LPIPS input of a gray image is resized in L mode: same bytes as resizing its RGB form
    lp = pairs._to_lpips(g1)
    want = np.asarray(Image.fromarray(rgb1, "RGB").resize((256, 256), Image.Resampling.BILINEAR))
    assert lp.shape == (256, 256) and np.array_equal(np.repeat(lp[:, :, None], 3, axis=2), want)


def test_shared_pool_is_reused_and_views_are_validated() -> None:
    assert pairs.pool(2) is pairs.pool(2)
    assert 1 <= pairs.default_workers() <= 2
    with pytest.raises(ValueError):
        pairs.want("hsv")
