"""``medgen build``: the click command (registered on the ``medgen`` group through the core hook)."""

from __future__ import annotations

from pathlib import Path

import click


def sample_benchmark_dir() -> Path:
    """The source tree's ``sample_benchmark/`` folder (sources in, bundled sample out)."""
    from medgen_core import sample_benchmark_dir

    return sample_benchmark_dir()


@click.command("build", help="Build a MedGEN-Bench-style dataset from source images (the four-stage pipeline).")
@click.option(
    "--sources",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of source images with manifest.csv or PROVENANCE.csv [default: bundled sources].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output dataset folder [default: the bundled sample_benchmark/medgen-sample, and its "
    "CHECKSUMS.sha256 is refreshed].",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed; the same seed gives identical files.")
@click.option("--per-task", type=click.IntRange(min=1), default=10, show_default=True, help="Records per task.")
@click.option(
    "--max-size",
    type=click.IntRange(min=32, max=4096),
    default=256,
    show_default=True,
    help="Longest image side in pixels.",
)
@click.option("--vlm-filter", metavar="MODEL", default=None, help="Stage 1: confirm each source with this VLM.")
@click.option("--llm-augment", metavar="MODEL", default=None, help="Stage 3: rewrite instructions with this LLM.")
@click.option("--vlm-review", metavar="MODEL", default=None, help="Stage 4: review each record with this VLM.")
def build_command(sources, out, seed, per_task, max_size, vlm_filter, llm_augment, vlm_review) -> None:
    from medgen_build.pipeline import BuildOptions, build
    from medgen_core.types import MedgenError

    base = sample_benchmark_dir()
    bundled = out is None
    opts = BuildOptions(
        sources=sources or base / "sources",
        out=out or base / "medgen-sample",
        seed=seed,
        per_task=per_task,
        max_size=max_size,
        vlm_filter=vlm_filter,
        llm_augment=llm_augment,
        vlm_review=vlm_review,
    )
    try:
        report = build(opts)
    except MedgenError as exc:
        raise click.ClickException(str(exc)) from None
    if bundled:  # the committed sample: refresh the checksums its test compares against
        from medgen_build.checksums import checksums

        (base / "CHECKSUMS.sha256").write_text(checksums(report.out), encoding="utf-8")
    total = sum(report.counts.values())
    click.echo(f"wrote {total} records in {len(report.counts)} tasks to {report.out} ({report.seconds:.1f} s)")
    for name, n in report.counts.items():
        click.echo(f"  {name}: {n}")
    click.echo("modalities: " + ", ".join(f"{m} {n}" for m, n in report.modalities.items()))
    if report.rejected_sources:
        click.echo(f"sources rejected by the filter: {len(report.rejected_sources)}")
    if report.failed_review:
        click.echo(f"records that failed review (left out): {len(report.failed_review)}")
