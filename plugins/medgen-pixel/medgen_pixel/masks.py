"""Region masks for the masked pixel metrics.

A mask lives in the reference image's frame: pixels whose 8-bit grayscale
value (PIL ``convert("L")``) is non-zero are *inside*, zero pixels *outside*.
A mask of another size is resized to the reference size with nearest-neighbour
sampling (so it stays binary) and the score records ``mask_resized``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medgen_core.types import ImageError, ScoreFailure, ScoreItem

if TYPE_CHECKING:
    import numpy as np


def load_mask(item: ScoreItem, size: tuple[int, int]) -> tuple[np.ndarray, dict[str, Any]]:
    """Boolean HxW mask for ``item`` at ``size`` (w, h), plus details to record; ScoreFailure if absent."""
    import numpy as np
    from PIL import Image as PILImage

    ref = item.sample.mask_image
    if ref is None:
        raise ScoreFailure(f"sample {item.sample.id!r}: a masked metric needs a mask image, and the sample has none")
    try:
        img = ref.open().convert("L")
    except ImageError as exc:
        raise ScoreFailure(f"sample {item.sample.id!r}: {exc}") from exc
    details: dict[str, Any] = {}
    if img.size != size:
        details = {"mask_resized": True, "mask_from": list(img.size)}
        img = img.resize(size, PILImage.Resampling.NEAREST)
    return np.asarray(img) > 0, details
