"""What a person sees in the terminal: progress with rate and ETA, tables, the summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from medgen_core.results import RunResults

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


def print_summary(results: dict[str, Any] | RunResults) -> None:
    """The summary table a run ends with (results.json's content, or its typed form)."""
    from medgen_core.report.failures import print_failures
    from medgen_core.report.terminal import notes, summary_table
    from medgen_core.results import RunResults, parse_results

    typed = results if isinstance(results, RunResults) else parse_results(results, "results")
    console.print(summary_table(typed))
    for line in notes(typed):
        console.print(line)
    print_failures(results if isinstance(results, dict) else typed.model_dump(mode="json"), console)


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
