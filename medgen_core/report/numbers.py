"""How numbers read in every renderer: 3 significant digits, rates in percent, intervals in brackets."""

from __future__ import annotations

from medgen_core.results import MetricSummary


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}"


def percent(rate: float | None) -> str:
    if rate is None:
        return "-"
    return f"{100 * rate:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"[{number(low)}, {number(high)}]"


def cell(summary: MetricSummary | None, with_ci: bool = True) -> str:
    """One metric in one cell: ``0.823 [0.70, 0.91] · 74%``, or why there is no number."""
    if summary is None:
        return ""
    if summary.unavailable:
        return "unavailable"
    if summary.mean is None:
        return "not done" if summary.n_not_done == summary.n else "all failed"
    text = number(summary.mean)
    if with_ci and summary.ci_low is not None:
        text += f" {interval(summary.ci_low, summary.ci_high)}"
    if summary.pass_rate is not None:
        text += f" · {percent(summary.pass_rate)}"
    return text


def signed(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:+.3g}"


def p_value(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def signed_points(value: float | None) -> str:
    """A difference of two rates, in percentage points."""
    if value is None:
        return "-"
    return f"{100 * value:+.1f} pts"


def interval_points(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"[{100 * low:+.1f}, {100 * high:+.1f}]"
