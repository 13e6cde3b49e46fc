"""The markdown renderer: tables for papers and READMEs (``medgen report --format md``, ``compare --format md``)."""

from __future__ import annotations

from medgen_core.report.compare import Comparison, Pairing, side_by_side_cell
from medgen_core.report.numbers import cell, interval, p_value, percent, signed
from medgen_core.report.tables import Table
from medgen_core.report.view import RunReport


def table(headers: list[str], rows: list[list[str]]) -> str:
    def clean(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(clean, headers)) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(map(clean, row)) + " |" for row in rows]
    return "\n".join(lines)


class MarkdownRenderer:
    def report(self, report: RunReport) -> str:
        results = report.run.results
        config = results.config
        parts = [f"# medgen report: {results.model_name}", ""]
        parts.append(
            f"Run folder `{report.run.folder}`, {len(report.run.samples)} samples, command `{config.command_line}`."
        )
        if results.partial:
            parts.append(f"\n**Partial results**: {results.partial.reason}.")
        parts.append("\nCells: mean [95% CI] · pass rate.\n")
        for tbl in (report.headline, report.per_task, report.per_modality):
            body = _metric_table(tbl) if tbl.columns else "No metric in this run."
            parts += [f"## {tbl.title}", "", body, ""]
        problems = report.problems
        if not problems.empty:
            parts += ["## Problems", ""]
            for group in problems.unavailable:
                parts.append(f"- `{group.what}` unavailable in {', '.join(group.examples)}: {group.reason}")
            for why in problems.not_installed.values():
                parts.append(f"- not installed: {why}")
            for warning in problems.warnings:
                parts.append(f"- warning: {warning}")
            for group in [*problems.predictions, *problems.scoring, *problems.not_done]:
                where = ", ".join(group.examples) + (", ..." if group.count > len(group.examples) else "")
                parts.append(f"- `{group.what}` x{group.count} ({where}): {group.reason}")
            parts.append("")
        return "\n".join(parts)

    def comparison(self, comparison: Comparison) -> str:
        rows = [
            [name if kind == "task" else f"**{name}**", key, *(side_by_side_cell(c) for c in cells)]
            for kind, name, key, cells in comparison.side_by_side
        ]
        parts = [table(["task", "metric", *comparison.labels], rows)]
        for pairing in comparison.pairings:
            parts += ["", _paired(pairing)]
        return "\n".join(parts) + "\n"


def _metric_table(tbl: Table) -> str:
    rows = [
        [f"**{row.label}**" if row.kind == "group" else row.label, *(cell(row.cells.get(k.key)) for k in tbl.columns)]
        for row in tbl.rows
    ]
    return table(["", *(k.label for k in tbl.columns)], rows)


def _paired(pairing: Pairing) -> str:
    lines = [f"**{pairing.summary}**", ""]
    lines += [f"- differs: {line}" for line in pairing.settings]
    headers = ["task", "metric", "pairs", "B - A [95% CI]", "p (Holm)", "pass A", "pass B", "failed A/B"]
    rows = [
        [
            m.task,
            m.key,
            f"{m.n_both}/{m.n_pairs}",
            f"{signed(m.difference)} {interval(m.ci_low, m.ci_high)}".strip(),
            f"{p_value(m.p)} ({p_value(m.p_holm)})",
            percent(m.pass_a),
            percent(m.pass_b),
            f"{m.failed_only_a}/{m.failed_only_b}",
        ]
        for m in pairing.metrics
    ]
    lines += ["", f"A = {pairing.a}, B = {pairing.b}; mean differences over pairs scored in both runs.", ""]
    lines.append(table(headers, rows))
    if pairing.not_comparable:
        lines += ["", "Not comparable: " + "; ".join(pairing.not_comparable)]
    return "\n".join(lines)
