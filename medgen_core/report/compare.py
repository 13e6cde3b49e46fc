"""``medgen compare``: runs side by side, and each run against the first on the samples they share.

Samples pair by task and id, and only when both runs saw the same data (the
per-sample data hashes agree), so runs over different data or settings are
compared on their shared samples only, and every count says how many. Per task
and metric, over the pairs:

- both scored: the pair enters the mean difference (B - A), its 95% paired
  bootstrap interval, the Wilcoxon signed-rank test and the pass rates;
- scored in one run and failed in the other: no difference can be taken, so
  the pair is left out of the mean and the test but counted ("failed only in
  A/B"), and it enters the pass rates as not passing on its failed side;
- failed in both: counted, and not passing on both sides;
- not done in either (a budget, or a run still going): counted, in nothing else.

p-values are Holm-corrected across the tasks of one metric in one pairing.
A metric that is unavailable in either run, or present in only one, is listed
as not comparable rather than silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medgen_core.report.numbers import number
from medgen_core.report.stats import holm, paired_interval, wilcoxon_p
from medgen_core.report.tables import passed
from medgen_core.results import LoadedRun, MetricSummary, SampleRecord

ALPHA = 0.05


@dataclass
class PairedMetric:
    """One task and metric of one pairing (A = the first run, B = the other)."""

    task: str
    key: str
    higher_is_better: bool
    n_pairs: int = 0  # shared samples with this metric in both runs
    n_both: int = 0  # scored in both: the pairs of the difference and the test
    failed_only_a: int = 0
    failed_only_b: int = 0
    failed_both: int = 0
    not_done: int = 0
    mean_a: float | None = None
    mean_b: float | None = None
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p: float | None = None
    p_holm: float | None = None
    pass_a: float | None = None
    pass_b: float | None = None
    pass_difference: float | None = None
    pass_ci_low: float | None = None
    pass_ci_high: float | None = None

    @property
    def better(self) -> str | None:
        """'A' or 'B' when the difference is significant after Holm's correction, else None."""
        if self.p_holm is None or self.p_holm >= ALPHA or not self.difference:
            return None
        return "B" if (self.difference > 0) == self.higher_is_better else "A"


@dataclass
class Pairing:
    """One run (B) against the first (A) on their shared samples."""

    a: str
    b: str
    shared: int = 0
    only_a: int = 0
    only_b: int = 0
    different_data: int = 0  # same task and id, different record or images
    settings: list[str] = field(default_factory=list)  # what else differs between the runs
    metrics: list[PairedMetric] = field(default_factory=list)
    not_comparable: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"{self.b} vs {self.a}: {self.shared} shared samples ({self.only_a} only in {self.a}, "
        text += f"{self.only_b} only in {self.b}"
        if self.different_data:
            text += f", {self.different_data} with the same id but different data, not paired"
        return text + ")"


@dataclass
class Comparison:
    """A renderer's input for ``medgen compare``."""

    labels: list[str]
    runs: list[LoadedRun]
    side_by_side: list[tuple[str, str, str, list[MetricSummary | None]]]  # (kind, name, key, one per run)
    pairings: list[Pairing]
    alpha: float = ALPHA


def compare(runs: list[LoadedRun], include_groups: bool = True) -> Comparison:
    labels = run_labels(runs)
    return Comparison(
        labels,
        runs,
        side_by_side(runs, include_groups),
        [pair(runs[0], run, labels[0], label) for run, label in zip(runs[1:], labels[1:], strict=True)],
    )


def run_labels(runs: list[LoadedRun]) -> list[str]:
    """Model names, with the folder name where two runs share a model."""
    names = [r.results.model_name for r in runs]
    return [f"{n} ({r.folder.name})" if names.count(n) > 1 else n for n, r in zip(names, runs, strict=True)]


def side_by_side(
    runs: list[LoadedRun], include_groups: bool = True
) -> list[tuple[str, str, str, list[MetricSummary | None]]]:
    rows: dict[tuple[str, str, str], list[MetricSummary | None]] = {}
    for i, run in enumerate(runs):
        sections = [("task", run.results.results)]
        if include_groups:
            sections.append(("group", {g: r.metrics for g, r in run.results.groups.items()}))
        for kind, named in sections:
            for name, metrics in named.items():
                for key, summary in metrics.items():
                    rows.setdefault((kind, name, key), [None] * len(runs))[i] = summary
    order = sorted(rows, key=lambda r: (r[0] != "task", r[1], r[2]))
    return [(kind, name, key, rows[(kind, name, key)]) for kind, name, key in order]


def side_by_side_cell(summary: MetricSummary | None) -> str:
    """``mean (pass rate)``, as in the README's baseline table."""
    if summary is None:
        return ""
    if summary.unavailable:
        return "unavailable"
    if summary.mean is None:
        return "all failed" if summary.n_failed else "not done"
    rate = f" ({100 * summary.pass_rate:.0f}%)" if summary.pass_rate is not None else ""
    return number(summary.mean) + rate


def pair(a: LoadedRun, b: LoadedRun, label_a: str, label_b: str) -> Pairing:
    pairing = Pairing(label_a, label_b, settings=_settings(a, b))
    index_b = {(s.task, s.id): s for s in b.samples}
    keys_a = {(s.task, s.id) for s in a.samples}
    pairing.only_b = sum(1 for k in index_b if k not in keys_a)
    pairs: dict[str, list[tuple[SampleRecord, SampleRecord]]] = {}
    for sample in a.samples:
        other = index_b.get((sample.task, sample.id))
        if other is None:
            pairing.only_a += 1
        elif not _same_data(a, b, sample):
            pairing.different_data += 1
        else:
            pairing.shared += 1
            pairs.setdefault(sample.task, []).append((sample, other))
    seed = a.results.config.seed
    for task, task_pairs in sorted(pairs.items()):
        metrics_a, metrics_b = a.results.metrics_of(task), b.results.metrics_of(task)
        label = a.results.result_key(task)
        for key in sorted(set(metrics_a) | set(metrics_b)):
            why = _not_comparable(metrics_a.get(key), metrics_b.get(key), pairing)
            if why:
                pairing.not_comparable.append(f"{label} {key}: {why}")
                continue
            pairing.metrics.append(_paired_metric(label, key, metrics_a[key], task_pairs, a, b, seed))
    _correct(pairing.metrics)
    return pairing


def _paired_metric(
    task: str,
    key: str,
    summary: MetricSummary,
    pairs: list[tuple[SampleRecord, SampleRecord]],
    a: LoadedRun,
    b: LoadedRun,
    seed: int,
) -> PairedMetric:
    row = PairedMetric(task, key, summary.higher_is_better, n_pairs=len(pairs))
    values_a, values_b, pass_pairs = [], [], []
    for sample_a, sample_b in pairs:
        outcome_a, value_a = sample_a.outcome(key)
        outcome_b, value_b = sample_b.outcome(key)
        if "not_done" in (outcome_a, outcome_b) or "absent" in (outcome_a, outcome_b):
            row.not_done += 1
            continue
        if outcome_a == outcome_b == "scored":
            values_a.append(float(value_a))  # type: ignore[arg-type]
            values_b.append(float(value_b))  # type: ignore[arg-type]
        elif outcome_a == "scored":
            row.failed_only_b += 1
        elif outcome_b == "scored":
            row.failed_only_a += 1
        else:
            row.failed_both += 1
        pass_a, pass_b = passed(a, sample_a, key), passed(b, sample_b, key)
        if pass_a is not None and pass_b is not None:
            pass_pairs.append((float(pass_a), float(pass_b)))
    row.n_both = len(values_a)
    if values_a:
        differences = [vb - va for va, vb in zip(values_a, values_b, strict=True)]
        row.mean_a, row.mean_b = sum(values_a) / len(values_a), sum(values_b) / len(values_b)
        row.difference = sum(differences) / len(differences)
        row.ci_low, row.ci_high = paired_interval(differences, seed)
        row.p = wilcoxon_p(differences)
    if pass_pairs:
        row.pass_a = sum(p for p, _ in pass_pairs) / len(pass_pairs)
        row.pass_b = sum(p for _, p in pass_pairs) / len(pass_pairs)
        row.pass_difference = row.pass_b - row.pass_a
        row.pass_ci_low, row.pass_ci_high = paired_interval([pb - pa for pa, pb in pass_pairs], seed)
    return row


def _correct(rows: list[PairedMetric]) -> None:
    """Holm across the tasks of each metric key."""
    by_key: dict[str, list[PairedMetric]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    for family in by_key.values():
        for row, adjusted in zip(family, holm([r.p for r in family]), strict=True):
            row.p_holm = adjusted


def _not_comparable(a: MetricSummary | None, b: MetricSummary | None, pairing: Pairing) -> str | None:
    if a is None or b is None:
        return f"only in {pairing.a if b is None else pairing.b}"
    if a.unavailable or b.unavailable:
        return f"unavailable in {pairing.a if a.unavailable else pairing.b}"
    if a.higher_is_better != b.higher_is_better:
        return "the runs disagree on its direction"
    return None


def _same_data(a: LoadedRun, b: LoadedRun, sample: SampleRecord) -> bool:
    hash_a = a.results.config.data_hashes.get(sample.task, {}).get(sample.id)
    hash_b = b.results.config.data_hashes.get(sample.task, {}).get(sample.id)
    return not hash_a or not hash_b or hash_a == hash_b


def _settings(a: LoadedRun, b: LoadedRun) -> list[str]:
    """What differs between two runs besides the model: data, limit, seed, task specs, partial results."""
    ca, cb = a.results.config, b.results.config
    out = []
    for name in ("data_root", "limit", "seed"):
        if getattr(ca, name) != getattr(cb, name):
            out.append(f"{name}: {getattr(ca, name)} vs {getattr(cb, name)}")
    for task in sorted(set(ca.tasks) & set(cb.tasks)):
        if ca.tasks[task].hash != cb.tasks[task].hash:
            out.append(f"task {task}: different task specs ({ca.tasks[task].hash[:12]} vs {cb.tasks[task].hash[:12]})")
    for run in (a, b):
        if run.results.partial:
            out.append(f"{run.folder}: partial results ({run.results.partial.reason})")
    return out
