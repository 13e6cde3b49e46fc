"""Token usage and cost, totalled per model and per judge for results.json."""

from __future__ import annotations

from typing import Any

_COUNTED = ("prompt_tokens", "completion_tokens", "total_tokens", "cost_usd")


class UsageTotals:
    """Sums what models and judges report per call (``usage`` dicts); unknown keys are ignored."""

    def __init__(self) -> None:
        self._totals: dict[str, dict[str, float]] = {}

    def add(self, who: str, usage: dict[str, Any] | None) -> None:
        if not usage:
            return
        total = self._totals.setdefault(who, {"calls": 0, "cached": 0})
        total["calls"] += 1
        total["cached"] += bool(usage.get("cached"))
        for name in _COUNTED:
            value = usage.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[name] = total.get(name, 0) + value

    def totals(self) -> dict[str, dict[str, float]]:
        return {who: dict(sorted(t.items())) for who, t in sorted(self._totals.items())}
