"""Reading the parameters a task leaves to the instruction text (sizes, factors, colours, windows, stains).

Everything here reads only the prompt a real model would see.
"""

from __future__ import annotations

import re

_NUM = r"(\d+(?:\.\d+)?)"

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "white": (255, 255, 255),
    "pink": (255, 105, 180),
}

# Named CT display windows (width, level) in HU, as used in radiology practice.
CT_WINDOWS: dict[str, tuple[float, float]] = {
    "lung": (1500.0, -600.0),
    "bone": (2000.0, 300.0),
    "brain": (80.0, 40.0),
    "subdural": (200.0, 80.0),
    "stroke": (40.0, 40.0),
    "liver": (150.0, 30.0),
    "mediastin": (350.0, 50.0),
    "soft tissue": (400.0, 50.0),
    "soft-tissue": (400.0, 50.0),
    "abdomen": (400.0, 50.0),
    "abdominal": (400.0, 50.0),
}

_WORD_FACTORS = {"double": 2.0, "twice": 2.0, "triple": 3.0, "quadruple": 4.0}


def lower(text: str) -> str:
    return (text or "").lower()


def has_any(text: str, words: tuple[str, ...] | list[str]) -> bool:
    t = lower(text)
    return any(w in t for w in words)


def target_size(text: str) -> tuple[int, int] | None:
    """A requested output size ``W x H`` (e.g. "512x512", "512 × 384 pixels"), or None."""
    m = re.search(r"(\d{2,5})\s*(?:px\s*)?[x×*]\s*(\d{2,5})", lower(text))
    if not m:
        return None
    w, h = int(m.group(1)), int(m.group(2))
    return (w, h) if 8 <= w <= 8192 and 8 <= h <= 8192 else None


def scale_factor(text: str) -> float | None:
    """A requested scale factor ("2x", "×4", "by a factor of 3", "4-fold", "double"), or None."""
    t = lower(text)
    pats = (
        rf"factor\s+(?:of\s+)?{_NUM}",
        rf"(?<![\d.]){_NUM}\s*[x×](?![\d])",
        rf"[x×]\s*{_NUM}(?![\d.]*\s*[x×])",
        rf"{_NUM}\s*-?\s*fold",
        rf"{_NUM}\s*times",
        rf"\bby\s+{_NUM}(?!\s*[x×%\d])",
    )
    for pat in pats:
        m = re.search(pat, t)
        if m:
            f = float(m.group(1))
            if 1.0 < f <= 16.0:
                return f
    for word, f in _WORD_FACTORS.items():
        if re.search(rf"\b{word}", t):
            return f
    return None


def wants_downscale(text: str) -> bool:
    return has_any(
        text,
        (
            "downsampl",
            "down-sampl",
            "reduce the resolution",
            "lower resolution",
            "decrease the resolution",
            "shrink",
            "downscal",
        ),
    )


def noise_kind(text: str) -> str | None:
    """The noise model the instruction names: gaussian, poisson, speckle or impulse."""
    t = lower(text)
    if has_any(t, ("salt", "pepper", "impulse")):
        return "impulse"
    if has_any(t, ("speckle", "multiplicative", "rayleigh")):
        return "speckle"
    if has_any(t, ("poisson", "quantum", "photon", "shot noise", "low-dose", "low dose")):
        return "poisson"
    if has_any(t, ("gaussian", "rician", "thermal", "white noise", "additive")):
        return "gaussian"
    return None


def colour(text: str, default: tuple[int, int, int] = (255, 0, 0)) -> tuple[int, int, int]:
    """The first colour word in the instruction (by position), else ``default``."""
    t = lower(text)
    best: tuple[int, tuple[int, int, int]] | None = None
    for name, rgb in COLOURS.items():
        m = re.search(rf"\b{name}\b", t)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), rgb)
    return best[1] if best else default


def ct_window(text: str) -> tuple[float, float] | None:
    """A CT window (width, level) in HU: explicit numbers ("W:400 L:40", "window 400/40") or a named window."""
    t = lower(text)
    w = re.search(r"(?:window\s*width|\bww|\bw)\s*[:=]?\s*(-?\d+(?:\.\d+)?)", t)
    lv = re.search(r"(?:window\s*(?:level|center|centre)|\bwl|\bl|\bc)\s*[:=]?\s*(-?\d+(?:\.\d+)?)", t)
    if w and lv:
        return float(w.group(1)), float(lv.group(1))
    m = re.search(r"window\D{0,20}?(\d{2,4})\s*/\s*(-?\d{1,4})", t)
    if m:
        return float(m.group(1)), float(m.group(2))
    for name, win in CT_WINDOWS.items():
        if re.search(rf"{name}\w*\s+(?:window|setting|display)", t) or re.search(
            rf"window\w*\s+(?:for|of)\s+(?:the\s+)?{name}", t
        ):
            return win
    return None


def grid(text: str) -> tuple[int, int] | None:
    """A small tile grid ("3x3 montage", "2 by 4 grid") as (rows, cols), or None."""
    m = re.search(r"(?<!\d)([1-9])\s*(?:x|×|by)\s*([1-9])(?!\d)", lower(text))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def slice_count(text: str) -> int | None:
    m = re.search(r"(\d{1,2})\s+(?:\w+\s+)?(?:slices|views|sections|frames|images)", lower(text))
    if not m:
        return None
    n = int(m.group(1))
    return n if 2 <= n <= 64 else None
