"""Judge replies: found tolerantly, validated strictly, unusable ones kept raw (never a 0)."""

from __future__ import annotations

import json

import pytest
from judge_replies import verdict
from medgen_judge.reply import parse_verdict

from medgen_core import ScoreFailure

DIMS = ("anatomical_accuracy", "instruction_compliance")


def test_plain_fenced_and_prose_replies_give_the_same_verdict():
    body = json.dumps(verdict(list(DIMS), 7, overall=6.5))
    for text in (body, f"```json\n{body}\n```", f"Let me think.\n\nHere it is: {body}\nDone."):
        v = parse_verdict(text, DIMS)
        assert v.overall == 6.5 and v.dimensions == {"anatomical_accuracy": 7.0, "instruction_compliance": 7.0}
        assert v.analysis == "The output matches the instruction." and v.raw == text
        assert v.explanations["instruction_compliance"] == "instruction_compliance looks fine"
        assert v.explanations["overall"] == "Good."


def test_tolerated_shapes():
    text = json.dumps(
        {"analysis": "a", "Anatomical Accuracy": {"score": "9"}, "instruction-compliance": 3, "overall_score": 5}
    )
    v = parse_verdict(text, DIMS)
    assert v.dimensions == {"anatomical_accuracy": 9.0, "instruction_compliance": 3.0} and v.overall == 5.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("I cannot grade this.", "no JSON verdict object"),
        ('{"analysis": "x", "dimensions": {"anatomical_accuracy": {"score": 8}', "no JSON verdict object"),
        (json.dumps(verdict(list(DIMS), drop="instruction_compliance")), "'instruction_compliance' is missing"),
        (json.dumps(verdict(list(DIMS), score=11)), "outside 1-10"),
        (json.dumps(verdict(list(DIMS), score=0)), "outside 1-10"),
        (json.dumps(verdict(list(DIMS), score="8/10")), "not a number"),
        (json.dumps(verdict(list(DIMS), score=True)), "not a number"),
        (json.dumps({k: v for k, v in verdict(list(DIMS)).items() if k != "overall_score"}), "overall_score"),
    ],
)
def test_unusable_replies_fail_with_the_raw_reply(text, message):
    with pytest.raises(ScoreFailure, match=message) as err:
        parse_verdict(text, DIMS)
    assert err.value.details == {"raw": text}
