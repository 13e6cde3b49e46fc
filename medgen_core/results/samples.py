"""One line of samples.jsonl as typed data: inputs by reference, the prediction, scores, failures, verdicts.

Each metric key of a sample is in exactly one of ``scores`` (its value),
``failures`` (why it failed: counted, not passing) or ``not_done`` (left out on
purpose, e.g. a judge budget was reached: counted in no rate). Judges'
verdicts (overall, dimensions, explanations, analysis) are under
``judges[<judge key>][<mode>]``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medgen_core.results.keys import LEGACY_JUDGE, parse_key

Outcome = Literal["scored", "failed", "not_done", "absent"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SampleInputs(_Open):
    images: list[str] = Field(default_factory=list)  # relative to the run's data root
    reference_image: str | None = None


class SamplePrediction(_Open):
    text: str | None = None
    image: str | None = None  # relative to the run folder
    latency_s: float | None = None
    usage: dict[str, Any] | None = None


class Verdict(_Open):
    """One judge's verdict on one sample in one mode, or why there is none."""

    overall: float | None = None
    dimensions: dict[str, float] = Field(default_factory=dict)
    explanations: dict[str, str] = Field(default_factory=dict)
    analysis: str | None = None
    error: str | None = None
    not_judged: str | None = None


class SampleRecord(_Open):
    id: str
    task: str
    modality: str | None = None
    subtask: str | None = None
    format: str | None = None
    source: str | None = None
    inputs: SampleInputs = Field(default_factory=SampleInputs)
    prediction: SamplePrediction = Field(default_factory=SamplePrediction)
    reference_text: str | None = None
    error: str | None = None
    scores: dict[str, Any] = Field(default_factory=dict)  # key -> value, plus "<key>.details" -> dict
    failures: dict[str, str] = Field(default_factory=dict)
    not_done: dict[str, str] = Field(default_factory=dict)
    judges: dict[str, dict[str, Verdict]] = Field(default_factory=dict)
    prompt: str | None = None  # what the model was asked; the loader fills it from predictions.jsonl

    @model_validator(mode="before")
    @classmethod
    def _legacy_verdicts(cls, data: Any) -> Any:
        """Version 0 kept the one judge's analysis in ``scores["judge_overall[<mode>].details"]``."""
        if not isinstance(data, dict) or data.get("judges") or not isinstance(data.get("scores"), dict):
            return data
        judges: dict[str, dict[str, Any]] = {}
        for key, details in data["scores"].items():
            parsed = parse_key(key.removesuffix(".details"))
            if key.endswith(".details") and parsed.judge == LEGACY_JUDGE and isinstance(details, dict):
                overall = data["scores"].get(parsed.key)
                judges.setdefault(LEGACY_JUDGE, {})[parsed.mode or "?"] = {"overall": overall, **details}
        return {**data, "judges": judges} if judges else data

    def values(self) -> dict[str, float]:
        """Metric key -> value, without the ``.details`` entries."""
        return {
            k: float(v)
            for k, v in self.scores.items()
            if not k.endswith(".details") and isinstance(v, (int, float)) and not isinstance(v, bool)
        }

    def outcome(self, key: str) -> tuple[Outcome, float | str | None]:
        """How ``key`` went for this sample: its value, or why it has none."""
        value = self.scores.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "scored", float(value)
        if key in self.failures:
            return "failed", self.failures[key]
        if key in self.not_done:
            return "not_done", self.not_done[key]
        return "absent", None
