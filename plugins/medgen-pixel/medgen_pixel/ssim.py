"""SSIM exactly as scikit-image's ``structural_similarity`` defaults compute it, but faster.

scikit-image (7x7 uniform window, K1 0.01, K2 0.03, sample covariance,
data_range 255) filters five float images with ``uniform_filter`` and then
averages the SSIM map after cropping a 3-pixel border. The cropped map only
holds window centres whose 7x7 window lies fully inside the image, so the
border mode never matters.

Here the window sums Sx, Sy, Sxx, Syy, Sxy of the 8-bit pixels are exact
integers, and with N = 49 the scikit-image formula rearranges to

    (2 Sx Sy + C1 N^2) (2 (N Sxy - Sx Sy) + C2 N (N-1))
    ---------------------------------------------------------------
    (Sx^2 + Sy^2 + C1 N^2) (N (Sxx + Syy) - Sx^2 - Sy^2 + C2 N (N-1))

whose integer parts fit in int32 (at most 49 * 255^2 * 98 < 2^31), so only the
last few operations are float64 and the result equals scikit-image's to ~1e-13.
All five images are stacked in one flat int32 buffer; a 7-tap sliding sum over
it (step 1 for rows, step W for columns) is a handful of contiguous vector adds.
Sums that straddle a row or image edge land only in positions outside the
cropped map and are never read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

WIN = 7
K1 = 0.01
K2 = 0.03
DATA_RANGE = 255.0
PAD = (WIN - 1) // 2
_N = WIN * WIN
_C1 = (K1 * DATA_RANGE) ** 2 * _N * _N
_C2 = (K2 * DATA_RANGE) ** 2 * _N * (_N - 1)


def _sliding7(flat: np.ndarray, step: int) -> np.ndarray:
    """out[i] = sum_k flat[i + k * step] for k in 0..6; len(out) = len(flat) - 6 * step."""
    s2 = flat[:-step] + flat[step:]
    s4 = s2[: -2 * step] + s2[2 * step :]
    out = s4[: -3 * step] + s2[4 * step : -step]
    out += flat[6 * step :]
    return out


def _window_sums(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """5 x H x W int32: the 7x7 window sums of x, y, x*x, y*y, x*y at each window's top-left corner."""
    import numpy as np

    h, w = x.shape
    hw = h * w
    xi = x.astype(np.int32).reshape(-1)
    yi = y.astype(np.int32).reshape(-1)
    stack = np.empty(5 * hw, dtype=np.int32)
    stack[:hw] = xi
    stack[hw : 2 * hw] = yi
    np.multiply(xi, xi, out=stack[2 * hw : 3 * hw])
    np.multiply(yi, yi, out=stack[3 * hw : 4 * hw])
    np.multiply(xi, yi, out=stack[4 * hw :])
    sums = _sliding7(_sliding7(stack, 1), w)
    stack[: sums.size] = sums
    stack[sums.size :] = 0  # positions past the last full window: never read, keep them harmless
    return stack.reshape(5, h, w)


def ssim_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The SSIM map over window centres at least 3 pixels from the border (skimage's cropped map).

    ``x`` and ``y`` are equally shaped 2-D uint8 arrays of at least 7x7 pixels.
    """
    import numpy as np

    if x.shape != y.shape or x.ndim != 2:
        raise ValueError(f"SSIM needs two equal 2-D images, got {x.shape} and {y.shape}")
    if min(x.shape) < WIN:
        raise ValueError(f"SSIM needs images of at least {WIN}x{WIN} pixels, got {x.shape[1]}x{x.shape[0]}")
    h, w = x.shape
    sx, sy, sxx, syy, sxy = _window_sums(x, y)
    p = sx * sy
    q = sx * sx
    q += sy * sy
    num1 = p.astype(np.float64)
    num1 *= 2.0
    num1 += _C1
    den1 = q.astype(np.float64)
    den1 += _C1
    sxy *= _N
    sxy -= p
    num2 = sxy.astype(np.float64)
    num2 *= 2.0
    num2 += _C2
    sxx += syy
    sxx *= _N
    sxx -= q
    den2 = sxx.astype(np.float64)
    den2 += _C2
    num1 *= num2
    den1 *= den2
    num1 /= den1
    return num1[: h - WIN + 1, : w - WIN + 1]


def ssim(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM, equal to ``skimage.metrics.structural_similarity(x, y, data_range=255)``."""
    import numpy as np

    return float(ssim_map(x, y).mean(dtype=np.float64))
