"""Reading a judge's reply: tolerant about where the JSON is, strict about what it says.

Tolerant: a markdown code fence, prose before or after, dimension names in
another case or with spaces, a score given as ``"8"``. Strict: every
dimension of the rubric and the overall score present, each a number in
1-10. Anything else is a :class:`medgen_core.ScoreFailure` carrying the raw
reply; the core retries it, then records a judge failure (never a 0).
"""

from __future__ import annotations

import math
import re
from typing import Any

from medgen_litellm.replies import find_json_object

from medgen_core import JudgeVerdict, ScoreFailure

_DIMENSION_KEYS = ("dimensions", "scores")
_VERDICT_KEYS = ("overall_score", "analysis", *_DIMENSION_KEYS)


def parse_verdict(text: str, dimensions: tuple[str, ...]) -> JudgeVerdict:
    """A verdict with every dimension scored in 1-10, or a ScoreFailure with the raw reply."""
    obj = find_json_object(text, _VERDICT_KEYS)  # verdict-like: not the inner {"score": 8} of a cut reply
    if obj is None:
        raise _failure("the reply holds no JSON verdict object (missing or malformed JSON)", text)
    by_name = _dimension_entries(obj)
    scores: dict[str, float] = {}
    explanations: dict[str, str] = {}
    for name in dimensions:
        entry = by_name.get(_norm(name))
        if entry is None:
            raise _failure(f"dimension {name!r} is missing", text)
        value = entry.get("score") if isinstance(entry, dict) else entry
        scores[name] = _score(value, name, text)
        if isinstance(entry, dict) and entry.get("explanation") is not None:
            explanations[name] = str(entry["explanation"])
    if "overall_score" not in obj:
        raise _failure("'overall_score' is missing", text)
    overall = _score(obj["overall_score"], "overall_score", text)
    if obj.get("final_thoughts"):
        explanations["overall"] = str(obj["final_thoughts"])
    analysis = obj.get("analysis")
    return JudgeVerdict(
        overall=overall,
        dimensions=scores,
        analysis=str(analysis) if analysis is not None else "",
        explanations=explanations,
        raw=text,
    )


def _dimension_entries(obj: dict[str, Any]) -> dict[str, Any]:
    """Dimension entries by normalised name, from a ``dimensions``/``scores`` mapping or the top level."""
    entries: dict[str, Any] = {}
    for key, value in obj.items():
        if key in _DIMENSION_KEYS and isinstance(value, dict):
            entries.update({_norm(k): v for k, v in value.items()})
        else:
            entries.setdefault(_norm(key), value)
    return entries


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def _score(value: Any, name: str, raw: str) -> float:
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _failure(f"{name!r} score is {value!r}, not a number", raw)
    if not math.isfinite(value) or not 1 <= value <= 10:
        raise _failure(f"{name!r} score {value!r} is outside 1-10", raw)
    return float(value)


def _failure(message: str, raw: str) -> ScoreFailure:
    return ScoreFailure(f"unusable judge reply: {message}", details={"raw": raw})
