"""Sentence BLEU as the MedGEN-Bench authors report it (NLTK, whitespace tokens, smoothing method1)."""

from __future__ import annotations

from typing import Any

from medgen_core.types import ScoreFailure, ScoreItem
from medgen_text.common import prediction_or_failure, reference_or_failure, versions


class BLEUMetric:
    """BLEU-4 of the prediction against the reference answer; no lowercasing, no tokenizer beyond ``split()``."""

    key = "bleu"

    def __init__(self) -> None:
        self._smoothing: Any = None

    def _bleu(self, reference: str, prediction: str) -> float:
        from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

        if self._smoothing is None:
            self._smoothing = SmoothingFunction().method1
        return float(sentence_bleu([reference.split()], prediction.split(), smoothing_function=self._smoothing))

    def score(self, items: list[ScoreItem]) -> list[float | BaseException]:
        out: list[float | BaseException] = []
        for item in items:
            pred = prediction_or_failure(item)
            ref = reference_or_failure(item)
            if isinstance(pred, ScoreFailure):
                out.append(pred)
            elif isinstance(ref, ScoreFailure):
                out.append(ref)
            else:
                out.append(self._bleu(ref, pred))
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "implementation": "nltk.translate.bleu_score.sentence_bleu",
            "tokenizer": "str.split() (whitespace, case-sensitive)",
            "weights": [0.25, 0.25, 0.25, 0.25],
            "smoothing": "SmoothingFunction().method1",
            "versions": versions("nltk", "medgen-text"),
        }
