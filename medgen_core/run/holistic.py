"""What results.json says about judges beyond each one's overall score.

Per judge, mode and rubric dimension: mean and interval. With several judges
(a panel): the panel mean per sample (every judge must have graded it) as
``judge:panel[<mode>]``, and inter-judge agreement, Krippendorff's alpha on
the interval scale, per task, mode and dimension. samples.jsonl gets each
judge's verdict (scores, explanations, analysis) under ``judges``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from medgen_core.results.aggregate import Column, bootstrap_ci
from medgen_core.run.judging import PANEL, JudgeSlot, judge_key

_SHOWN = ("dimensions", "explanations", "analysis")


@dataclass
class _Verdicts:
    """One task and mode: each judge's overall and dimension scores per sample (None: no usable verdict)."""

    threshold: float
    by_sample: dict[str, dict[str, dict[str, float] | None]] = field(default_factory=lambda: defaultdict(dict))
    judges: list[str] = field(default_factory=list)


class Holistic:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._verdicts: dict[tuple[str, str], _Verdicts] = {}
        self._panel_columns: dict[tuple[str, str], Column] = {}  # (task or group, mode)
        self._pending: dict[str, dict[str, tuple[str, str | None, bool]]] = {}  # mode -> judge -> (why, not_done)

    def add(
        self,
        task: str,
        sample_id: str,
        slot: JudgeSlot,
        entry: dict[str, Any] | None,
        value: float | None,
        not_done: bool,
        why: str | None,
        line: dict[str, Any],
    ) -> None:
        """Record one judge's outcome for one sample and mode (``line`` is its samples.jsonl line)."""
        judge, mode = slot.handle.key, slot.mode
        verdicts = self._verdicts.setdefault((task, mode), _Verdicts(slot.threshold))
        if judge not in verdicts.judges:
            verdicts.judges.append(judge)
        shown: dict[str, Any]
        if value is not None:
            details = (entry or {}).get("details", {})
            scores = {"overall": value, **details.get("dimensions", {})}
            verdicts.by_sample[sample_id][judge] = scores
            shown = {
                "overall": value,
                **{k: details[k] for k in ("dimensions", "explanations", "analysis") if k in details},
            }
        else:
            verdicts.by_sample[sample_id][judge] = None
            shown = {"not_judged": why} if not_done else {"error": why}
            if entry and entry.get("details", {}).get("raw") is not None:
                shown["raw"] = entry["details"]["raw"]
        line.setdefault("judges", {}).setdefault(judge, {})[mode] = shown

    def finish_sample(self, task: str, sample_id: str, groups: list[str], line: dict[str, Any]) -> None:
        """With several judges, the sample's panel score per mode (in the line and the panel columns)."""
        for (t, mode), verdicts in self._verdicts.items():
            if t != task or len(verdicts.judges) < 2:
                continue
            got = verdicts.by_sample.get(sample_id, {})
            key = judge_key(PANEL, mode)
            outcomes = line.get("judges", {})
            missing = [j for j in verdicts.judges if got.get(j) is None]
            value, not_done = None, False
            if not missing:
                value = sum(got[j]["overall"] for j in verdicts.judges) / len(verdicts.judges)  # type: ignore[index]
                line["scores"][key] = value
            else:
                not_done = all("not_judged" in outcomes.get(j, {}).get(mode, {"not_judged": 1}) for j in missing)
                reason = "; ".join(f"{j}: {_why(outcomes.get(j, {}).get(mode))}" for j in missing)
                line["not_done" if not_done else "failures"][key] = f"not every judge graded it ({reason})"
            for owner in (task, *groups):
                column = self._panel_columns.setdefault((owner, mode), Column(key, "holistic", True))
                column.thresholds.setdefault(task, verdicts.threshold)
                column.add(task, value, not_done)

    def summarise_into(self, task_results: dict[str, Any], group_results: dict[str, Any]) -> None:
        """Add the panel columns to the task and group results."""
        for (owner, _mode), column in sorted(self._panel_columns.items()):
            target = task_results if owner in task_results else group_results
            target.setdefault(owner, {})[column.key] = column.summary(self.seed)

    def details(self) -> dict[str, Any]:
        """Per task: each judge's per-mode dimension summaries, and the panel's agreement."""
        out: dict[str, Any] = {}
        for (task, mode), verdicts in sorted(self._verdicts.items()):
            entry = out.setdefault(task, {"judges": {}, "agreement": {}})
            for judge in verdicts.judges:
                scored = [v[judge] for v in verdicts.by_sample.values() if v.get(judge)]
                names = sorted({d for s in scored for d in s if d != "overall"})
                entry["judges"].setdefault(judge, {})[mode] = {
                    "n_judged": len(scored),
                    "dimensions": {d: self._stats([s[d] for s in scored if d in s]) for d in names},
                }
            if len(verdicts.judges) >= 2:
                entry["agreement"][mode] = _agreement(verdicts)
        return out

    def _stats(self, values: list[float]) -> dict[str, Any]:
        if not values:
            return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
        low, high = bootstrap_ci(values, self.seed)
        return {"mean": sum(values) / len(values), "ci_low": low, "ci_high": high, "n": len(values)}


def _why(outcome: dict[str, Any] | None) -> str:
    if not outcome:
        return "no verdict"
    return str(outcome.get("error") or outcome.get("not_judged") or "no verdict")


def _agreement(verdicts: _Verdicts) -> dict[str, Any]:
    """Krippendorff's alpha (interval) across judges, per dimension every judge scored and overall."""
    import numpy as np

    samples = list(verdicts.by_sample.values())
    dims = None
    for sample in samples:
        for judge in verdicts.judges:
            if sample.get(judge):
                keys = set(sample[judge])  # type: ignore[arg-type]
                dims = keys if dims is None else dims & keys
    out: dict[str, Any] = {"method": "krippendorff_alpha_interval", "judges": list(verdicts.judges)}
    for dim in sorted(dims or {"overall"}):
        data = np.array(
            [[(s.get(j) or {}).get(dim, np.nan) for s in samples] for j in verdicts.judges], dtype=np.float64
        )
        out[dim] = _alpha(data)
    return out


def _alpha(data: Any) -> dict[str, Any]:
    import krippendorff
    import numpy as np

    pairable = int((~np.isnan(data)).sum(axis=0).__ge__(2).sum())
    try:
        value = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    except (ValueError, ZeroDivisionError) as exc:  # e.g. every judge gave every sample the same score
        return {"alpha": None, "n_samples": pairable, "why": str(exc)}
    return {"alpha": value if np.isfinite(value) else None, "n_samples": pairable}
