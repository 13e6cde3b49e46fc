"""Template text answers: the multiple-choice heuristic and the fixed templates."""

from __future__ import annotations

import pytest
from medgen_classical import text

MC_PROMPT = "Which imaging modality was used to acquire this image?\nA. {}\nB. {}\nC. {}\nD. {}"


@pytest.mark.parametrize(
    ("modality", "choices", "expected"),
    [
        ("ct", ["Magnetic resonance imaging", "Computed tomography", "Ultrasound", "Plain radiograph"], "B"),
        ("us", ["CT scan", "MRI", "Doppler ultrasound", "X-ray"], "C"),
        ("pathology", ["Fundus photograph", "H&E stained histology section", "Chest X-ray", "CT"], "B"),
        ("xray", ["T2-weighted MRI", "Chest radiograph", "Echocardiogram", "Dermoscopy"], "B"),
    ],
)
def test_mc_picks_modality_cue(modality: str, choices: list[str], expected: str) -> None:
    letter, scores = text.multiple_choice(MC_PROMPT.format(*choices), choices, modality)
    assert letter == expected, scores


def test_mc_picks_strongest_question_overlap() -> None:
    choices = ["Pleural effusion", "Enlarged cardiac silhouette with cardiomegaly", "Pneumothorax", "Rib fracture"]
    prompt = "Is the cardiac silhouette enlarged on this film?\n" + "\n".join(
        f"{c}. {o}" for c, o in zip("ABCD", choices, strict=True)
    )
    letter, scores = text.multiple_choice(prompt, choices, "xray")
    assert letter == "B"
    assert scores["B"] > max(scores[k] for k in "ACD")


def test_mc_tie_goes_to_longest_option() -> None:
    choices = ["Yes", "No", "Cannot be determined from this view"]
    letter, _ = text.multiple_choice(
        "Is there a lesion?\nA. Yes\nB. No\nC. Cannot be determined from this view", choices, "ct"
    )
    assert letter == "C"


def test_mc_without_options_raises() -> None:
    with pytest.raises(ValueError):
        text.multiple_choice("Which?", [], "ct")


def test_short_modality_cues_need_whole_words() -> None:
    assert text.modality_score("usually used", "us") == 0
    assert text.modality_score("US of the liver", "us") == 2


def test_blank_filling_and_report_templates() -> None:
    assert text.blank_filling("This image was acquired with ____.", "mri") == "MRI"
    assert text.blank_filling("The scan plane shown is ____.", "ct") == "axial"
    report = text.report("us")
    assert report.startswith("FINDINGS: ultrasound image")
    assert "\nIMPRESSION: " in report
    assert "X-ray" in text.question_answering("What is abnormal in the left lung?", "xray")
    assert text.generation("disease_prediction", "ct", "a note").startswith("Predicted follow-up CT image: a note")
