"""The failure summary printed after a run's table: what failed, how often, and what to download."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

TOP = 5


def print_failures(results: dict[str, Any], console: Console) -> None:
    summary = results.get("failures") or {}
    reasons = summary.get("by_reason") or []
    if reasons:
        total = summary.get("n_failures", sum(r["count"] for r in reasons))
        console.print(f"[red]failures:[/red] {total} in all, {len(reasons)} distinct reason(s); most frequent:")
        for entry in reasons[:TOP]:
            console.print(f"  {entry['count']:>6} x {escape(entry['reason'])}  (e.g. {escape(str(entry['example']))})")
        if len(reasons) > TOP:
            console.print(f"  ... {len(reasons) - TOP} more in results.json (failures.by_reason) and samples.jsonl")
    for label in summary.get("tasks_all_predictions_failed") or []:
        console.print(f"[red]every prediction failed:[/red] task {escape(label)}")
    for key, why in (summary.get("unavailable_metrics") or {}).items():
        console.print(f"[yellow]unavailable:[/yellow] {escape(key)}: {escape(why)}")
    for group, entry in (results.get("groups") or {}).items():
        if entry.get("empty_tasks"):
            console.print(f"[yellow]empty in group {escape(group)}:[/yellow] {escape(', '.join(entry['empty_tasks']))}")
