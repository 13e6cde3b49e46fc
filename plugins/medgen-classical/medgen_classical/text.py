"""Template text answers: multiple choice by cue overlap, fixed templates for the other text outputs."""

from __future__ import annotations

import re
import string

from medgen_classical import parse

MODALITY_NAMES = {
    "ct": "CT",
    "mri": "MRI",
    "us": "ultrasound",
    "xray": "X-ray",
    "pathology": "histopathology",
    "photo": "clinical photograph",
}

# Words that identify a modality in question or option text (matched on word starts).
MODALITY_WORDS = {
    "ct": ("ct", "computed tomograph", "tomograph", "hounsfield", "cect", "ncct"),
    "mri": ("mri", "mr", "magnetic resonance", "t1", "t2", "flair", "diffusion", "weighted"),
    "us": ("ultrasound", "ultrasonograph", "sonograph", "echocardiogra", "echo", "doppler", "us"),
    "xray": ("x-ray", "xray", "radiograph", "plain film", "angiogra", "fluoroscop", "cxr"),
    "pathology": (
        "histolog",
        "histopatholog",
        "patholog",
        "h&e",
        "hematoxylin",
        "stain",
        "microscop",
        "biopsy",
        "immunohisto",
        "ihc",
        "cell",
    ),
    "photo": ("fundus", "photograph", "retina", "dermoscop", "endoscop", "skin", "optic disc"),
}

_STOP = set(
    "a an the of in on at to for from by with and or is are was were be this that these those which what where "
    "when how why who does do image shown shows seen visible most likely following best describes".split()
)


def words(text: str) -> list[str]:
    t = parse.lower(text).translate(str.maketrans({c: " " for c in string.punctuation if c not in "&-"}))
    return [w for w in t.split() if w and w not in _STOP]


def _has_word(text: str, cue: str) -> bool:
    """Short cues ("ct", "us", "mr") must be whole words; longer ones match word starts ("radiograph...")."""
    end = r"(?![a-z0-9])" if len(cue) <= 3 else ""
    return re.search(rf"(?<![a-z0-9]){re.escape(cue)}{end}", parse.lower(text)) is not None


def modality_score(text: str, modality: str) -> int:
    """+2 per cue of the sample's modality, -2 per cue of another modality."""
    score = 0
    for mod, cues in MODALITY_WORDS.items():
        hits = sum(1 for c in cues if _has_word(text, c))
        score += 2 * hits if mod == modality else -2 * hits
    return score


def question_text(prompt: str, choices: list[str]) -> str:
    """The prompt without the option lines, so options do not match themselves."""
    lines = [ln for ln in prompt.splitlines() if not any(ch and ch in ln for ch in choices)]
    return "\n".join(lines) or prompt


def multiple_choice(prompt: str, choices: list[str], modality: str) -> tuple[str, dict[str, int]]:
    """Pick the option with the strongest cue: modality words, then word overlap with the question.

    Score = modality_score(option) + number of option content words (5-letter stems) found in the question.
    Ties go to the longer option (generated distractors tend to be terser), then to the earlier letter.
    Returns the letter and the per-letter scores (for logs).
    """
    if not choices:
        raise ValueError("multiple-choice sample has no options")
    q_stems = {w[:5] for w in words(question_text(prompt, choices))}
    scores: dict[str, int] = {}
    ranked = []
    for i, opt in enumerate(choices):
        letter = string.ascii_uppercase[i]
        overlap = sum(1 for w in set(words(opt)) if w[:5] in q_stems)
        scores[letter] = modality_score(opt, modality) + overlap
        ranked.append((scores[letter], len(opt), -i, letter))
    return max(ranked)[3], scores


def blank_filling(prompt: str, modality: str) -> str:
    t = parse.lower(prompt)
    if parse.has_any(t, ("plane", "view", "orientation", "projection")):
        return {"xray": "PA", "us": "transverse", "pathology": "high-power", "photo": "frontal"}.get(modality, "axial")
    if parse.has_any(t, ("stain",)) and modality == "pathology":
        return "H&E"
    if parse.has_any(t, ("sequence", "weighting", "weighted")) and modality == "mri":
        return "T1-weighted"
    return MODALITY_NAMES.get(modality, modality)


def question_answering(prompt: str, modality: str) -> str:
    name = MODALITY_NAMES.get(modality, modality)
    topic = " ".join(words(prompt)[:8])
    return (
        f"This is a {name} image. Regarding {topic}: the visible anatomy appears within normal limits "
        f"and no definite abnormality is identified."
    )


def report(modality: str) -> str:
    name = MODALITY_NAMES.get(modality, modality)
    return (
        f"FINDINGS: {name} image reviewed. The visualised anatomy is displayed without a definite focal "
        f"abnormality.\nIMPRESSION: No definite acute abnormality on this {name} image."
    )


GEN_LEAD = {
    "disease_prediction": "Predicted follow-up {name} image",
    "instruction_editing": "Edited {name} image",
    "ct_lesion_edit": "Lesion-edited {name} image",
    "organ_removal": "{name} image with the requested structure removed",
    "organ_reconstruction": "{name} image with the missing structure reconstructed",
    "projection_3d_to_2d": "Two-dimensional projection of the {name} volume",
    "reconstruction_2d_to_3d": "Three-dimensional view reconstructed from the {name} image",
}


def generation(task: str, modality: str, note: str) -> str:
    name = MODALITY_NAMES.get(modality, modality)
    lead = GEN_LEAD.get(task, "Generated {name} image").format(name=name)
    return f"{lead[0].upper()}{lead[1:]}: {note}."
