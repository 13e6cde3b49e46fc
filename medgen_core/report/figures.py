"""Which plots a report shows: per metric, its score distribution, its pass rate per task and per modality."""

from __future__ import annotations

from dataclasses import dataclass, field

from medgen_core.report.plots import bars, histogram
from medgen_core.report.tables import all_keys, without_panel_members
from medgen_core.report.view import RunReport


@dataclass
class Figures:
    distributions: list[str] = field(default_factory=list)
    per_task: list[str] = field(default_factory=list)
    per_modality: list[str] = field(default_factory=list)


def figures(report: RunReport) -> Figures:
    out = Figures()
    results = report.run.results.results
    modality_rows = report.per_modality.rows
    for key in without_panel_members(all_keys(report.run)):
        summaries = {task: m[key.key] for task, m in results.items() if key.key in m}
        if all(s.unavailable for s in summaries.values()):
            continue
        results_of = report.run.results.metrics_of
        outcomes = (s.outcome(key.key) for s in report.run.samples if key.key in results_of(s.task))
        values = [float(value) for outcome, value in outcomes if outcome == "scored"]  # type: ignore[arg-type]
        thresholds = {s.threshold for s in summaries.values()}
        threshold = thresholds.pop() if len(thresholds) == 1 else None
        higher = next(iter(summaries.values())).higher_is_better
        out.distributions.append(histogram(key.label, values, threshold, higher))
        if all(s.threshold is None for s in summaries.values()):
            continue
        out.per_task.append(bars(f"pass rate per task: {key.label}", [(t, s.pass_rate) for t, s in summaries.items()]))
        per_modality = [(row.label, row.cells[key.key].pass_rate) for row in modality_rows if key.key in row.cells]
        out.per_modality.append(bars(f"pass rate per modality: {key.label}", per_modality))
    return out
