"""The report's tables: the paper-style headline per format, then per task (and group) and per modality.

Per-task and group rows are results.json's own numbers. Rows per format and
per modality pool samples across tasks the way groups do: the mean and its
95% bootstrap interval (the run's seed) over the samples scored, the pass rate
over every sample attempted with each sample held to its own task's threshold,
failures counting as not passing and samples not done counting in no rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from medgen_core.results import LoadedRun, MetricKey, MetricSummary, SampleRecord

FORMAT_LABELS = {"vqa": "VQA", "edit": "Image editing", "gen": "Multimodal generation"}
_MODE_ORDER = {"with_reference": 0, "without_reference": 1}
_PIXEL_ORDER = ("ssim", "psnr", "lpips")


@dataclass
class Row:
    label: str
    kind: str  # "task" | "group" | "format" | "modality"
    cells: dict[str, MetricSummary]  # metric key -> summary (a missing key: the row has no such metric)
    n: int | None = None


@dataclass
class Table:
    title: str
    columns: list[MetricKey]
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def ordered_keys(keys: Iterable[MetricKey]) -> list[MetricKey]:
    """Holistic (panel first, then each judge; with the reference before without), text, then pixel."""

    def rank(k: MetricKey) -> tuple[int, int, str, int, str]:
        if k.tier == "holistic":
            first = 0 if k.is_panel or k.judge == "judge" else 1
            return 0, first, k.judge or "", _MODE_ORDER.get(k.mode or "", 2), k.key
        if k.tier == "text":
            return 1, 0 if k.base.startswith("bertscore") else 1, "", 0, k.key
        pixel = _PIXEL_ORDER.index(k.base) if k.base in _PIXEL_ORDER else len(_PIXEL_ORDER)
        return 2, pixel, "", 0, k.key

    return sorted(keys, key=rank)


def without_panel_members(keys: Iterable[MetricKey]) -> list[MetricKey]:
    """With a panel of judges, the panel stands for its judges (plots, a sample's overall pass)."""
    keys = list(keys)
    has_panel = any(k.is_panel for k in keys)
    return [k for k in keys if not (has_panel and k.tier == "holistic" and not k.is_panel)]


def headline_keys(keys: Iterable[MetricKey]) -> list[MetricKey]:
    """The paper's columns: holistic with and without the reference (the panel when there is one),
    BERTScore, SSIM, PSNR and LPIPS."""
    keys = list(keys)
    holistic = [k for k in keys if k.tier == "holistic"]
    panel = [k for k in holistic if k.is_panel]
    judges = {k.judge for k in holistic}
    chosen = panel or (holistic if len(judges) == 1 else [])
    text = [k for k in keys if k.base.startswith("bertscore")]
    pixel = [k for k in keys if k.tier == "pixel" and k.base in _PIXEL_ORDER]
    return ordered_keys([*chosen, *text, *pixel])


def headline(run: LoadedRun) -> Table:
    columns = headline_keys(run.results.keys())
    table = Table("Headline, per format", columns, note="mean [95% CI] and pass rate; samples pooled across tasks")
    by_format = _split(run.samples, lambda s: s.format or "?")
    for fmt in sorted(by_format, key=lambda f: list(FORMAT_LABELS).index(f) if f in FORMAT_LABELS else 9):
        samples = by_format[fmt]
        table.rows.append(Row(FORMAT_LABELS.get(fmt, fmt), "format", pooled(run, samples, columns), len(samples)))
    return table


def per_task(run: LoadedRun, include_groups: bool = True) -> Table:
    results = run.results
    table = Table("Per task", ordered_keys(results.keys()), note="results.json; groups pool their tasks' samples")
    for task, metrics in results.results.items():
        counts = results.n_samples.get(task)
        table.rows.append(Row(task, "task", dict(metrics), counts.total if counts else None))
    if include_groups:
        for group, result in results.groups.items():
            table.rows.append(Row(group, "group", dict(result.metrics)))
    return table


def per_modality(run: LoadedRun) -> Table:
    columns = ordered_keys(run.results.keys())
    table = Table("Per modality", columns, note="samples pooled across tasks, each held to its task's threshold")
    by_modality = _split(run.samples, lambda s: s.modality or "unknown")
    for modality in sorted(by_modality):
        samples = by_modality[modality]
        table.rows.append(Row(modality, "modality", pooled(run, samples, columns), len(samples)))
    return table


def pooled(run: LoadedRun, samples: list[SampleRecord], columns: list[MetricKey]) -> dict[str, MetricSummary]:
    """Per metric key: a summary over ``samples`` of the tasks that have that metric."""
    from medgen_core.results.aggregate import Column

    out: dict[str, MetricSummary] = {}
    for key in columns:
        column: Column | None = None
        for sample in samples:
            summary = run.results.metrics_of(sample.task).get(key.key)
            if summary is None:
                continue
            if column is None:
                column = Column(key.key, key.tier, summary.higher_is_better)
            column.thresholds.setdefault(sample.task, summary.threshold)
            column.unavailable = column.unavailable or summary.unavailable
            outcome, value = sample.outcome(key.key)
            column.add(sample.task, value if outcome == "scored" else None, not_done=outcome == "not_done")  # type: ignore[arg-type]
        if column is not None:
            out[key.key] = MetricSummary.model_validate(column.summary(run.results.config.seed))
    return out


def passed(run: LoadedRun, sample: SampleRecord, key: str) -> bool | None:
    """Whether ``sample`` meets its task's threshold for ``key``: None when there is no threshold or no score."""
    from medgen_core.results.aggregate import passes

    rule = run.results.rule(sample.task, key)
    outcome, value = sample.outcome(key)
    if rule is None or rule[0] is None or outcome == "not_done" or outcome == "absent":
        return None
    if outcome == "failed":
        return False
    return passes(float(value), rule[0], rule[1])  # type: ignore[arg-type]


def all_keys(run: LoadedRun) -> list[MetricKey]:
    return ordered_keys(run.results.keys())


def _split(samples: list[SampleRecord], by: Callable[[SampleRecord], str]) -> dict[str, list[SampleRecord]]:
    out: dict[str, list[SampleRecord]] = {}
    for sample in samples:
        out.setdefault(by(sample), []).append(sample)
    return out
