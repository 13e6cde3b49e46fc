"""Judge replies for the scripted server: valid verdicts for whatever dimensions the prompt asks for."""

from __future__ import annotations

import json
from typing import Any

from medgen_litellm.testing import RecordedRequest, Reply, json_reply

FAKE_KEY = "sk-judge-FAKE-0123456789abcdef"  # set in the environment by the tests; must never be written

FORMAT_LINE = "Reply with one JSON object only"


def asked_dimensions(request: RecordedRequest) -> list[str]:
    """The dimension names in the reply format at the end of the judge's system message."""
    system = request.texts[0]
    example = json.loads(system[system.index(FORMAT_LINE) :].split("\n", 1)[1])
    return list(example["dimensions"])


def verdict(dimensions: list[str], score: Any = 8, overall: Any = None, drop: str | None = None) -> dict[str, Any]:
    dims = {d: {"score": score, "explanation": f"{d} looks fine"} for d in dimensions if d != drop}
    return {
        "analysis": "The output matches the instruction.",
        "dimensions": dims,
        "overall_score": score if overall is None else overall,
        "final_thoughts": "Good.",
    }


def grading_responder(score: float, style: str = "plain"):
    def respond(request: RecordedRequest) -> Reply:
        return json_reply(verdict(asked_dimensions(request), score), style)

    return respond
