"""Noise of the kind each modality really has; the target is the clean image.

Gaussian (electronic noise: pathology, photography), Poisson (photon counting:
X-ray and CT), Rician (magnitude MR), speckle (multiplicative, ultrasound).
"""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip, per_channel


def gaussian_noise(img: np.ndarray, rng: np.random.Generator, sigma: float = 12.0) -> Pair:
    noisy = clip(img + rng.normal(0.0, sigma, img.shape))
    return Pair(
        noisy,
        img,
        meta={"params": {"sigma": sigma}, "effect": f"additive Gaussian noise (sigma {sigma:g} on the 0-255 scale)"},
    )


def poisson_noise(img: np.ndarray, rng: np.random.Generator, photons: float = 40.0) -> Pair:
    """Quantum noise: intensities become photon counts with ``photons`` counts at full brightness."""
    counts = rng.poisson(img / 255.0 * photons)
    noisy = clip(counts.astype(np.float32) / photons * 255.0)
    return Pair(
        noisy,
        img,
        meta={
            "params": {"photons_at_white": photons},
            "effect": f"Poisson (quantum) noise as at a low dose of {photons:g} photons per pixel at full brightness",
        },
    )


def rician_noise(img: np.ndarray, rng: np.random.Generator, sigma: float = 14.0) -> Pair:
    """Magnitude of a complex signal with Gaussian noise in both channels."""
    real = img + rng.normal(0.0, sigma, img.shape)
    imag = rng.normal(0.0, sigma, img.shape)
    noisy = clip(np.sqrt(real**2 + imag**2))
    return Pair(
        noisy,
        img,
        meta={
            "params": {"sigma": sigma},
            "effect": f"Rician noise (sigma {sigma:g} per quadrature channel) as in low-SNR magnitude MR",
        },
    )


def speckle_noise(img: np.ndarray, rng: np.random.Generator, looks: float = 4.0, grain: float = 1.0) -> Pair:
    """Multiplicative gamma speckle (``looks`` = equivalent number of looks) with spatial correlation ``grain``."""
    from scipy import ndimage

    field = rng.gamma(looks, 1.0 / looks, img.shape[:2]).astype(np.float32)
    if grain > 0:
        field = ndimage.gaussian_filter(field, grain)
        field = field / field.mean()
    noisy = clip(per_channel(img, lambda ch: ch * field))
    return Pair(
        noisy,
        img,
        meta={
            "params": {"looks": looks, "grain_px": grain},
            "effect": f"multiplicative ultrasound speckle ({looks:g}-look gamma, grain {grain:g} px)",
        },
    )
