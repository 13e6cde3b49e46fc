"""Straightforward reference definitions (scikit-image, numpy, lpips one pair at a time) to test against."""

from __future__ import annotations

import numpy as np
from PIL import Image

from medgen_core.types import ImageRef


def reference_pair(pred: ImageRef, ref: ImageRef) -> tuple[Image.Image, Image.Image, bool]:
    """Decode through the core; resize the prediction to the reference size with LANCZOS."""
    p, r = pred.open(), ref.open()
    resized = p.size != r.size
    if resized:
        p = p.resize(r.size, Image.Resampling.LANCZOS)
    return p, r, resized


def ref_ssim(p: Image.Image, r: Image.Image) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(np.asarray(p.convert("L")), np.asarray(r.convert("L")), data_range=255))


def ref_ssim_map(p: Image.Image, r: Image.Image) -> np.ndarray:
    from skimage.metrics import structural_similarity

    _, smap = structural_similarity(np.asarray(p.convert("L")), np.asarray(r.convert("L")), data_range=255, full=True)
    return smap


def ref_psnr(p: Image.Image, r: Image.Image, where: np.ndarray | None = None) -> float:
    a = np.asarray(p.convert("RGB"), dtype=np.float64)
    b = np.asarray(r.convert("RGB"), dtype=np.float64)
    sq = (a - b) ** 2
    mse = float(np.mean(sq[where] if where is not None else sq))
    if mse == 0:
        return 100.0
    return min(100.0, float(10 * np.log10(255.0**2 / mse)))


def lpips_tensor(img: Image.Image):
    import torch

    arr = np.asarray(img.convert("RGB").resize((256, 256), Image.Resampling.BILINEAR), dtype=np.float32)
    return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0) / 127.5 - 1.0
