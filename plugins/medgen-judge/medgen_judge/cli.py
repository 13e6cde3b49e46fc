"""``medgen calibrate RUN_DIR RATINGS.csv``: agreement of a run's judge scores with human ratings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("ratings", type=click.Path(exists=True, dir_okay=False))
@click.option("--judge", "judge_key", default=None, help="Only this judge key (default: every judge in the run).")
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="Default: RUN_DIR/calibration.json.")
def calibrate(run_dir: str, ratings: str, judge_key: str | None, output: str | None) -> None:
    """Agreement between the run's judge scores and human ratings (CSV: task,id,dimension,score[,rater][,mode])."""
    from medgen_judge.calibrate import calibrate as compute

    report = compute(Path(run_dir), Path(ratings), judge_key)
    target = Path(output) if output else Path(run_dir) / "calibration.json"
    target.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print_report(report)
    click.echo(f"calibration: {target}")


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"judge vs {len(report['raters'])} human rater(s), {report['n_ratings']} ratings")
    for column in ("judge", "mode", "dimension", "n", "pearson r", "spearman rho", "kappa (quadr.)", "ICC humans"):
        table.add_column(column, justify="right" if column not in ("judge", "mode", "dimension") else "left")
    table.add_column("ICC + judge", justify="right")
    for row in report["rows"]:
        table.add_row(
            escape(row["judge"]),
            row["mode"],
            escape(row["dimension"]),
            str(row["n"]),
            _fmt(row["pearson"] and row["pearson"]["r"]),
            _fmt(row["spearman"] and row["spearman"]["rho"]),
            _fmt(row["kappa_quadratic"]),
            _fmt(row["icc_humans"] and row["icc_humans"]["icc2_1"]),
            _fmt(row["icc_with_judge"] and row["icc_with_judge"]["icc2_1"]),
        )
    console = Console()
    if not console.is_terminal:  # logs and pipes: wide enough that names are not cut (as the core does)
        console = Console(width=200)
    console.print(table)
    for label in ("judge_failures", "not_judged"):
        if report[label]:
            console.print(f"{label.replace('_', ' ')}: " + escape(json.dumps(report[label])))
    if report["unmatched_ratings"]:
        console.print(f"{report['unmatched_ratings']} rated sample/dimension(s) have no judge score in this run")


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"
