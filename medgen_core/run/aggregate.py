"""From per-sample scores to the numbers in results.json.

For each metric: the mean over the samples it scored, a 95% percentile
bootstrap interval (1,000 resamples, fixed seed), and the pass rate against
the threshold over ALL samples. A failed sample (model, data or metric
failure) counts as not passing and in ``n_failed``; it is never dropped.
"""

from __future__ import annotations

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


def summarise(
    values: list[float],
    n_total: int,
    threshold: float | None,
    higher_is_better: bool,
    seed: int,
) -> dict[str, Any]:
    """The results.json entry for one metric over ``n_total`` samples, ``values`` for those scored."""
    n_scored = len(values)
    out: dict[str, Any] = {
        "mean": None,
        "ci_low": None,
        "ci_high": None,
        "pass_rate": None,
        "threshold": threshold,
        "higher_is_better": higher_is_better,
        "n": n_total,
        "n_failed": n_total - n_scored,
    }
    if n_scored:
        out["mean"] = sum(values) / n_scored
        out["ci_low"], out["ci_high"] = bootstrap_ci(values, seed)
    if threshold is not None and n_total:
        out["pass_rate"] = sum(passes(v, threshold, higher_is_better) for v in values) / n_total
    return out
