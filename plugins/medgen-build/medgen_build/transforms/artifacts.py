"""Acquisition artifacts added to a clean image; the target is the clean image.

Streaks (metal/photon-starvation streaks in CT), rings (detector miscalibration
in CT), motion ghosting (phase-encode motion in MR, made in k-space) and a
smooth multiplicative bias field (MR coil shading, uneven illumination).
"""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, clip, gray, per_channel, rounded
from medgen_build.transforms.segment import foreground


def _grid(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    h, w = shape[:2]
    return np.mgrid[0:h, 0:w].astype(np.float32)


def streak_artifact(
    img: np.ndarray, rng: np.random.Generator, n_streaks: int = 8, strength: float = 45.0, width: float = 1.5
) -> Pair:
    """Alternating bright/dark streaks radiating from a bright point inside the body."""
    fg = foreground(img)
    ys, xs = np.nonzero(fg)
    g = gray(img)
    idx = int(np.argmax(np.where(fg, g, -1).ravel())) if len(ys) else 0
    cy, cx = divmod(idx, img.shape[1])
    yy, xx = _grid(img.shape)
    offset = rng.uniform(0, np.pi / n_streaks)
    add = np.zeros(img.shape[:2], np.float32)
    for k in range(n_streaks):
        theta = offset + k * np.pi / n_streaks
        dist = np.abs((xx - cx) * np.sin(theta) - (yy - cy) * np.cos(theta))
        add += (1 if k % 2 == 0 else -1) * strength * np.exp(-(dist**2) / (2 * width**2))
    add *= fg
    out = clip(per_channel(img, lambda ch: ch + add))
    return Pair(
        out,
        img,
        meta={
            "params": {
                "n_streaks": n_streaks,
                "strength": strength,
                "width_px": width,
                "origin_xy": [int(cx), int(cy)],
                "angle_offset_rad": rounded(offset),
            },
            "effect": f"{n_streaks} alternating bright and dark streak artifacts radiating from "
            f"a dense point at pixel ({int(cx)}, {int(cy)})",
        },
    )


def ring_artifact(
    img: np.ndarray, rng: np.random.Generator, n_rings: int = 5, strength: float = 30.0, width: float = 1.2
) -> Pair:
    """Concentric rings around the image centre, alternating in sign."""
    h, w = img.shape[:2]
    yy, xx = _grid(img.shape)
    cy, cx = h / 2.0, w / 2.0
    r = np.hypot(yy - cy, xx - cx)
    radii = np.sort(rng.uniform(0.08, 0.45, n_rings)) * min(h, w)
    add = np.zeros((h, w), np.float32)
    for k, rk in enumerate(radii):
        add += (1 if k % 2 == 0 else -1) * strength * np.exp(-((r - rk) ** 2) / (2 * width**2))
    out = clip(per_channel(img, lambda ch: ch + add))
    return Pair(
        out,
        img,
        meta={
            "params": {
                "n_rings": n_rings,
                "strength": strength,
                "width_px": width,
                "radii_px": rounded(radii.tolist(), 1),
            },
            "effect": f"{n_rings} concentric ring artifacts centred on the image centre",
        },
    )


def motion_ghosting(
    img: np.ndarray, rng: np.random.Generator, shift_px: float = 6.0, period: int = 4, axis: int = 0
) -> Pair:
    """Every ``period``-th phase-encode line acquired with the object shifted by ``shift_px``: ghost copies."""

    def ghost(ch: np.ndarray) -> np.ndarray:
        k = np.fft.fftshift(np.fft.fft2(ch))
        n = ch.shape[axis]
        freqs = np.fft.fftshift(np.fft.fftfreq(n))
        phase = np.exp(-2j * np.pi * freqs * shift_px)
        lines = np.zeros(n, bool)
        lines[int(rng_offset) % period :: period] = True
        ramp = np.where(lines, phase, 1.0)
        k = k * (ramp[:, None] if axis == 0 else ramp[None, :])
        return np.abs(np.fft.ifft2(np.fft.ifftshift(k))).astype(np.float32)

    rng_offset = int(rng.integers(0, period))
    out = clip(per_channel(img, ghost))
    direction = "vertical (phase-encode up-down)" if axis == 0 else "horizontal (phase-encode left-right)"
    return Pair(
        out,
        img,
        meta={
            "params": {"shift_px": shift_px, "period": period, "axis": axis, "line_offset": rng_offset},
            "effect": f"motion ghosting along the {direction} direction: every {period}th "
            f"k-space line displaced by {shift_px:g} px",
        },
    )


def bias_field(img: np.ndarray, rng: np.random.Generator, strength: float = 0.45) -> Pair:
    """Smooth quadratic multiplicative field spanning [1 - strength, 1 + strength]."""
    h, w = img.shape[:2]
    yy, xx = _grid(img.shape)
    yy, xx = yy / h - 0.5, xx / w - 0.5
    coef = rng.normal(0, 1, 5)
    field = coef[0] * xx + coef[1] * yy + coef[2] * xx * yy + coef[3] * xx**2 + coef[4] * yy**2
    field = (field - field.min()) / max(float(np.ptp(field)), 1e-6)
    field = 1 - strength + 2 * strength * field
    out = clip(per_channel(img, lambda ch: ch * field))
    dark = "left" if field[:, : w // 2].mean() < field[:, w // 2 :].mean() else "right"
    return Pair(
        out,
        img,
        meta={
            "params": {"strength": strength, "coefficients": rounded(coef.tolist())},
            "effect": f"a smooth intensity bias field (gain {1 - strength:.2f}-"
            f"{1 + strength:.2f}), "
            f"darker toward the {dark}",
        },
    )
