"""results.json as typed, versioned data (pydantic).

Strict where readers depend on it (counts are non-negative integers, rates lie
in 0-1, every task and metric summary has its fields' types), open where the
core keeps growing: every model allows extra fields, so a newer core that adds
a field does not break an older reader. A change to the meaning of an existing
field bumps :data:`SCHEMA_VERSION`.

Version history:
  0  results.json without ``schema_version`` (medgen 0.1.0): one judge
     (``judge_overall[<mode>]`` keys, ``config.judge``), no ``tier`` fields.
  1  ``schema_version`` written; ``tier`` and ``n_not_done`` in summaries;
     judges as ``judge:<key>[<mode>]`` plus ``judge:panel[<mode>]``;
     ``holistic`` (per-judge dimensions, agreement) and ``usage`` sections;
     ``config.judges`` is a list.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PrivateAttr, model_serializer, model_validator

from medgen_core.results.keys import MetricKey, parse_key

SCHEMA_VERSION = 1
READABLE_VERSIONS = (0, 1)


class _Open(BaseModel):
    """Extra fields are kept (and written back), so newer files still load."""

    model_config = ConfigDict(extra="allow")


class MetricSummary(_Open):
    """One metric over a task or group: mean with its 95% CI over scored samples, pass rate over all."""

    tier: Literal["pixel", "text", "holistic"] | None = None
    n: NonNegativeInt
    n_failed: NonNegativeInt = 0
    n_not_done: NonNegativeInt = 0
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    pass_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    threshold: float | None = None
    thresholds: dict[str, float | None] | None = None  # a group over tasks with different thresholds
    higher_is_better: bool = True
    unavailable: str | None = None
    mode: str | None = None
    judge: str | None = None

    @model_validator(mode="after")
    def _counts_add_up(self) -> MetricSummary:
        if self.n_failed + self.n_not_done > self.n:
            raise ValueError(f"n_failed ({self.n_failed}) + n_not_done ({self.n_not_done}) exceed n ({self.n})")
        return self

    @property
    def n_scored(self) -> int:
        return 0 if self.unavailable else self.n - self.n_failed - self.n_not_done


class GroupResult(_Open):
    """A group's pooled metrics, kept apart from the list of tasks it pools.

    On disk the group object holds ``tasks`` beside its metric keys; both forms are read and the
    file form is written back.
    """

    tasks: list[str] = Field(default_factory=list)
    metrics: dict[str, MetricSummary] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        """The file form: metric keys hold objects; other keys (``tasks``, ``empty_tasks``, ...) are the group's."""
        if isinstance(data, dict) and "metrics" not in data:
            own = {k: v for k, v in data.items() if not isinstance(v, dict)}
            return {**own, "metrics": {k: v for k, v in data.items() if isinstance(v, dict)}}
        return data

    @model_serializer(mode="wrap")
    def _flatten(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        return {**out.pop("metrics"), **out}


class SampleCounts(_Open):
    total: NonNegativeInt
    failed_predictions: NonNegativeInt = 0
    not_done: NonNegativeInt = 0


class Identity(_Open):
    """A model or judge as the run recorded it (arguments with secrets removed)."""

    name: str
    kind: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    plugin: str | None = None
    version: str | None = None
    hash: str | None = None
    key: str | None = None


class TaskInfo(_Open):
    hash: str
    version: float | str
    path: str | None = None


class RunConfig(_Open):
    """What reproduces the run: versions, model and judges, seed, data, task spec hashes."""

    medgen_version: str | None = None
    python: str | None = None
    plugins: dict[str, str] = Field(default_factory=dict)
    command: str | list[str] | None = None
    model: Identity
    judges: list[Identity] = Field(default_factory=list)
    seed: int
    limit: int | float | None = None  # a count per task, or a fraction of each task (0.5)
    data_root: str | None = None
    predict_only: bool = False
    created: str | None = None
    finished: str | None = None
    warnings: list[str] = Field(default_factory=list)
    tasks: dict[str, TaskInfo] = Field(default_factory=dict)
    data_hashes: dict[str, dict[str, str]] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    metrics_not_installed: dict[str, str] = Field(default_factory=dict)
    aggregation: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_judge_to_list(cls, data: Any) -> Any:
        """Version 0 had ``judge`` (one identity or null) where version 1 has ``judges``."""
        if isinstance(data, dict) and "judges" not in data and "judge" in data:
            data = dict(data)
            judge = data.pop("judge")
            data["judges"] = [judge] if judge else []
        elif isinstance(data, dict) and data.get("judges") is None and "judges" in data:
            data = {**data, "judges": []}
        return data

    @property
    def command_line(self) -> str:
        return self.command if isinstance(self.command, str) else " ".join(self.command or [])


class Partial(BaseModel):
    """Why results were rebuilt from the journals (a run still going, or stopped), and how far it got."""

    reason: str
    predictions: int
    scores: int


class RunResults(_Open):
    """A whole results.json. Build it with :func:`medgen_core.results.load_results`."""

    schema_version: int = 0
    results: dict[str, dict[str, MetricSummary]]
    groups: dict[str, GroupResult] = Field(default_factory=dict)
    holistic: dict[str, Any] = Field(default_factory=dict)
    n_samples: dict[str, SampleCounts] = Field(default_factory=dict)
    usage: dict[str, dict[str, float]] = Field(default_factory=dict)
    versions: dict[str, float | str] = Field(default_factory=dict)
    config: RunConfig
    partial: Partial | None = Field(default=None, exclude=True)  # set by the loader, never in a file
    _result_keys: dict[str, str] | None = PrivateAttr(default=None)

    @property
    def model_name(self) -> str:
        return self.config.model.name

    def result_key(self, task: str) -> str:
        """The key of task ``task`` in ``results``: its name, or its label when a group's filter narrowed it
        (``organ_removal[modality=ct]``); samples.jsonl names the task itself."""
        if self._result_keys is None:
            self._result_keys = {key.split("[", 1)[0]: key for key in self.results}
            self._result_keys.update({key: key for key in self.results})
        return self._result_keys.get(task, task)

    def metrics_of(self, task: str) -> dict[str, MetricSummary]:
        """A task's metric summaries by its name (see :meth:`result_key`); empty when it has none."""
        return self.results.get(self.result_key(task), {})

    def keys(self) -> list[MetricKey]:
        """Every metric key in the task results, parsed, in first-seen order."""
        seen: dict[str, MetricKey] = {}
        for metrics in self.results.values():
            for key, summary in metrics.items():
                if key not in seen:
                    seen[key] = parse_key(key, summary.tier)
        return list(seen.values())

    def rule(self, task: str, key: str) -> tuple[float | None, bool] | None:
        """(threshold, higher_is_better) of ``key`` in ``task``; None when the task has no such metric."""
        summary = self.metrics_of(task).get(key)
        if summary is None:
            return None
        return summary.threshold, summary.higher_is_better
