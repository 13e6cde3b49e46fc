"""What a person sees in the terminal: progress with rate and ETA, tables, the summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

console = Console()
if not console.is_terminal:  # logs and pipes: wide enough that names are not cut
    console = Console(width=200)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A callback ``(task, done, total)`` drawing one bar per task with samples/s and ETA."""
    bars: dict[str, Any] = {}
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:

        def update(task: str, done: int, total: int) -> None:
            if task not in bars:
                bars[task] = progress.add_task(task, total=total, rate="")
            bar = bars[task]
            speed = progress.tasks[bar].speed
            progress.update(bar, completed=done, total=total, rate=f"{speed:.1f}/s" if speed else "")

        yield update


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}%" if pct else f"{value:.4g}"


def print_summary(results: dict[str, Any]) -> None:
    table = Table(title="medgen results", show_lines=False)
    for col in ("task / group", "metric", "n", "failed", "mean", "95% CI", "pass rate"):
        table.add_column(col, justify="left" if col in ("task / group", "metric") else "right")
    for kind in ("results", "groups"):
        for name, metrics in results.get(kind, {}).items():
            label = escape(name) if kind == "results" else f"[bold]{escape(name)}[/bold]"
            shown = False
            for key, m in metrics.items():
                if not isinstance(m, dict):
                    continue
                key = escape(key)  # keys such as "lpips[alex]" are not rich markup
                if "unavailable" in m:
                    table.add_row(label, key, str(m["n"]), str(m["n_failed"]), "unavailable", "", "")
                else:
                    ci = f"[{_fmt(m['ci_low'])}, {_fmt(m['ci_high'])}]" if m["mean"] is not None else "-"
                    table.add_row(
                        label, key, str(m["n"]), str(m["n_failed"]), _fmt(m["mean"]), ci, _fmt(m["pass_rate"], True)
                    )
                label, shown = "", True
            if not shown and kind == "results":
                n = results.get("n_samples", {}).get(name, {})
                table.add_row(
                    label, "(no metrics)", str(n.get("total", "")), str(n.get("failed_predictions", "")), "", "", ""
                )
    console.print(table)
    for warning in results.get("config", {}).get("warnings") or []:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    from medgen_core.report.failures import print_failures

    print_failures(results, console)


def print_rows(title: str, headers: list[str], rows: list[tuple[Any, ...]]) -> None:
    table = Table(title=title)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*(escape(str(cell)) for cell in row))
    console.print(table)


def print_task_errors(errors: list[str]) -> None:
    for error in errors:
        console.print(f"[red]error:[/red] {escape(error)}")
