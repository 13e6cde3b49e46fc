"""Synthetic focal lesions: insertion, removal, resizing and growth (disease progression).

A lesion is a soft-edged, slightly lobulated ellipse whose intensity differs
from the local tissue by ``contrast`` (negative = darker: hypodense on CT,
hypointense on MR). It is placed inside the tissue, away from its edge. The
region mask covers the lesion in whichever image of the pair is larger.
"""

from __future__ import annotations

import numpy as np

from medgen_build.transforms.base import Pair, area_percent, clip, per_channel, position_words, rounded
from medgen_build.transforms.segment import foreground


def _place(img: np.ndarray, rng: np.random.Generator, radius: float, contrast: float = 0.0) -> tuple[float, float]:
    """A centre inside the tissue, away from its edge, where the lesion's contrast will not clip at 0 or 255."""
    from scipy import ndimage

    from medgen_build.transforms.base import gray

    dist = ndimage.distance_transform_edt(foreground(img))
    local = ndimage.uniform_filter(gray(img), size=max(3, int(radius * 2)))
    room = (local > -contrast + 15) if contrast < 0 else (local < 240 - contrast)
    ok = np.argwhere((dist > radius * 2.0) & room)
    if len(ok) == 0:
        ok = np.argwhere(dist > radius * 2.0)
    if len(ok) == 0:
        ok = np.argwhere(dist >= dist.max() * 0.8)
    cy, cx = ok[int(rng.integers(0, len(ok)))]
    return float(cy), float(cx)


def _shape(rng: np.random.Generator) -> dict:
    return {
        "aspect": float(rng.uniform(0.7, 1.0)),
        "angle": float(rng.uniform(0, np.pi)),
        "lobes": [float(v) for v in rng.normal(0, 0.08, 3)],
        "phase": float(rng.uniform(0, 2 * np.pi)),
    }


def _profile(shape2d: tuple[int, int], centre: tuple[float, float], radius: float, form: dict) -> np.ndarray:
    """Soft lesion occupancy in [0, 1]."""
    yy, xx = np.mgrid[0 : shape2d[0], 0 : shape2d[1]].astype(np.float32)
    dy, dx = yy - centre[0], xx - centre[1]
    ca, sa = np.cos(form["angle"]), np.sin(form["angle"])
    u, v = dx * ca + dy * sa, (-dx * sa + dy * ca) / form["aspect"]
    theta = np.arctan2(v, u)
    wobble = 1 + sum(a * np.cos((k + 2) * theta + form["phase"]) for k, a in enumerate(form["lobes"]))
    r = np.hypot(u, v) / (radius * wobble)
    return np.clip((1.15 - r) / 0.3, 0, 1).astype(np.float32)


def _with_lesion(img: np.ndarray, centre, radius, form, contrast, colour) -> tuple[np.ndarray, np.ndarray]:
    prof = _profile(img.shape[:2], centre, radius, form)
    if img.ndim == 3:
        delta = np.array(colour if colour is not None else (contrast, contrast, contrast), np.float32)
        out = img + prof[..., None] * delta
    else:
        out = per_channel(img, lambda ch: ch + prof * contrast)
    return clip(out), prof > 0.5


def _words(contrast: float) -> str:
    return "low-intensity (hypodense/hypointense)" if contrast < 0 else "high-intensity (hyperdense/hyperintense)"


def _lesion_meta(kind, centre, radius, form, contrast, mask, extra=None) -> dict:
    meta = {
        "params": {
            "centre_yx": rounded(list(centre), 1),
            "radius_px": radius,
            "contrast": contrast,
            **{k: rounded(v) for k, v in form.items()},
            **(extra or {}),
        },
        "lesion": f"{_words(contrast)} focal lesion",
        "where": position_words(mask),
        "diameter_px": int(round(2 * radius)),
        "area_percent": area_percent(mask),
        "kind": kind,
    }
    return meta


def lesion_insert(
    img: np.ndarray,
    rng: np.random.Generator,
    radius: float = 10.0,
    contrast: float = -50.0,
    colour: list[float] | None = None,
) -> Pair:
    centre = _place(img, rng, radius, contrast)
    form = _shape(rng)
    out, mask = _with_lesion(img, centre, radius, form, contrast, colour)
    meta = _lesion_meta("add", centre, radius, form, contrast, mask)
    meta["effect"] = f"add a {meta['diameter_px']}-px {meta['lesion']} in the {meta['where']}"
    return Pair(img.astype(np.float32), out, mask=(mask * 255).astype(np.uint8), meta=meta)


def lesion_remove(
    img: np.ndarray,
    rng: np.random.Generator,
    radius: float = 10.0,
    contrast: float = -50.0,
    colour: list[float] | None = None,
) -> Pair:
    pair = lesion_insert(img, rng, radius, contrast, colour)
    pair.meta["kind"] = "remove"
    pair.meta["effect"] = f"remove the {pair.meta['diameter_px']}-px {pair.meta['lesion']} in the {pair.meta['where']}"
    return Pair(pair.target, pair.input, mask=pair.mask, meta=pair.meta)


def lesion_resize(
    img: np.ndarray,
    rng: np.random.Generator,
    radius: float = 8.0,
    new_radius: float = 14.0,
    contrast: float = -50.0,
    colour: list[float] | None = None,
    satellites: int = 0,
) -> Pair:
    """Same lesion at two sizes; ``satellites`` new small lesions appear in the target (progression)."""
    centre = _place(img, rng, max(radius, new_radius), contrast)
    form = _shape(rng)
    before, mask_a = _with_lesion(img, centre, radius, form, contrast, colour)
    after, mask_b = _with_lesion(img, centre, new_radius, form, contrast, colour)
    sat = []
    for _ in range(satellites):
        c = _place(img, rng, 4.0, contrast)
        f = _shape(rng)
        r = float(rng.uniform(2.5, 4.0))
        after, m = _with_lesion(after, c, r, f, contrast, colour)
        mask_b |= m
        sat.append({"centre_yx": rounded(list(c), 1), "radius_px": round(r, 2)})
    mask = mask_a | mask_b
    meta = _lesion_meta(
        "resize", centre, radius, form, contrast, mask_a | mask_b, {"new_radius_px": new_radius, "satellites": sat}
    )
    meta["where"] = position_words(mask_a)
    meta["new_diameter_px"] = int(round(2 * new_radius))
    verb = "enlarge" if new_radius > radius else "shrink"
    meta["effect"] = (
        f"{verb} the {meta['lesion']} in the {meta['where']} from {meta['diameter_px']} to "
        f"{meta['new_diameter_px']} px in diameter"
    )
    if sat:
        meta["effect"] += f", with {len(sat)} new small satellite lesion(s)"
    meta["satellites"] = len(sat)
    return Pair(before, after, mask=(mask * 255).astype(np.uint8), meta=meta)
