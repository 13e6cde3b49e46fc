"""Conversions between PIL images and float arrays in [0, 1], plus small shared filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL.Image import Image


def to_float(img: Image) -> np.ndarray:
    """8-bit ``L`` -> HxW, ``RGB``/``RGBA`` -> HxWx3 (alpha dropped), values in [0, 1]."""
    if img.mode == "RGBA":
        img = img.convert("RGB")
    elif img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    return np.asarray(img, dtype=np.float64) / 255.0


def to_pil(arr: np.ndarray) -> Image:
    """Clip to [0, 1] and round to an 8-bit ``L`` (2-D) or ``RGB`` (3-D) image."""
    from PIL import Image as PILImage

    out = np.rint(np.clip(np.nan_to_num(arr), 0.0, 1.0) * 255.0).astype(np.uint8)
    if out.ndim == 3 and out.shape[2] == 1:
        out = out[:, :, 0]
    return PILImage.fromarray(out, mode="L" if out.ndim == 2 else "RGB")


def channel_axis(arr: np.ndarray) -> int | None:
    return -1 if arr.ndim == 3 else None


def luminance(arr: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of an RGB array; a 2-D array is returned as is."""
    if arr.ndim == 2:
        return arr
    return arr[..., 0] * 0.299 + arr[..., 1] * 0.587 + arr[..., 2] * 0.114


def per_channel(arr: np.ndarray, fn) -> np.ndarray:
    """Apply a 2-D filter to each channel of ``arr`` (or to ``arr`` itself when 2-D)."""
    if arr.ndim == 2:
        return fn(arr)
    return np.stack([fn(arr[..., c]) for c in range(arr.shape[2])], axis=-1)


def noise_sigma(arr: np.ndarray) -> float:
    """Robust (wavelet MAD) estimate of additive noise sigma, averaged over channels."""
    from skimage.restoration import estimate_sigma

    return float(estimate_sigma(arr, channel_axis=channel_axis(arr), average_sigmas=True))


def masked_sigma(arr: np.ndarray, keep: np.ndarray) -> float:
    """Noise sigma from the finest diagonal wavelet band, MAD over coefficients inside ``keep``.

    Signal-dependent noise vanishes in black background, so a whole-image estimate (mostly zeros
    there) underestimates it; restricting to the foreground fixes that.
    """
    import pywt

    g = luminance(arr)
    _, (_, _, hh) = pywt.dwt2(g, "db2", mode="symmetric")
    k = keep[::2, ::2][: hh.shape[0], : hh.shape[1]]
    hh = hh[: k.shape[0], : k.shape[1]]
    vals = np.abs(hh[k]) if k.sum() >= 64 else np.abs(hh.ravel())
    return float(np.median(vals) / 0.6745)


def nl_means(arr: np.ndarray, sigma: float, strength: float = 0.8) -> np.ndarray:
    """Fast-mode non-local means with ``h = strength * sigma`` (scikit-image's recommended pairing)."""
    from skimage.restoration import denoise_nl_means

    if sigma <= 0:
        return arr
    return denoise_nl_means(
        arr,
        h=strength * sigma,
        sigma=sigma,
        patch_size=5,
        patch_distance=6,
        fast_mode=True,
        channel_axis=channel_axis(arr),
        preserve_range=True,
    )


def light_denoise(arr: np.ndarray) -> np.ndarray:
    """A gentle NL-means pass at half the estimated noise level: the conservative output for edits we cannot localise.

    On a clean image the estimated sigma is tiny and the image comes back almost unchanged.
    """
    sigma = noise_sigma(arr)
    if sigma < 1.0 / 255.0:
        return arr
    return nl_means(arr, sigma, strength=0.5)


def fill_masked(arr: np.ndarray, mask: np.ndarray, max_sigma: float = 32.0) -> np.ndarray:
    """Fill ``mask`` pixels by multi-scale normalised convolution of the unmasked pixels (fast inpainting).

    Each masked pixel takes the Gaussian-weighted mean of known pixels at the smallest scale that
    reaches any, so small holes use close neighbours and large holes still get a smooth fill.
    """
    from scipy.ndimage import gaussian_filter

    if not mask.any():
        return arr
    known = (~mask).astype(np.float64)
    out = arr.copy()
    todo = mask.copy()
    sigma = 1.0
    while todo.any() and sigma <= max_sigma:
        weight = gaussian_filter(known, sigma)
        ok = todo & (weight > 1e-3)
        if ok.any():
            for c_arr, c_out in _channels(arr, out):
                num = gaussian_filter(c_arr * known, sigma)
                c_out[ok] = num[ok] / weight[ok]
            todo &= ~ok
        sigma *= 2.0
    if todo.any():  # a hole wider than max_sigma: use the mean of known pixels
        for c_arr, c_out in _channels(arr, out):
            c_out[todo] = c_arr[~mask].mean() if (~mask).any() else 0.0
    return out


def _channels(arr: np.ndarray, out: np.ndarray):
    if arr.ndim == 2:
        yield arr, out
    else:
        for c in range(arr.shape[2]):
            yield arr[..., c], out[..., c]
