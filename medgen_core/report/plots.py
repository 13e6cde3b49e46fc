"""Inline SVG plots for the HTML report: no plotting library, no network, a few KB each.

``histogram``: a metric's score distribution with its threshold as a dashed
line and the passing side shaded; ``bars``: one horizontal bar per label (pass
rates per task or per modality).
"""

from __future__ import annotations

from html import escape

from medgen_core.report.numbers import number, percent

WIDTH = 320
_BINS = 20
_PASS = "#2e7d32"
_FAIL = "#9e9e9e"
_LINE = "#c62828"
_TITLE_CHARS = 50


def histogram(title: str, values: list[float], threshold: float | None, higher_is_better: bool) -> str:
    """Counts of ``values`` in equal bins between their minimum and maximum (and the threshold)."""
    height, left, bottom, top = 150, 34, 24, 22
    if not values:
        return _frame(title, 60, '<text x="10" y="40" class="muted">no scored samples</text>')
    low, high = min(values), max(values)
    if threshold is not None:
        low, high = min(low, threshold), max(high, threshold)
    if high == low:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / _BINS
    counts = [0] * _BINS
    for value in values:
        counts[min(_BINS - 1, int((value - low) / width))] += 1
    plot_w, plot_h = WIDTH - left - 8, height - top - bottom
    peak = max(counts)

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * plot_w

    parts = []
    for i, count in enumerate(counts):
        if not count:
            continue
        centre = low + (i + 0.5) * width
        ok = threshold is not None and (centre >= threshold if higher_is_better else centre <= threshold)
        bar_h = count / peak * plot_h
        parts.append(
            f'<rect x="{x(low + i * width):.1f}" y="{top + plot_h - bar_h:.1f}" width="{plot_w / _BINS - 1:.1f}" '
            f'height="{bar_h:.1f}" fill="{_PASS if ok else _FAIL}"><title>{count}</title></rect>'
        )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>')
    parts.append(f'<text x="{left}" y="{height - 8}" class="tick">{number(low)}</text>')
    parts.append(f'<text x="{left + plot_w}" y="{height - 8}" class="tick" text-anchor="end">{number(high)}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + 8}" class="tick" text-anchor="end">{peak}</text>')
    if threshold is not None:
        tx = x(threshold)
        label_x = min(max(tx, left + 14), left + plot_w - 14)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{top + plot_h}" stroke="{_LINE}" '
            f'stroke-dasharray="4 3" stroke-width="1.5"/>'
            f'<text x="{label_x:.1f}" y="{top - 7}" class="tick" text-anchor="middle" fill="{_LINE}">'
            f"{'≥' if higher_is_better else '≤'} {number(threshold)}</text>"
        )
    return _frame(title, height, "".join(parts), f"{len(values)} scored samples")


def bars(title: str, rows: list[tuple[str, float | None]]) -> str:
    """One bar per (label, rate in 0-1); None draws no bar and says so."""
    row_h, left, top = 16, 150, 22
    height = top + row_h * len(rows) + 8
    plot_w = WIDTH - left - 44
    parts = []
    for i, (label, rate) in enumerate(rows):
        y = top + i * row_h
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            f'<text x="{left - 4}" y="{y + 11}" class="tick" text-anchor="end"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
        if rate is None:
            parts.append(f'<text x="{left + 2}" y="{y + 11}" class="tick muted">no threshold</text>')
            continue
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{max(rate * plot_w, 0.5):.1f}" height="{row_h - 5}" '
            f'fill="{_PASS}"><title>{escape(label)}: {percent(rate)}</title></rect>'
            f'<text x="{left + rate * plot_w + 3:.1f}" y="{y + 11}" class="tick">{percent(rate)}</text>'
        )
    return _frame(title, height, "".join(parts))


def _frame(title: str, height: int, body: str, caption: str = "") -> str:
    shown = title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1] + "…"
    caption_svg = (
        f'<text x="{WIDTH / 2}" y="{height - 8}" class="tick muted" text-anchor="middle">{escape(caption)}</text>'
        if caption
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">'
        f'<text x="4" y="13" class="plot-title"><title>{escape(title)}</title>{escape(shown)}</text>'
        f"{caption_svg}{body}</svg>"
    )
