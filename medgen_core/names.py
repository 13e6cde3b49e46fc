"""Spellings found in the wild, mapped to the names medgen uses.

Records write modality as free text ("X-ray", "Radiograph", "MR") and tasks
go by several names ("organic-removal", "dye-transfer", "3d-2d-projection").
Every place that reads a modality or a task name goes through here.
"""

from __future__ import annotations

import re

MODALITIES: tuple[str, ...] = ("ct", "mri", "us", "xray", "pathology", "photo")

_MODALITY_WORDS: dict[str, tuple[str, ...]] = {
    "ct": ("ct", "computed tomography", "cta", "ct angiography", "cect", "ncct", "pet ct", "pet/ct"),
    "mri": ("mri", "mr", "magnetic resonance", "magnetic resonance imaging", "fmri", "dwi", "flair", "t1", "t2"),
    "us": ("us", "ultrasound", "ultrasonography", "sonography", "echo", "echocardiography", "doppler", "tee"),
    "xray": (
        "xray",
        "x ray",
        "radiograph",
        "radiography",
        "cr",
        "dr",
        "dx",
        "cxr",
        "chest x ray",
        "plain film",
        "fluoroscopy",
        "angiography",
        "xa",
        "mammography",
        "mg",
    ),
    "pathology": (
        "pathology",
        "histopathology",
        "histology",
        "h&e",
        "he",
        "ihc",
        "immunohistochemistry",
        "microscopy",
        "cytology",
        "whole slide image",
        "wsi",
        "fluorescence microscopy",
    ),
    "photo": (
        "photo",
        "photography",
        "clinical photography",
        "clinical photo",
        "fundus",
        "fundus photography",
        "dermatology",
        "dermoscopy",
        "endoscopy",
        "ophthalmology",
        "retinal photography",
    ),
}
_MODALITY_LOOKUP = {word: canon for canon, words in _MODALITY_WORDS.items() for word in words}


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower()).strip()


def normalise_modality(text: str | None) -> str:
    """Map a free-text modality to one of :data:`MODALITIES`, or ``other:<text>``."""
    if not text:
        return "unknown"
    folded = _fold(text)
    if folded in _MODALITY_LOOKUP:
        return _MODALITY_LOOKUP[folded]
    squashed = folded.replace(" ", "")
    if squashed in _MODALITY_LOOKUP:
        return _MODALITY_LOOKUP[squashed]
    for word in re.split(r"[ ,;/()]+", folded):  # "CT (contrast)", "MRI T2 axial"
        if word in _MODALITY_LOOKUP:
            return _MODALITY_LOOKUP[word]
    return f"other:{folded}"


def normalise_task_name(name: str) -> str:
    """Fold case and separators so ``Organic-Removal`` and ``organic_removal`` compare equal."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())
