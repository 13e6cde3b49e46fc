"""Paired statistics for ``medgen compare``: bootstrap intervals, Wilcoxon signed-rank, Holm's correction.

scipy is imported at first use only (``import medgen_core`` never loads it).
"""

from __future__ import annotations

import warnings

from medgen_core.results.aggregate import bootstrap_ci


def paired_interval(differences: list[float], seed: int) -> tuple[float | None, float | None]:
    """95% percentile bootstrap interval of the mean paired difference (pairs resampled together)."""
    if not differences:
        return None, None
    return bootstrap_ci(differences, seed)


def wilcoxon_p(differences: list[float]) -> float | None:
    """Two-sided p of the Wilcoxon signed-rank test on paired differences (zero differences dropped).

    None with no pairs; 1.0 when every difference is zero (nothing to rank: no evidence of a difference).
    """
    if not differences:
        return None
    if all(d == 0 for d in differences):
        return 1.0
    from scipy.stats import wilcoxon

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns that small samples use the exact or normal approximation
        return float(wilcoxon(differences, zero_method="wilcox", alternative="two-sided").pvalue)


def holm(pvalues: list[float | None]) -> list[float | None]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone); None entries are not in the family."""
    family = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(family):
        running = max(running, min(1.0, (len(family) - rank) * p))
        adjusted[i] = running
    return adjusted
