"""Stage 3 (VQA): questions whose answers are checkable facts about the real image.

Facts come from the source's curated metadata (modality, plane, anatomy,
stain, findings) and from measurements of the pixels (which half is brighter,
colour or grayscale, orientation, which of several frames is darkest).
Multiple-choice records get four options and a letter answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from medgen_build.sources import Source
from medgen_build.templates import subject
from medgen_build.transforms.base import gray

MODALITY_OPTIONS = {
    "ct": "CT",
    "mri": "MRI",
    "us": "Ultrasound",
    "xray": "X-ray",
    "pathology": "Histopathology",
    "photo": "Fundus photography",
}
PLANES = ("axial", "coronal", "sagittal")
STAINS = ("H&E", "IHC (DAB) with hematoxylin", "fluorescent nuclear stain", "Masson trichrome")
REGIONS = ("head", "chest", "abdomen", "pelvis", "spine", "shoulder", "lower limb", "eye", "skin", "colon", "heart")
LETTERS = "ABCD"


@dataclass
class Question:
    """One VQA item before it is written: text, options, answer and what was measured."""

    kind: str
    instruction: str
    answer: Any
    choice: list[str] | None = None
    images: list[np.ndarray] = field(default_factory=list)
    image_sources: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def brighter_half(img: np.ndarray) -> tuple[str | None, float]:
    """'left'/'right' when one half is at least 8% brighter on average, else None."""
    g = gray(img)
    w = g.shape[1]
    left, right = float(g[:, : w // 2].mean()), float(g[:, w - w // 2 :].mean())
    rel = abs(left - right) / max(left, right, 1e-6)
    if rel < 0.08:
        return None, rel
    return ("left" if left > right else "right"), rel


def is_colour(img: np.ndarray) -> bool:
    return img.ndim == 3


def orientation(img: np.ndarray) -> str:
    h, w = img.shape[:2]
    if abs(h - w) <= 0.05 * max(h, w):
        return "square"
    return "landscape (wider than tall)" if w > h else "portrait (taller than wide)"


def _mc(rng: np.random.Generator, correct: str, pool: list[str]) -> tuple[list[str], str]:
    """Four options (the correct one plus three distinct distractors) in a seeded order."""
    distractors = [p for p in dict.fromkeys(pool) if p != correct]
    picks = [distractors[i] for i in rng.permutation(len(distractors))[:3]]
    options = [correct, *picks]
    order = rng.permutation(len(options))
    options = [options[i] for i in order]
    return options, LETTERS[options.index(correct)]


def facts_of(source: Source, img: np.ndarray) -> dict[str, Any]:
    half, rel = brighter_half(img)
    return {
        "modality": MODALITY_OPTIONS[source.modality],
        "plane": source.facts.get("plane"),
        "region": source.facts.get("region"),
        "stain": source.facts.get("stain"),
        "brighter_half": half,
        "brightness_difference": round(rel, 3),
        "colour": is_colour(img),
        "orientation": orientation(img),
        "size_px": [int(img.shape[1]), int(img.shape[0])],
    }


def kinds_for(source: Source, img: np.ndarray) -> list[str]:
    """The single-image question kinds this image supports, in a fixed order."""
    f = facts_of(source, img)
    kinds = ["modality"]
    if f["plane"] in PLANES:
        kinds.append("plane")
    if f["stain"]:
        kinds.append("stain")
    if f["region"] in REGIONS:
        kinds.append("region")
    if f["brighter_half"]:
        kinds.append("brighter_half")
    kinds.append("colour")
    return kinds


def multiple_choice(source: Source, img: np.ndarray, kind: str, rng: np.random.Generator) -> Question:
    f = facts_of(source, img)
    subj = subject(source)
    tech = source.facts.get("technique", "")
    if kind == "modality":
        q = f"What imaging modality produced this image of the {source.facts.get('anatomy', 'body')}?"
        correct, pool = f["modality"], list(MODALITY_OPTIONS.values())
    elif kind == "plane":
        q = f"In which anatomical plane was this {source.facts.get('modality_text')} image ({tech}) acquired?"
        correct, pool = f["plane"], [*PLANES, "oblique"]
    elif kind == "stain":
        q = f"Which stain was used for this {source.facts.get('anatomy', 'tissue')} slide ({tech})?"
        correct, pool = f["stain"], list(STAINS)
    elif kind == "region":
        q = f"Which body region does this {source.facts.get('modality_text')} image ({tech}) show?"
        correct, pool = f["region"], list(REGIONS)
    elif kind == "brighter_half":
        q = f"Comparing the left and right halves of this {subj}, which half has the higher mean intensity?"
        correct, pool = (
            f"{f['brighter_half'].capitalize()} half",
            ["Left half", "Right half", "Both halves equal", "Neither half has signal"],
        )
    else:
        q = f"Is this {source.facts.get('modality_text')} image of the {source.facts.get('anatomy')} in colour?"
        correct = "Colour (RGB)" if f["colour"] else "Grayscale"
        pool = ["Colour (RGB)", "Grayscale", "Binary (black and white only)", "Colour with a single grey channel"]
    options, letter = _mc(rng, correct, pool)
    return Question(kind, q, letter, options, [img], [source.file], {"correct_text": correct, **f})


def blank_filling(source: Source, img: np.ndarray, kind: str, rng: np.random.Generator) -> Question:
    f = facts_of(source, img)
    anatomy = source.facts.get("anatomy", "body")
    tech = source.facts.get("technique", "")
    if kind == "modality":
        q, a = (
            f"Fill in the blank with the modality: this image of the {anatomy} ({tech}) is a ____ image.",
            f["modality"],
        )
    elif kind == "plane":
        q, a = (
            f"Fill in the blank with the plane: this {f['modality']} image of the {anatomy} is in the ____ plane.",
            f["plane"],
        )
    elif kind == "stain":
        q, a = f"Fill in the blank with the stain: this {anatomy} slide is stained with ____.", f["stain"]
    elif kind == "region":
        q, a = (
            f"Fill in the blank with the body region: this {f['modality']} image ({tech}) shows the ____.",
            f["region"],
        )
    elif kind == "brighter_half":
        q, a = (
            f"Fill in the blank with 'left' or 'right': in this {subject(source)}, the ____ half of the image "
            "has the higher mean intensity.",
            f["brighter_half"],
        )
    else:
        q, a = (
            f"Fill in the blank with 'colour' or 'grayscale': this {f['modality']} image of the {anatomy} is ____.",
            "colour" if f["colour"] else "grayscale",
        )
    return Question(kind, q, a, None, [img], [source.file], f)


def report(source: Source, img: np.ndarray, rng: np.random.Generator) -> Question:
    f = facts_of(source, img)
    anatomy = source.facts.get("anatomy", "anatomy")
    findings = source.facts.get("findings") or []
    tech = source.facts.get("technique", "")
    plane = f" in the {f['plane']} plane" if f["plane"] else ""
    q = (
        f"Write a structured report with FINDINGS and IMPRESSION sections for this {f['modality']} image of the "
        f"{anatomy} ({tech}). Describe the modality, plane, anatomy and any finding."
    )
    found = "; ".join(findings) if findings else "no specific abnormality is recorded for this image"
    bright = f" The {f['brighter_half']} half of the image is brighter." if f["brighter_half"] else ""
    answer = {
        "FINDINGS": f"{f['modality']} ({tech}){plane} showing the {anatomy}. "
        f"{'Colour' if f['colour'] else 'Grayscale'} image, "
        f"{f['size_px'][0]}x{f['size_px'][1]} px.{bright} "
        f"Finding: {found}.",
        "IMPRESSION": (
            f"{subject(source)[0].upper()}{subject(source)[1:]} with {found}."
            if findings
            else f"{subject(source)[0].upper()}{subject(source)[1:]}; {found}."
        ),
    }
    return Question("report", q, answer, None, [img], [source.file], f)


def open_question(source: Source, img: np.ndarray, variant: int, rng: np.random.Generator) -> Question:
    f = facts_of(source, img)
    anatomy = source.facts.get("anatomy", "anatomy")
    tech = source.facts.get("technique", "")
    findings = source.facts.get("findings") or []
    if variant % 3 == 0:
        q = "What does this image show? Name the modality, the technique, the plane or view, and the anatomy."
        plane = f", {f['plane']} plane" if f["plane"] else ""
        a = f"This is a {f['modality']} image ({tech}{plane}) showing the {anatomy}."
    elif variant % 3 == 1 and findings:
        q = f"What is the notable finding in this {f['modality']} image of the {anatomy}?"
        a = f"The image shows {'; '.join(findings)}."
    else:
        q = (
            f"Describe the appearance of this {f['modality']} image of the {anatomy}: is it colour or grayscale, "
            f"what is its shape, and which half is brighter?"
        )
        half = (
            f"the {f['brighter_half']} half is brighter" if f["brighter_half"] else "neither half is clearly brighter"
        )
        a = (
            f"It is a {'colour' if f['colour'] else 'grayscale'} {f['orientation']} image of "
            f"{f['size_px'][0]}x{f['size_px'][1]} px; {half}."
        )
    return Question(f"open_{variant % 3}", q, a, None, [img], [source.file], f)


def darkest_frame(frames: list[tuple[Source, np.ndarray]], rng: np.random.Generator, as_mc: bool) -> Question:
    """Multi-image: which of the frames has the lowest mean intensity (most opacified / darkest)."""
    order = [int(i) for i in rng.permutation(len(frames))]
    shown = [frames[i] for i in order]
    means = [float(gray(img).mean()) for _, img in shown]
    k = int(np.argmin(means))
    subj = subject(shown[0][0])
    q = (
        f"These {len(shown)} images (Image 1 to Image {len(shown)}) are frames of the same {subj.split(',')[0]} "
        "series. Which image has the lowest mean intensity?"
    )
    facts = {"mean_intensity": [round(m, 2) for m in means], "frame_files": [s.file for s, _ in shown]}
    images = [img for _, img in shown]
    files = [s.file for s, _ in shown]
    if as_mc:
        options = [f"Image {i + 1}" for i in range(len(shown))] + ["All have the same mean intensity"]
        return Question("darkest_frame", q, LETTERS[k], options[:4], images, files, facts)
    return Question(
        "darkest_frame",
        q + " Explain briefly.",
        f"Image {k + 1} has the lowest mean intensity ({means[k]:.1f} on a 0-255 scale); the others "
        "are " + ", ".join(f"Image {i + 1}: {m:.1f}" for i, m in enumerate(means) if i != k) + ".",
        None,
        images,
        files,
        facts,
    )


def largest_section(
    slices: list[np.ndarray], source: Source, indices: list[int], rng: np.random.Generator, as_mc: bool
) -> Question:
    """Multi-image: which slice of a volume shows the largest cross-section of the head (foreground area)."""
    from medgen_build.transforms.segment import foreground

    order = [int(i) for i in rng.permutation(len(slices))]
    shown = [slices[i] for i in order]
    areas = [float(foreground(s).mean()) for s in shown]
    k = int(np.argmax(areas))
    q = (
        f"These {len(shown)} images (Image 1 to Image {len(shown)}) are axial slices of one {subject(source)}. "
        "Which slice shows the largest cross-sectional area of the head?"
    )
    facts = {"foreground_fraction": [round(a, 3) for a in areas], "slice_indices": [indices[i] for i in order]}
    if as_mc:
        options = [f"Image {i + 1}" for i in range(len(shown))] + ["All are the same size"]
        return Question("largest_section", q, LETTERS[k], options[:4], shown, [source.file] * len(shown), facts)
    return Question(
        "largest_section",
        q + " Explain briefly.",
        f"Image {k + 1} shows the largest cross-section (about {areas[k]:.0%} of the image is head), "
        "compared with " + ", ".join(f"Image {i + 1}: {a:.0%}" for i, a in enumerate(areas) if i != k) + ".",
        None,
        shown,
        [source.file] * len(shown),
        facts,
    )
