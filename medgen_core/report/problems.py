"""Everything that did not work in a run, grouped by reason: nothing failed is left out of a report."""

from __future__ import annotations

from dataclasses import dataclass, field

from medgen_core.results import LoadedRun
from medgen_core.run.failures import reason

EXAMPLES = 5


@dataclass
class ProblemGroup:
    """Samples that failed the same way: what failed (a metric key, or the prediction), why, how many."""

    what: str
    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)  # "task/id", the first few

    def add(self, task: str, sample_id: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"{task}/{sample_id}")


@dataclass
class Problems:
    unavailable: list[ProblemGroup]  # metrics that could not run at all (what: key, examples: tasks)
    not_installed: dict[str, str]
    warnings: list[str]
    predictions: list[ProblemGroup]
    scoring: list[ProblemGroup]
    not_done: list[ProblemGroup]

    @property
    def empty(self) -> bool:
        return not any(
            (self.unavailable, self.not_installed, self.warnings, self.predictions, self.scoring, self.not_done)
        )


def find_problems(run: LoadedRun) -> Problems:
    unavailable: dict[tuple[str, str], ProblemGroup] = {}
    for task, metrics in run.results.results.items():
        for key, summary in metrics.items():
            if summary.unavailable:
                group = unavailable.setdefault((key, summary.unavailable), ProblemGroup(key, summary.unavailable))
                group.count += 1
                group.examples.append(task)
    predictions: dict[tuple[str, str], ProblemGroup] = {}
    scoring: dict[tuple[str, str], ProblemGroup] = {}
    not_done: dict[tuple[str, str], ProblemGroup] = {}
    for sample in run.samples:  # reasons without the sample they name: one model bug is one group
        if sample.error:
            _group(predictions, "prediction", reason(sample.error, sample.source, sample.id)).add(
                sample.task, sample.id
            )
        for key, why in sample.failures.items():
            if not why.startswith(("prediction failed", "metric unavailable")):
                _group(scoring, key, reason(why, sample.source, sample.id)).add(sample.task, sample.id)
        for key, why in sample.not_done.items():
            _group(not_done, key, why).add(sample.task, sample.id)
    config = run.results.config
    return Problems(
        sorted(unavailable.values(), key=lambda g: g.what),
        dict(config.metrics_not_installed),
        list(config.warnings),
        _biggest(predictions),
        _biggest(scoring),
        _biggest(not_done),
    )


def _group(groups: dict[tuple[str, str], ProblemGroup], what: str, why: str) -> ProblemGroup:
    return groups.setdefault((what, why), ProblemGroup(what, why))


def _biggest(groups: dict[tuple[str, str], ProblemGroup]) -> list[ProblemGroup]:
    return sorted(groups.values(), key=lambda g: (-g.count, g.what, g.reason))
