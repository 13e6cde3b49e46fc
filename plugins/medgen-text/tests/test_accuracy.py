"""Multiple-choice accuracy: letters, option texts, reference forms, ambiguity."""

from __future__ import annotations

import pytest
from medgen_text.accuracy import ChoiceAccuracyMetric, parse_options

from medgen_core.types import Sample, Score, ScoreFailure, ScoreItem

PLAIN = ["Pneumothorax", "Pleural effusion", "Pneumonia", "Bacterial pneumonia"]
PREFIXED = ["A. Pneumothorax", "B. Pleural effusion", "C. Pneumonia", "D. Bacterial pneumonia"]


def _value(pred: str | None, answer: str | None = "B", choices: list[str] | None = PLAIN) -> float | ScoreFailure:
    sample = Sample(
        id="s", task="multiple-choice", format="vqa", modality="X-ray", instruction="", answer=answer, choices=choices
    )
    result = ChoiceAccuracyMetric().score([ScoreItem(sample, pred, None)])[0]
    return result.value if isinstance(result, Score) else result  # type: ignore[return-value]


@pytest.mark.parametrize(
    "pred",
    [
        "B",
        "b",
        "B.",
        "(B)",
        "B)",
        "[B]",
        " B ",
        "Answer: B",
        "answer: b",
        "The answer is B",
        "The answer is (B).",
        "The correct option is B because fluid layers.",
        "B. Pleural effusion",
        "(B) Pleural effusion",
        "Pleural effusion",
        "pleural   EFFUSION.",
        "There is a left pleural effusion.",
        "I choose (B).",
    ],
)
def test_correct_predictions(pred: str) -> None:
    assert _value(pred) == 1.0
    assert _value(pred, choices=PREFIXED) == 1.0


@pytest.mark.parametrize(
    "pred",
    [
        "C",
        "Answer: A",
        "Pneumothorax",
        "B or C",
        "The answer is B, or possibly (C).",
        "B. Pneumonia",
        "Pleural effusion and pneumothorax",
        "I am not sure.",
        "",
        "The answer is a pleural effusion or pneumothorax",
        "E",
    ],
)
def test_wrong_or_ambiguous_predictions(pred: str) -> None:
    assert _value(pred) == 0.0


def test_lowercase_article_is_not_a_letter() -> None:
    assert _value("The answer is a pleural effusion") == 1.0
    assert _value("A pleural effusion is present.") == 1.0  # "A" as an article does not name option A


def test_longer_option_text_wins_over_its_substring() -> None:
    assert _value("Bacterial pneumonia", answer="D") == 1.0
    assert _value("Findings favour bacterial pneumonia.", answer="D") == 1.0
    assert _value("Findings favour bacterial pneumonia.", answer="C") == 0.0
    assert _value("Pneumonia", answer="C") == 1.0


@pytest.mark.parametrize("answer", ["B", "(B)", "B. Pleural effusion", "Pleural effusion", "pleural effusion."])
def test_reference_forms(answer: str) -> None:
    assert _value("B", answer=answer) == 1.0
    assert _value("Pleural effusion", answer=answer, choices=PREFIXED) == 1.0
    assert _value("C", answer=answer) == 0.0


def test_details_record_letters() -> None:
    sample = Sample(
        id="s", task="multiple-choice", format="vqa", modality="CT", instruction="", answer="C", choices=PLAIN
    )
    result = ChoiceAccuracyMetric().score([ScoreItem(sample, "B or C", None)])[0]
    assert isinstance(result, Score) and result.details == {"reference": "C", "named": ["B", "C"]}


def test_failures() -> None:
    assert isinstance(_value(None), ScoreFailure)
    assert isinstance(_value("B", choices=None), ScoreFailure)
    assert isinstance(_value("B", choices=[]), ScoreFailure)
    missing = _value("B", answer="Atelectasis")
    assert isinstance(missing, ScoreFailure) and "names none of the choices" in str(missing)


def test_parse_options_prefixes_and_positions() -> None:
    assert [o.letter for o in parse_options(PREFIXED)] == ["A", "B", "C", "D"]
    assert parse_options(PREFIXED)[1].text == "pleural effusion"
    assert [o.letter for o in parse_options(["(B) x", "(A) y"])] == ["B", "A"]
    assert [o.letter for o in parse_options(["T. pallidum", "E. coli"])] == ["T", "E"]
