"""Blank-filling exact match after SQuAD-style normalisation."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from medgen_core.types import ScoreFailure, ScoreItem
from medgen_text.common import prediction_or_failure, versions

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """Lowercase, drop punctuation (any Unicode P* character) and the articles a/an/the, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def acceptable_answers(item: ScoreItem) -> list[str]:
    """Every acceptable answer: a list in ``record["answer"]``, else ``sample.answer`` split on ``|``."""
    raw = item.sample.record.get("answer") if item.sample.record else None
    if isinstance(raw, (list, tuple)):
        answers = [str(a) for a in raw]
    elif item.sample.answer is not None:
        answers = item.sample.answer.split("|")
    else:
        answers = []
    return [a for a in answers if normalize_answer(a)]


class ExactMatchMetric:
    """1.0 when the normalised prediction equals any normalised acceptable answer, else 0.0."""

    key = "exact_match"

    def score(self, items: list[ScoreItem]) -> list[float | BaseException]:
        out: list[float | BaseException] = []
        for item in items:
            pred = prediction_or_failure(item)
            if isinstance(pred, ScoreFailure):
                out.append(pred)
                continue
            answers = acceptable_answers(item)
            if not answers:
                out.append(ScoreFailure(f"sample {item.sample.id!r} has no non-empty reference answer"))
                continue
            norm = normalize_answer(pred)
            out.append(1.0 if any(norm == normalize_answer(a) for a in answers) else 0.0)
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "normalisation": "NFKC, lowercase, punctuation removed, articles a/an/the removed, whitespace collapsed",
            "alternatives": "record['answer'] as a list, or sample.answer split on '|'; any one matches",
            "versions": versions("medgen-text"),
        }
