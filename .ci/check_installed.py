"""Checks medgen as installed from wheels against the checkout's editable install (run by .ci/wheels.sh).

``describe`` (run by either environment's Python) prints, as JSON, where
medgen_core was imported from and what the plugin host found: plugins with
their load errors, models, metrics, judges, tasks and groups. ``check`` (run
by the wheel environment's Python, outside the source tree) compares its own
description with the checkout's, runs ``medgen ls ...`` and ``python -m
medgen_core``, and compares the main job's results.json with the checkout's.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def describe() -> dict:
    import medgen_core
    from medgen_core.plugins import get_host
    from medgen_core.tasks.index import TaskIndex

    host = get_host()
    index = TaskIndex(host.task_dirs())
    return {
        "medgen_core": medgen_core.__file__,
        "entry_points": sorted(ep.name for ep in metadata.entry_points(group="medgen")),
        "plugin_errors": {name: record.errors for name, record in host.records.items()},
        "clashes": host.clashes() + list(index.clashes.values()),
        "models": sorted(host.models),
        "metrics": sorted(host.metrics),
        "judges": sorted(host.judges),
        "tasks": sorted(index.tasks),
        "groups": sorted(index.groups),
        "task_errors": index.errors,
    }


def fail(message: str) -> None:
    sys.exit(f"wheel check FAILED: {message}")


def medgen(*args: str) -> str:
    command = [str(Path(sys.executable).parent / "medgen"), *args]
    out = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"})
    if out.returncode != 0:
        fail(f"`medgen {' '.join(args)}` exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def check_host(mine: dict, checkout: dict, repo: Path) -> None:
    if Path(mine["medgen_core"]).resolve().is_relative_to(repo) or not mine["medgen_core"].startswith(sys.prefix):
        fail(f"medgen_core was imported from {mine['medgen_core']}, not from the wheel environment {sys.prefix}")
    broken = {name: error for name, error in mine["plugin_errors"].items() if error}
    if broken:
        fail(f"plugins failed to load: {broken}")
    not_loaded = set(mine["entry_points"]) - set(mine["plugin_errors"])
    if not_loaded:
        fail(f"installed plugins missing from the host: {sorted(not_loaded)}")
    if "hello" not in mine["entry_points"]:
        fail("examples/medgen-hello is not installed")
    if mine["clashes"]:
        fail(f"name clashes: {mine['clashes']}")
    if mine["task_errors"]:
        fail(f"task YAML errors: {mine['task_errors']}")
    for kind in ("models", "metrics", "judges", "tasks", "groups"):
        missing = set(checkout[kind]) - set(mine[kind])
        if missing:
            fail(f"{kind} the checkout has but the wheels do not: {sorted(missing)}")
    for kind, name in (("models", "echo"), ("metrics", "word_overlap"), ("judges", "keyword"), ("tasks", "hello_qa")):
        if name not in mine[kind]:
            fail(f"medgen-hello's {kind[:-1]} {name!r} is missing")


def check_listings(mine: dict) -> None:
    listings = {kind: medgen("ls", kind) for kind in ("plugins", "tasks", "models", "metrics")}
    for kind, names in (("plugins", mine["entry_points"]), ("tasks", mine["tasks"] + mine["groups"])):
        missing = [name for name in names if name not in listings[kind]]
        if missing:
            fail(f"`medgen ls {kind}` does not list {missing}")
    for kind in ("models", "metrics"):
        missing = [name for name in mine[kind] if name not in listings[kind]]
        if missing:
            fail(f"`medgen ls {kind}` does not list {missing}")
    help_text = subprocess.run([sys.executable, "-m", "medgen_core", "--help"], capture_output=True, text=True)
    if help_text.returncode != 0 or "run" not in help_text.stdout:
        fail(f"`python -m medgen_core --help` failed: {help_text.stderr}")


def check_results(run_dir: Path, checkout_run: Path, summary: str) -> None:
    """Every task ran with no failed sample, and every number equals the checkout's run of the same job."""
    mine, theirs = (json.loads((d / "results.json").read_text()) for d in (run_dir, checkout_run))
    if "medgen results" not in summary or "results:" not in summary:
        fail("the run printed no summary table")
    if set(mine["n_samples"]) != set(theirs["n_samples"]) or len(mine["n_samples"]) < 16:
        fail(f"tasks run: {sorted(mine['n_samples'])}, checkout: {sorted(theirs['n_samples'])}")
    failed = {task: c["failed_predictions"] for task, c in mine["n_samples"].items() if c["failed_predictions"]}
    if failed:
        lines = (json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines())
        errors = [f"{p['task']}/{p['id']}: {p.get('error')}" for p in lines if p.get("error")][:5]
        fail(f"failed predictions: {failed}; first errors:\n" + "\n".join(errors))
    if "medgen" not in mine["groups"]:
        fail("the medgen group has no aggregate")
    for section in ("results", "groups"):
        if not _same(mine[section], theirs[section]):
            fail(f"{section} differ from the checkout's run: {mine[section]} vs {theirs[section]}")


def _same(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def main() -> None:
    if sys.argv[1] == "describe":
        print(json.dumps(describe()))
        return
    _, _, repo, checkout_json, run_dir, checkout_run, summary_file = sys.argv
    mine = describe()
    checkout = json.loads(Path(checkout_json).read_text())
    check_host(mine, checkout, Path(repo).resolve())
    check_listings(mine)
    check_results(Path(run_dir), Path(checkout_run), Path(summary_file).read_text())
    print(
        f"wheel check passed: {len(mine['entry_points'])} plugins {mine['entry_points']}, "
        f"{len(mine['tasks'])} tasks, {len(mine['models'])} models, {len(mine['metrics'])} metrics; "
        f"results equal to the checkout's run"
    )


if __name__ == "__main__":
    main()
