"""BLEU and blank-filling exact match: the authors' settings, failures for missing inputs."""

from __future__ import annotations

import pytest
from medgen_text.bleu import BLEUMetric
from medgen_text.exact import ExactMatchMetric, normalize_answer

from medgen_core.types import Sample, ScoreFailure, ScoreItem


def _item(pred: str | None, answer: str | None, record: dict | None = None) -> ScoreItem:
    sample = Sample(
        id="s", task="blank-filling", format="vqa", modality="CT", instruction="", answer=answer, record=record or {}
    )
    return ScoreItem(sample, pred, None)


def test_bleu_values() -> None:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    metric = BLEUMetric()
    ref = "There is a small nodule in the right upper lobe ."
    pred = "A small nodule is seen in the right upper lobe ."
    scores = metric.score([_item(ref, ref), _item(pred, ref), _item("a b", "a b"), _item("", ref), _item("x", "")])
    expected = sentence_bleu([ref.split()], pred.split(), smoothing_function=SmoothingFunction().method1)
    assert scores[0] == pytest.approx(1.0)
    assert scores[1] == pytest.approx(expected) and 0.3 < scores[1] < 0.6  # type: ignore[operator]
    assert scores[2] == pytest.approx(0.1**0.5)  # method1 smoothing of empty 3- and 4-gram counts
    assert scores[3] == 0.0 and scores[4] == 0.0


def test_bleu_is_case_sensitive_whitespace_tokens() -> None:
    pairs = [_item("Pleural Effusion", "pleural effusion"), _item("pleural  effusion\n", "pleural effusion")]
    scores = BLEUMetric().score(pairs)
    assert scores[0] == 0.0
    assert scores[1] == pytest.approx(0.1**0.5)


def test_bleu_failures() -> None:
    scores = BLEUMetric().score([_item(None, "x"), _item("x", None)])
    assert all(isinstance(s, ScoreFailure) for s in scores)
    assert BLEUMetric().describe()["smoothing"] == "SmoothingFunction().method1"


def test_normalize_answer() -> None:
    assert normalize_answer("  The Left-Lower LOBE. ") == "left lower lobe"
    assert normalize_answer("an “apical” cap!") == "apical cap"
    assert normalize_answer("A") == ""


def test_exact_match() -> None:
    metric = ExactMatchMetric()
    scores = metric.score(
        [
            _item("the left lower lobe", "Left lower lobe."),
            _item("right lower lobe", "Left lower lobe"),
            _item("T2", "T1 | T2-weighted|T2"),
            _item("t2 weighted", "T1|T2-weighted"),
            _item("aorta", "ignored", {"answer": ["Aorta", "aortic arch"]}),
            _item("ignored", "ignored", {"answer": ["Aorta", "aortic arch"]}),
            _item("left lower lobe consolidation", "left lower lobe"),
        ]
    )
    assert scores == [1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_exact_match_failures() -> None:
    scores = ExactMatchMetric().score([_item(None, "x"), _item("x", None), _item("x", " | ")])
    assert all(isinstance(s, ScoreFailure) for s in scores)
    assert "no non-empty reference" in str(scores[2])
