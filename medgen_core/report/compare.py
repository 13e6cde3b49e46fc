"""``medgen compare``: several runs' results side by side (mean and pass rate per task and metric)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medgen_core.types import MedgenError


def load_results(folder: Path) -> dict[str, Any]:
    path = folder / "results.json"
    if not path.is_file():
        raise MedgenError(f"{folder}: no results.json (run `medgen score {folder}` first?)")
    return json.loads(path.read_text(encoding="utf-8"))


def _cell(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return ""
    if "unavailable" in entry:
        return "unavailable"
    if entry.get("mean") is None:
        return "all failed"
    rate = entry.get("pass_rate")
    return f"{entry['mean']:.3g}" + (f" ({100 * rate:.0f}%)" if rate is not None else "")


def comparison_rows(runs: list[dict[str, Any]], include_groups: bool = True) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: one row per (task or group, metric), one column per run."""
    headers = ["task", "metric", *(r["config"]["model"]["name"] for r in runs)]
    keys: list[tuple[str, str, str]] = []
    for kind in ("results", "groups") if include_groups else ("results",):
        for run in runs:
            for name, metrics in run.get(kind, {}).items():
                for metric, entry in metrics.items():
                    if isinstance(entry, dict) and (kind, name, metric) not in keys:
                        keys.append((kind, name, metric))
    rows = []
    for kind, name, metric in keys:
        label = name if kind == "results" else f"**{name}**"
        rows.append([label, metric, *(_cell(r.get(kind, {}).get(name, {}).get(metric)) for r in runs)])
    return headers, rows


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
