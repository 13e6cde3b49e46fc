"""What went wrong in a run, counted by reason: the console's failure summary and results.json's ``failures``.

Messages name the sample they are about; the reason strips that part, so
one bug in a model across 300 samples is one line with a count of 300.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

TOP = 5
_LOCATION = re.compile(r"^\S+:(\d+|row \d+):\s*")  # "path/data.jsonl:12: " or "file.parquet:row 3: "


def reason(message: str, source: str | None, sample_id: str | None) -> str:
    """A failure message without the sample it is about, so the same failure on many samples is one reason."""
    text = _LOCATION.sub("", message)
    for value, mark in ((source, "<record>"), (sample_id, "<id>")):
        if value:
            text = text.replace(str(value), mark)
    return text[:160]


class FailureTally:
    def __init__(self) -> None:
        self._reasons: Counter[str] = Counter()
        self._examples: dict[str, str] = {}

    def prediction(self, label: str, pred: dict[str, Any]) -> None:
        if pred.get("error"):
            stage = pred.get("error_stage", "model")
            why = reason(pred["error"], pred.get("source"), pred.get("id"))
            self._count(f"{stage}: {why}", f"{label}/{pred.get('id')}")

    def score(self, label: str, key: str, why: str, pred: dict[str, Any]) -> None:
        if why.startswith("metric unavailable"):
            return  # listed once under "unavailable"
        self._count(f"score {key}: {reason(why, pred.get('source'), pred.get('id'))}", f"{label}/{pred.get('id')}")

    def _count(self, reason: str, example: str) -> None:
        self._reasons[reason] += 1
        self._examples.setdefault(reason, example)

    def summary(self, n_samples: dict[str, dict[str, int]], results: dict[str, Any]) -> dict[str, Any]:
        """Counts by reason (most frequent first), tasks where every prediction failed, unavailable metrics."""
        unavailable = {
            key: entry["unavailable"]
            for metrics in results.values()
            for key, entry in metrics.items()
            if isinstance(entry, dict) and "unavailable" in entry
        }
        all_failed = sorted(
            label for label, n in n_samples.items() if n.get("total") and n.get("failed_predictions") == n["total"]
        )
        return {
            "n_failures": sum(self._reasons.values()),
            "by_reason": [
                {"reason": reason, "count": count, "example": self._examples[reason]}
                for reason, count in self._reasons.most_common()
            ],
            "tasks_all_predictions_failed": all_failed,
            "unavailable_metrics": unavailable,
        }
