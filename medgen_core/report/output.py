"""From run folders to a written report or comparison: load, pick the renderer, render, write."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from medgen_core.report.renderers import get_renderer
from medgen_core.results import load_run

STDOUT = "-"


def write_report(run_dir: Path, fmt: str = "html", output: str | None = None) -> tuple[str, Path | None]:
    """Render ``run_dir`` as ``fmt``; write it to ``output`` (default ``RUN_DIR/report.<ext>``; ``-`` and the
    console format without ``output``: returned for stdout). Returns (text, the file written or None)."""
    from medgen_core.report.view import RunReport

    info = get_renderer(fmt, "report")
    to_stdout = output == STDOUT or (output is None and fmt == "console")
    target = None if to_stdout else Path(output) if output else run_dir / f"report.{info.extension}"
    with no_gc_pauses():
        text = info.renderer.report(RunReport(load_run(run_dir), target))
    if target is not None:
        _write(target, text)
    return text, target


def write_comparison(
    run_dirs: list[Path], fmt: str = "console", output: str | None = None, include_groups: bool = True
) -> tuple[str, Path | None, object]:
    """Render the comparison of ``run_dirs`` as ``fmt`` to ``output`` (None or ``-``: stdout)."""
    from medgen_core.report.compare import compare

    info = get_renderer(fmt, "comparison")
    with no_gc_pauses():
        comparison = compare([load_run(d) for d in run_dirs], include_groups)
        text = info.renderer.comparison(comparison)
    target = None if output in (None, STDOUT) else Path(output)
    if target is not None:
        _write(target, text)
    return text, target, comparison


def render_comparison_as(comparison: object, fmt: str, output: Path) -> Path:
    """The same comparison in a second format (``compare --html FILE``)."""
    info = get_renderer(fmt, "comparison")
    _write(output, info.renderer.comparison(comparison))
    return output


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Without this, the cyclic collector walks every loaded sample again and again as a report of many
    thousand samples is built (time grew faster than the samples); the report makes no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(path: Path, text: str) -> None:
    from medgen_core.run.journal import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
