"""PSNR on 8-bit RGB, peak 255, MSE over all channels, capped at 100 dB.

Differences are taken in int32 (8-bit subtraction would wrap around, a
defect of old code) and squared and summed exactly in integers, so the MSE
equals the plain float64 numpy definition.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PEAK = 255.0
CAP = 100.0


def squared_error_sum(x: np.ndarray, y: np.ndarray, where: np.ndarray | None = None) -> tuple[int, int]:
    """(sum of squared differences, number of values) over all channels, optionally only where ``where``."""
    import numpy as np

    d = np.subtract(x, y, dtype=np.int32)  # one pass, no 8-bit wrap-around
    if where is not None:
        d = d[where]
    np.multiply(d, d, out=d)  # at most 255^2: exact in int32
    # exact integer sum; BLAS dot in float64 would also be exact but spawns/spins threads
    return int(d.sum(dtype=np.int64)), d.size


def rgb_squared_error_sum(x: np.ndarray, y: np.ndarray, where: np.ndarray | None = None) -> tuple[int, int]:
    """:func:`squared_error_sum` over the RGB values of two images given as HxW (gray) or HxWx3 arrays.

    A gray image's RGB form repeats its value in three channels, so it is broadcast rather than
    copied; two gray images give exactly three times the gray sum and count.
    """
    if x.ndim == 2 and y.ndim == 2:
        sse, count = squared_error_sum(x, y, where)
        return 3 * sse, 3 * count
    if x.ndim == 2:
        x = x[:, :, None]  # HxWx1 broadcasts against HxWx3 in the subtraction
    if y.ndim == 2:
        y = y[:, :, None]
    return squared_error_sum(x, y, where)


def psnr_from_sse(sse: int, count: int) -> float:
    """10*log10(255^2 / MSE), 100 for identical images, never above 100."""
    if sse == 0:
        return CAP
    mse = sse / count
    return min(CAP, 10.0 * math.log10(PEAK * PEAK / mse))


def psnr(x: np.ndarray, y: np.ndarray) -> float:
    """PSNR of two equally shaped uint8 arrays (HxWx3 for the paper's RGB definition)."""
    if x.shape != y.shape:
        raise ValueError(f"PSNR needs equal shapes, got {x.shape} and {y.shape}")
    return psnr_from_sse(*squared_error_sum(x, y))
