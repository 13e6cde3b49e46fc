"""SSIM exactly as scikit-image's ``structural_similarity`` defaults compute it, but faster.

scikit-image (7x7 uniform window, K1 0.01, K2 0.03, sample covariance,
data_range 255) filters five float images with ``uniform_filter`` and then
averages the SSIM map after cropping a 3-pixel border. The cropped map only
holds window centres whose 7x7 window lies fully inside the image, so the
border mode never matters. Here the window sums of x, y, x*x, y*y and x*y are
computed exactly in integers (separable running sums over uint8 pixels) and the
same float64 formula follows: the result equals scikit-image's to ~1e-12.
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


def _window_sums(a: np.ndarray) -> np.ndarray:
    """Sum of every full WIN x WIN window of non-negative integer ``a``, shape (H-WIN+1, W-WIN+1).

    Separable running sums: along rows, then along columns. int32 holds every
    partial sum for 8-bit products while rows and columns stay below the
    bounds checked here (int64 otherwise), halving memory traffic.
    """
    import numpy as np

    peak = int(a.max()) if a.size else 0
    dtype = np.int32 if peak * max(a.shape[1], WIN * a.shape[0]) < 2**31 else np.int64
    c = np.zeros((a.shape[0], a.shape[1] + 1), dtype=dtype)
    np.cumsum(a, axis=1, dtype=dtype, out=c[:, 1:])
    rows = c[:, WIN:] - c[:, :-WIN]
    c = np.zeros((a.shape[0] + 1, rows.shape[1]), dtype=dtype)
    np.cumsum(rows, axis=0, out=c[1:])
    return c[WIN:] - c[:-WIN]


def ssim_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The SSIM map over window centres at least 3 pixels from the border (skimage's cropped map).

    ``x`` and ``y`` are equally shaped 2-D uint8 arrays of at least 7x7 pixels.
    """
    import numpy as np

    if x.shape != y.shape or x.ndim != 2:
        raise ValueError(f"SSIM needs two equal 2-D images, got {x.shape} and {y.shape}")
    if min(x.shape) < WIN:
        raise ValueError(f"SSIM needs images of at least {WIN}x{WIN} pixels, got {x.shape[1]}x{x.shape[0]}")
    xi = x.astype(np.int32)
    yi = y.astype(np.int32)
    n = float(WIN * WIN)
    cov_norm = n / (n - 1.0)
    ux = _window_sums(xi) / n
    uy = _window_sums(yi) / n
    uxx = _window_sums(xi * xi) / n
    uyy = _window_sums(yi * yi) / n
    uxy = _window_sums(xi * yi) / n
    vx = cov_norm * (uxx - ux * ux)
    vy = cov_norm * (uyy - uy * uy)
    vxy = cov_norm * (uxy - ux * uy)
    c1 = (K1 * DATA_RANGE) ** 2
    c2 = (K2 * DATA_RANGE) ** 2
    a1 = 2 * ux * uy + c1
    a2 = 2 * vxy + c2
    b1 = ux**2 + uy**2 + c1
    b2 = vx + vy + c2
    return (a1 * a2) / (b1 * b2)


def ssim(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM, equal to ``skimage.metrics.structural_similarity(x, y, data_range=255)``."""
    import numpy as np

    return float(ssim_map(x, y).mean(dtype=np.float64))
