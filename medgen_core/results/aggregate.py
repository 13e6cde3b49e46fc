"""From per-sample scores to the numbers in results.json.

For each metric: the mean over the samples it scored, a 95% percentile
bootstrap interval (1,000 resamples, fixed seed), and the pass rate against
the threshold over every attempted sample. A failed sample (data, model or
metric failure) counts as not passing and in ``n_failed``: it is never
dropped. A sample left out on purpose (a budget was reached) is counted in
``n_not_done`` and in no rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BOOTSTRAP_RESAMPLES = 1000
_BLOCK = 100  # resamples drawn at a time, to bound memory on large groups


def passes(value: float, threshold: float, higher_is_better: bool) -> bool:
    return value >= threshold if higher_is_better else value <= threshold


def bootstrap_ci(values: list[float], seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    import numpy as np

    arr = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = []
    for start in range(0, resamples, _BLOCK):
        block = min(_BLOCK, resamples - start)
        idx = rng.integers(0, len(arr), size=(block, len(arr)))
        means.append(arr[idx].mean(axis=1))
    low, high = np.percentile(np.concatenate(means), [2.5, 97.5])
    return float(low), float(high)


@dataclass
class Column:
    """One metric's values over a task or a group, each sample judged by its own task's threshold."""

    key: str
    tier: str
    higher_is_better: bool
    thresholds: dict[str, float | None] = field(default_factory=dict)  # task -> its threshold
    values: list[float] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)
    n_total: int = 0
    n_not_done: int = 0
    unavailable: str | None = None

    def add(self, task: str, value: float | None, not_done: bool = False) -> None:
        """One sample: its value, or None when it failed (counted, not passing) or was not done."""
        self.n_total += 1
        if not_done:
            self.n_not_done += 1
            return
        if value is None:
            self.passed.append(False)
            return
        self.values.append(value)
        threshold = self.thresholds.get(task)
        self.passed.append(threshold is not None and passes(value, threshold, self.higher_is_better))

    def summary(self, seed: int) -> dict[str, Any]:
        """The results.json entry."""
        n_done = self.n_total - self.n_not_done
        out: dict[str, Any] = {"tier": self.tier, "n": self.n_total}
        if self.unavailable:
            return {**out, "unavailable": self.unavailable, "n_failed": self.n_total}
        thresholds = set(self.thresholds.values())
        out.update(
            mean=None,
            ci_low=None,
            ci_high=None,
            pass_rate=None,
            higher_is_better=self.higher_is_better,
            n_failed=n_done - len(self.values),
            n_not_done=self.n_not_done,
        )
        if len(thresholds) == 1:
            out["threshold"] = thresholds.pop()
        else:  # a group over tasks with different thresholds: each sample met its own task's
            out["thresholds"] = dict(sorted(self.thresholds.items()))
        if self.values:
            out["mean"] = sum(self.values) / len(self.values)
            out["ci_low"], out["ci_high"] = bootstrap_ci(self.values, seed)
        if n_done and any(t is not None for t in self.thresholds.values()):
            out["pass_rate"] = sum(self.passed) / n_done
        return out
