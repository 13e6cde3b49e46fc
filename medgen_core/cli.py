"""The ``medgen`` command line: run, score, ls, validate, plus commands plugins add."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import click

from medgen_core.cli_args import one_kv, pair_judge_args, parse_kv, parse_limit, parse_metric_args
from medgen_core.plugins import get_host
from medgen_core.types import MedgenError

# Exit codes (docs/running.md): 0 done; 1 `medgen validate` found errors; 2 a mistake in the command or its
# inputs (nothing ran); 3 a task's every prediction failed; 4 --strict and a metric was unavailable;
# 130 interrupted (everything computed so far is saved).
EXIT_ALL_FAILED, EXIT_STRICT, EXIT_INTERRUPTED = 3, 4, 130


def task_index(include_paths: tuple[str, ...] = ()):
    from medgen_core.tasks.index import TaskIndex

    folders = [(folder, f"plugin {plugin!r}") for folder, plugin in get_host().task_dirs()]
    return TaskIndex([*folders, *((Path(p), f"--include_path {p}") for p in include_paths)])


class MedgenGroup(click.Group):
    """Turns a user's mistake into one clear line and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedgenError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)
        except OSError as exc:  # a read-only folder, a full disk, a missing file
            where = f": {exc.filename}" if exc.filename else ""
            click.secho(f"error: {exc.strerror or exc}{where}", fg="red", err=True)
            sys.exit(2)


@click.group(cls=MedgenGroup)
@click.version_option(package_name="medgen")
@click.option(
    "--allow_override",
    is_flag=True,
    help="Let a later plugin or task folder replace a model, metric, judge or task name an earlier one defined "
    "(otherwise a clash is an error naming both). Same as MEDGEN_ALLOW_OVERRIDE=1.",
)
@click.pass_context
def cli(ctx: click.Context, allow_override: bool) -> None:
    """medgen: run and score models on MedGEN-Bench."""
    import os

    from medgen_core.plugins import OVERRIDE_ENV

    if allow_override and OVERRIDE_ENV not in os.environ:
        os.environ[OVERRIDE_ENV] = "1"
        ctx.call_on_close(lambda: os.environ.pop(OVERRIDE_ENV, None))  # for this command only (embedding, tests)


@cli.command()
@click.option("--tasks", required=True, help="Comma-separated task names, aliases, groups or YAML paths.")
@click.option("--model", required=True, help="A registered model name, any case (see `medgen ls models`).")
@click.option(
    "--model_args",
    multiple=True,
    help='k=v,k2=v2 passed to the model; a value with a comma: k="a,b" or k=a\\,b. Give it once.',
)
@click.option(
    "--judge",
    multiple=True,
    help="A registered judge (see `medgen ls judges`); repeat for a panel of judges.",
)
@click.option(
    "--judge_args",
    multiple=True,
    help="k=v,k2=v2 for the judge given at the same position (the n-th --judge_args goes to the n-th --judge).",
)
@click.option(
    "--limit",
    type=float,
    default=None,
    help="At most N samples per task, or a fraction 0<x<1 of each task's samples; the same records of a task "
    "whatever else is asked for.",
)
@click.option("--gen_kwargs", default="", help="k=v,... over every task's generation_kwargs (e.g. max_new_tokens=64).")
@click.option("--batch_size", type=click.IntRange(min=1), default=None, help="Passed to the model (its batch size).")
@click.option("--device", default=None, help="Passed to models that take a device (e.g. cuda:0, cpu).")
@click.option("--output_path", type=click.Path(file_okay=False), default=None, help="Run folder (resumable).")
@click.option("--data_root", default=None, help="Dataset folder or Hugging Face id (default: bundled sample).")
@click.option("--include_path", multiple=True, help="Extra folder of task YAMLs (repeatable).")
@click.option(
    "--metric_args",
    multiple=True,
    help="METRIC:k=v,... arguments for a metric in every task (repeatable), e.g. bertscore:model=/path.",
)
@click.option("--predict_only", is_flag=True, help="Save model outputs; score later with `medgen score`.")
@click.option("--seed", type=int, default=1234, show_default=True)
@click.option("--retry_failed", is_flag=True, help="Call the model again for samples that failed before.")
@click.option(
    "--allow_empty",
    is_flag=True,
    help="Run even if a task asked for by name has no samples (it is reported, not an error).",
)
@click.option(
    "--score_after",
    is_flag=True,
    help="Predict every sample and release the model before scoring (a GPU model and GPU scorers never share "
    "the device); by default stages overlap.",
)
@click.option("--strict", is_flag=True, help="Exit with code 4 when a metric is unavailable (e.g. weights missing).")
@click.option(
    "--tune_malloc",
    is_flag=True,
    help="Tune glibc malloc for long scoring runs (one arena, large blocks kept); see docs/running.md.",
)
@click.option("--quiet", is_flag=True, help="No progress bar or summary table.")
def run(**opts: Any) -> None:
    """Run a model on tasks; outputs and scores go to the run folder as they are produced."""
    from medgen_core.data.official import unknown_manifest_tasks
    from medgen_core.data.roots import resolve_data_root
    from medgen_core.data.source import data_root_notes
    from medgen_core.run.config import RunSettings
    from medgen_core.run.runner import Runner

    host = get_host()
    index = task_index(opts["include_path"])
    selection = index.select(opts["tasks"].split(","))
    for metric, args in parse_metric_args(opts["metric_args"]):
        host.metric(metric)  # an unknown metric fails here, with a suggestion
        selection = selection.with_metric_args(metric, args)
    selection = selection.with_gen_kwargs(parse_kv(opts["gen_kwargs"], "--gen_kwargs"))
    model = host.model(opts["model"]).name  # unknown name: fail before any work, with a suggestion
    judges = judge_choices(opts["judge"], opts["judge_args"])
    model_args = one_kv(opts["model_args"], "--model_args")
    runtime = {k: opts[k] for k in ("batch_size", "device") if opts[k] is not None}
    notes = data_root_notes(selection.tasks, opts["data_root"])  # --data_root chooses the layout tasks' data only
    data_root = resolve_data_root(opts["data_root"])
    limit = parse_limit(opts["limit"])
    output = Path(opts["output_path"]) if opts["output_path"] else default_run_folder(opts, model, model_args, limit)
    settings = RunSettings(
        selection=selection,
        model=model,
        model_args=model_args,
        judges=judges,
        output_path=output,
        data_root=data_root,
        limit=limit,
        allow_empty=opts["allow_empty"],
        strict=opts["strict"],
        score_after=opts["score_after"],
        runtime_args=runtime,
        predict_only=opts["predict_only"],
        seed=opts["seed"],
        retry_failed=opts["retry_failed"],
        tune_malloc=opts["tune_malloc"],
        command=["medgen", *sys.argv[1:]],
        warnings=unknown_manifest_tasks(data_root, [spec for spec, _ in index.tasks.values()]) + notes,
    )
    _execute(lambda progress: Runner(settings, host, progress).run(), output, opts["quiet"], opts["strict"])


@cli.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--judge", multiple=True, help="Add a judge to the run's panel (repeatable); it grades every answer.")
@click.option("--judge_args", multiple=True, help="k=v,... for the --judge at the same position.")
@click.option("--quiet", is_flag=True)
def score(run_dir: str, judge: tuple[str, ...], judge_args: tuple[str, ...], quiet: bool) -> None:
    """Recompute every metric of a run from its saved outputs, without calling the model.

    Saved judge verdicts are kept; judges given with --judge grade what they have not graded yet.
    """
    from medgen_core.run.rescore import rescore

    choices = judge_choices(judge, judge_args)
    _execute(lambda progress: rescore(Path(run_dir), get_host(), choices, progress), Path(run_dir), quiet)


def judge_choices(names: tuple[str, ...], args: tuple[str, ...]) -> list[Any]:
    """Each ``--judge`` with the ``--judge_args`` at the same position; unknown names fail here."""
    from medgen_core.run.config import JudgeChoice

    host = get_host()
    return [JudgeChoice(host.judge(name).name, kv) for name, kv in pair_judge_args(names, args)]


@cli.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--no_groups", is_flag=True, help="Tasks only in the side-by-side table.")
@click.option(
    "--format", "fmt", default="console", show_default=True, help="console, md, html, or a format a plugin adds."
)
@click.option("-o", "--output", default=None, help="Write the chosen format to this file instead of the terminal.")
@click.option("--html", "html_file", default=None, help="Also write the comparison as one HTML page to this file.")
def compare(run_dirs: tuple[str, ...], no_groups: bool, fmt: str, output: str | None, html_file: str | None) -> None:
    """Compare runs: side by side, and each against the first on their shared samples (paired bootstrap
    intervals, Wilcoxon signed-rank tests Holm-corrected across tasks). See docs/reports.md."""
    from medgen_core.report.output import render_comparison_as, write_comparison

    text, written, comparison = write_comparison([Path(d) for d in run_dirs], fmt, output, not no_groups)
    if written is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        click.echo(f"comparison: {written}")
    if html_file:
        click.echo(f"comparison: {render_comparison_as(comparison, 'html', Path(html_file))}")


@cli.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", default=None, help="File to write (default RUN_DIR/report.<ext>; '-': the terminal).")
@click.option(
    "--format", "fmt", default="html", show_default=True, help="html, md, console, or a format a plugin adds."
)
def report(run_dir: str, output: str | None, fmt: str) -> None:
    """Write a report of a run: one self-contained HTML page by default, with tables, plots and a gallery.

    A run still in progress (or stopped) is reported from its journals, and the report says so.
    """
    from medgen_core.report.output import write_report

    text, written = write_report(Path(run_dir), fmt, output)
    if written is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        click.echo(f"report: {written}")


def _execute(job: Any, output: Path, quiet: bool, strict: bool = False) -> None:
    """Run ``job`` with a progress bar and the summary; Ctrl-C says how to resume; the exit code says how it went."""
    from medgen_core.report.console import print_summary, progress_bar

    try:
        if quiet:
            results = job(None)
        else:
            with progress_bar() as progress:
                results = job(progress)
    except KeyboardInterrupt:
        click.secho(
            f"\ninterrupted: everything computed so far is saved in {output}; run the same command again to resume "
            "(nothing is asked twice)",
            fg="yellow",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    if "results" not in results:  # a data-parallel rank other than 0: rank 0 merges and reports
        click.echo(f"rank {results['rank']} of {results['world']}: share done; rank 0 writes {output}/results.json")
        return
    if not quiet:
        print_summary(results)
    click.echo(f"results: {output / 'results.json'}")
    failures = results.get("failures") or {}
    if failures.get("tasks_all_predictions_failed"):
        click.secho(f"every prediction failed for: {', '.join(failures['tasks_all_predictions_failed'])}", err=True)
        sys.exit(EXIT_ALL_FAILED)
    if strict and failures.get("unavailable_metrics"):
        click.secho(f"--strict: unavailable metrics: {', '.join(failures['unavailable_metrics'])}", err=True)
        sys.exit(EXIT_STRICT)


def default_run_folder(opts: dict[str, Any], model: str, model_args: dict[str, Any], limit: Any) -> Path:
    """runs/<model>-<hash of what defines the run>: the same command resumes the same folder."""
    from medgen_core.secrets import redact

    ident = repr(
        (
            opts["tasks"],
            model,
            sorted(redact(model_args).items()),
            opts["seed"],
            opts["data_root"],
            limit,
            opts["gen_kwargs"],
            sorted(opts["metric_args"]),
        )
    )
    return Path("runs") / f"{model}-{hashlib.sha256(ident.encode()).hexdigest()[:10]}"


@cli.group()
def ls() -> None:
    """List plugins, tasks, models, metrics or judges."""


@ls.command("plugins")
def ls_plugins() -> None:
    from medgen_core.report.console import print_rows, print_task_errors

    host = get_host()
    rows = [
        (r.name, r.version, ", ".join(r.hooks) or "-", "builtin" if r.builtin else "installed", r.error or "")
        for r in host.records.values()
    ]
    print_rows("plugins", ["name", "version", "hooks", "kind", "error"], rows)
    print_task_errors(host.clashes())


@ls.command("models")
def ls_models() -> None:
    from medgen_core.report.console import print_rows

    rows = [(m.name, ", ".join(sorted(m.capabilities)), m.plugin, m.description) for m in get_host().models.values()]
    print_rows("models", ["name", "capabilities", "plugin", "description"], rows)


@ls.command("metrics")
def ls_metrics() -> None:
    from medgen_core.report.console import print_rows

    rows = [
        (m.name, m.tier, "higher" if m.higher_is_better else "lower", str(m.threshold), m.reads, m.plugin)
        for m in get_host().metrics.values()
    ]
    print_rows("metrics", ["name", "tier", "better", "threshold", "reads", "plugin"], rows)


@ls.command("judges")
def ls_judges() -> None:
    from medgen_core.report.console import print_rows

    rows = [(j.name, j.plugin, j.description) for j in get_host().judges.values()]
    print_rows("judges", ["name", "plugin", "description"], rows)


@ls.command("tasks")
@click.option("--data_root", default=None, help="Count records in this dataset (default: bundled sample).")
@click.option("--include_path", multiple=True)
def ls_tasks(data_root: str | None, include_path: tuple[str, ...]) -> None:
    from medgen_core.report.console import print_rows, print_task_errors
    from medgen_core.report.listing import group_rows, task_rows

    index = task_index(include_path)
    rows, warnings = task_rows(index, data_root)
    print_rows("tasks", ["task", "format", "output", "filter", "records", "aliases"], rows)
    print_rows("groups", ["group", "tasks", "filter"], group_rows(index))
    print_task_errors(index.errors + list(index.clashes.values()) + warnings)
    for line in index.overridden:
        click.secho(f"warning: {line}", fg="yellow", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--data_root", default=None, help="Render prompts against records of this dataset (default: the sample).")
def validate(paths: tuple[str, ...], data_root: str | None) -> None:
    """Check task and group YAML files (keys, includes, metrics, prompts on real records) without running a model."""
    from medgen_core.data.roots import resolve_data_root
    from medgen_core.data.validate import validate_paths

    problems, checked = validate_paths([Path(p) for p in paths], get_host(), resolve_data_root(data_root))
    for line in problems:
        click.secho(line, fg="red" if line.startswith("error") else "yellow", err=True)
    errors = sum(1 for line in problems if line.startswith("error"))
    click.echo(f"checked {checked} file(s): {errors} error(s)")
    if errors:
        sys.exit(1)


def _add_plugin_commands() -> None:
    get_host().add_commands(cli)


def main() -> None:
    _add_plugin_commands()
    cli(prog_name="medgen")
