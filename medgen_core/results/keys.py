"""What a metric key in results says about itself: its tier, and for the holistic tier its judge and mode.

Keys are written by the core as the metric names them (``ssim``, ``lpips[alex]``,
``bertscore_f1[all-MiniLM-L6-v2@L6]``) and, for judges, ``judge:<judge key>[<mode>]``,
with ``judge:panel[<mode>]`` for the mean of a panel. Results written before
summaries carried ``tier`` used ``judge_overall[<mode>]``; both are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIERS = ("pixel", "text", "holistic")
PANEL = "panel"
LEGACY_JUDGE = "judge"  # the one judge of results written before panels
MODE_LABELS = {"with_reference": "with reference", "without_reference": "without reference"}

_JUDGE = re.compile(r"^judge:(?P<judge>.+)\[(?P<mode>[^\[\]]+)\]$")
_LEGACY = re.compile(r"^judge_overall\[(?P<mode>[^\[\]]+)\]$")
_PIXEL_BASES = ("ssim", "psnr", "lpips")


@dataclass(frozen=True)
class MetricKey:
    key: str
    tier: str
    judge: str | None = None  # holistic only: the judge's key, "panel", or "judge" for legacy results
    mode: str | None = None  # holistic only: with_reference | without_reference

    @property
    def base(self) -> str:
        """The name before any bracketed arguments: ``lpips[alex]`` -> ``lpips``."""
        return self.key.split("[", 1)[0]

    @property
    def is_panel(self) -> bool:
        return self.judge == PANEL

    @property
    def label(self) -> str:
        """A short human label: ``holistic (panel, with reference)`` for judges, the key otherwise."""
        if self.tier != "holistic" or self.mode is None:
            return self.key
        mode = MODE_LABELS.get(self.mode, self.mode)
        who = "" if self.judge == LEGACY_JUDGE else f"{self.judge}, "
        return f"holistic ({who}{mode})"


def parse_key(key: str, tier: str | None = None) -> MetricKey:
    """Read a results key; ``tier`` (from the summary) wins over what the name suggests."""
    found = _JUDGE.match(key)
    if found:
        return MetricKey(key, tier or "holistic", found["judge"], found["mode"])
    found = _LEGACY.match(key)
    if found:
        return MetricKey(key, tier or "holistic", LEGACY_JUDGE, found["mode"])
    if tier is None:
        tier = "pixel" if key.lower().startswith(_PIXEL_BASES) else "text"
    return MetricKey(key, tier)
