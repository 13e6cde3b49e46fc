"""The console renderer: a run's summary and a comparison as rich tables (what ``medgen run`` ends with)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from medgen_core.report.compare import Comparison, side_by_side_cell
from medgen_core.report.numbers import interval, number, p_value, percent, signed
from medgen_core.report.view import RunReport
from medgen_core.results import RunResults

WIDTH = 200


def summary_table(results: RunResults) -> Table:
    """One row per task (then group) and metric: n, failed, not done, mean, 95% CI, pass rate."""
    table = Table(title="medgen results", show_lines=False)
    for col in ("task / group", "metric", "n", "failed", "not done", "mean", "95% CI", "pass rate"):
        table.add_column(col, justify="left" if col in ("task / group", "metric") else "right")
    sections = [(name, metrics, False) for name, metrics in results.results.items()]
    sections += [(name, group.metrics, True) for name, group in results.groups.items()]
    for name, metrics, is_group in sections:
        label = f"[bold]{escape(name)}[/bold]" if is_group else escape(name)
        for key, m in metrics.items():
            key = escape(key)  # keys such as "lpips[alex]" are not rich markup
            counts = (str(m.n), str(m.n_failed), str(m.n_not_done))
            if m.unavailable:
                table.add_row(label, key, *counts, "unavailable", "", "")
            else:
                ci = interval(m.ci_low, m.ci_high) or "-"
                table.add_row(label, key, *counts, number(m.mean), ci, percent(m.pass_rate))
            label = ""
        if not metrics and not is_group:
            n = results.n_samples.get(name)
            total, failed = (str(n.total), str(n.failed_predictions)) if n else ("", "")
            table.add_row(label, "(no metrics)", total, failed, "", "", "", "")
    return table


def notes(results: RunResults) -> list[str]:
    """Warnings, metrics not installed, and a partial run's reason, as rich markup lines."""
    lines = [f"[yellow]warning:[/yellow] {escape(w)}" for w in results.config.warnings]
    lines += [f"[yellow]skipped:[/yellow] {escape(why)}" for why in results.config.metrics_not_installed.values()]
    if results.partial:
        lines.append(f"[yellow]partial:[/yellow] {escape(results.partial.reason)}")
    return lines


class ConsoleRenderer:
    """Plain-text tables, for the terminal or a text file."""

    def report(self, report: RunReport) -> str:
        console, out = _capture()
        console.print(summary_table(report.run.results))
        for line in notes(report.run.results):
            console.print(line)
        problems = report.problems
        for group in [*problems.predictions, *problems.scoring]:
            console.print(f"[red]failed[/red] {escape(group.what)} x{group.count}: {escape(group.reason)}")
        return out.getvalue()

    def comparison(self, comparison: Comparison) -> str:
        console, out = _capture()
        table = Table(title="side by side: mean (pass rate)")
        for header in ("task / group", "metric", *comparison.labels):
            table.add_column(escape(header))
        for kind, name, key, cells in comparison.side_by_side:
            label = f"[bold]{escape(name)}[/bold]" if kind == "group" else escape(name)
            table.add_row(label, escape(key), *(side_by_side_cell(c) for c in cells))
        console.print(table)
        for pairing in comparison.pairings:
            console.print(escape(pairing.summary))
            for line in pairing.settings:
                console.print(f"  [yellow]differs:[/yellow] {escape(line)}")
            console.print(_paired_table(pairing))
            for line in pairing.not_comparable:
                console.print(f"  not comparable: {escape(line)}")
        return out.getvalue()


def _paired_table(pairing: Any) -> Table:
    table = Table(title=f"{escape(pairing.b)} - {escape(pairing.a)}, paired (Holm across tasks)")
    headers = ("task", "metric", "pairs", "A", "B", "B - A [95% CI]", "p (Holm)", "pass A", "pass B", "failed A/B")
    for header in (*headers, "better"):
        table.add_column(header, justify="left" if header in ("task", "metric") else "right")
    for m in pairing.metrics:
        table.add_row(
            escape(m.task),
            escape(m.key),
            f"{m.n_both}/{m.n_pairs}",
            number(m.mean_a),
            number(m.mean_b),
            f"{signed(m.difference)} {interval(m.ci_low, m.ci_high)}",
            f"{p_value(m.p)} ({p_value(m.p_holm)})",
            percent(m.pass_a),
            percent(m.pass_b),
            f"{m.failed_only_a}/{m.failed_only_b}",
            {"A": escape(pairing.a), "B": escape(pairing.b)}.get(m.better or "", ""),
        )
    return table


def _capture() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=WIDTH, force_terminal=False, color_system=None), out
