"""PSNR on 8-bit RGB, peak 255, MSE over all channels, capped at 100 dB.

Differences are taken in float64 (8-bit subtraction would wrap around, a
defect of old code); their squares are integers, so the summed squared error
is exact and the value equals the plain float64 numpy definition.
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

    d = x.astype(np.float64) - y.astype(np.float64)
    if where is not None:
        d = d[where]
    flat = d.reshape(-1)
    # integer-valued terms below 2**53: the float64 dot product is exact
    return int(np.dot(flat, flat)), flat.size


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
