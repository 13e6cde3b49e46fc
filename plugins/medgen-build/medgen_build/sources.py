"""Stage 1: read the source manifest, filter by metadata (modality, size, licence) and load pixels.

A sources folder holds images/volumes in sub-folders plus ``manifest.csv`` (or
``PROVENANCE.csv``, same columns: modality, file, px, source_pkg, version,
path_in_pkg, license, description, note). ``attributes.json`` optionally adds
curated structured facts per file (anatomy, plane, stain, findings); facts it
lacks are derived from the description by keyword rules.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medgen_core import MODALITIES
from medgen_core.types import MedgenError

ALLOWED_LICENCE_WORDS = ("mit", "bsd", "apache", "cc0", "cc by", "public domain", "no known copyright restrictions")
FORBIDDEN_LICENCE_WORDS = (
    "-nc",
    " nc",
    "non-commercial",
    "noncommercial",
    "-nd",
    "no redistribution",
    "proprietary",
    "all rights reserved",
)
MANIFEST_NAMES = ("PROVENANCE.csv", "manifest.csv")


@dataclass
class Source:
    """One usable source file with its provenance row and facts."""

    file: str
    modality: str
    row: dict[str, str]
    kind: str  # "image" or "volume"
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def provenance(self) -> str:
        r = self.row
        return f"{r['source_pkg']} {r['version']}: {r['path_in_pkg']} ({r['license']})"


@dataclass
class FilterResult:
    kept: list[Source]
    rejected: list[dict[str, str]]
    rules: dict[str, Any]


def read_manifest(folder: Path) -> list[dict[str, str]]:
    for name in MANIFEST_NAMES:
        path = folder / name
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as handle:
                return list(csv.DictReader(handle))
    raise MedgenError(f"{folder}: no source manifest ({' or '.join(MANIFEST_NAMES)}) found")


def licence_ok(text: str) -> bool:
    low = f" {text.lower()}"
    if any(bad in low for bad in FORBIDDEN_LICENCE_WORDS):
        return False
    return any(good in low for good in ALLOWED_LICENCE_WORDS)


def filter_sources(folder: Path, min_px: int = 64, vlm_filter: Any = None) -> FilterResult:
    """Apply the metadata rules to every manifest row; record each rejection with its reason."""
    rows = read_manifest(folder)
    curated = _attributes(folder)
    rules = {
        "licence_allowed_words": list(ALLOWED_LICENCE_WORDS),
        "licence_forbidden_words": list(FORBIDDEN_LICENCE_WORDS),
        "modalities": list(MODALITIES),
        "min_side_px": min_px,
        "image_files": "decode with Pillow",
        "volume_files": ".npz with a 3-D 'volume'",
    }
    kept: list[Source] = []
    rejected: list[dict[str, str]] = []
    for row in sorted(rows, key=lambda r: r["file"]):
        reason = _reject_reason(folder, row, min_px)
        if reason:
            rejected.append({"file": row["file"], "reason": reason})
            continue
        kind = "volume" if row["file"].endswith(".npz") else "image"
        facts = {**derive_facts(row), **curated.get(row["file"], {})}
        kept.append(Source(row["file"], row["modality"].strip().lower(), row, kind, facts))
    if vlm_filter is not None:
        kept, more = vlm_filter(folder, kept)
        rejected.extend(more)
    return FilterResult(kept, rejected, rules)


def _reject_reason(folder: Path, row: dict[str, str], min_px: int) -> str | None:
    modality = row.get("modality", "").strip().lower()
    if modality not in MODALITIES:
        return f"modality {modality!r} is not one of {', '.join(MODALITIES)}"
    if not licence_ok(row.get("license", "")):
        return f"licence {row.get('license')!r} does not clearly permit redistribution"
    path = folder / row["file"]
    if not path.is_file():
        return "file missing"
    if row["file"].endswith(".npz"):
        with np.load(path) as data:
            if "volume" not in data.files or data["volume"].ndim != 3:
                return "no 3-D 'volume' array"
            if min(data["volume"].shape) < 16:
                return f"volume shape {data['volume'].shape} has a side under 16"
        return None
    from PIL import Image

    try:
        with Image.open(path) as img:
            size = img.size
    except Exception as exc:  # Pillow raises many types
        return f"does not decode: {exc}"
    if min(size) < min_px:
        return f"smaller than {min_px} px ({size[0]}x{size[1]})"
    return None


def _attributes(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "attributes.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


_PLANES = ("axial", "coronal", "sagittal", "lateral", "pa", "frontal")
_STAINS = (("h&e", "H&E"), ("ihc", "IHC"), ("fluorescence", "fluorescence"))


def derive_facts(row: dict[str, str]) -> dict[str, Any]:
    """Facts from the free-text description by keyword rules (curated attributes override them)."""
    desc = row.get("description", "")
    low = desc.lower()
    words = set(re.findall(r"[a-z&]+", low))
    plane = next((p for p in _PLANES if p in words), None)
    stain = next((name for key, name in _STAINS if key in low), None)
    anatomy = re.split(r"[,(]", desc)[0].strip()
    return {
        "caption": desc,
        "plane": plane.upper() if plane == "pa" else plane,
        "stain": stain,
        "anatomy": anatomy,
        "findings": [],
        "modality_text": row.get("modality", "").upper(),
    }


def load_image(folder: Path, source: Source, max_size: int) -> np.ndarray:
    """Pixels as float32 on the 0-255 scale (gray or RGB), long side at most ``max_size``."""
    from PIL import Image

    from medgen_core import normalise_mode

    with Image.open(folder / source.file) as raw:
        img = normalise_mode(raw)
        img.load()
    if img.mode == "RGBA":
        img = img.convert("RGB")
    if img.mode == "RGB" and _is_gray(np.asarray(img)):
        img = img.convert("L")
    if max(img.size) > max_size:
        scale = max_size / max(img.size)
        img = img.resize(
            (max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.Resampling.LANCZOS
        )
    return np.asarray(img, dtype=np.float32)


def _is_gray(arr: np.ndarray) -> bool:
    return bool(np.array_equal(arr[..., 0], arr[..., 1]) and np.array_equal(arr[..., 1], arr[..., 2]))


def load_volume(folder: Path, source: Source) -> tuple[np.ndarray, tuple[float, float, float]]:
    """Volume as float32 0-255 (99.5th percentile to white) and its (slice, row, col) spacing in mm.

    A curated ``orientation`` fact (``transpose``, ``flip``) brings it to axial slices that run
    inferior->superior with anterior at the top, which the projection transforms assume.
    """
    with np.load(folder / source.file) as data:
        vol = data["volume"].astype(np.float32)
        spacing = tuple(float(s) for s in data["spacing_mm"]) if "spacing_mm" in data.files else (1.0, 1.0, 1.0)
    orient = source.facts.get("orientation") or {}
    if orient.get("transpose"):
        order = [int(a) for a in orient["transpose"]]
        vol = np.transpose(vol, order)
        spacing = tuple(spacing[a] for a in order)
    for axis in orient.get("flip", []):
        vol = np.flip(vol, axis=int(axis))
    vol = np.ascontiguousarray(vol)
    top = float(np.percentile(vol, 99.5)) or 1.0
    return np.clip(vol / top * 255.0, 0, 255).astype(np.float32), spacing  # type: ignore[return-value]
