"""What a run is: its settings, and the run.json that records them so it can be resumed or reproduced."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from medgen_core.plugins import PluginHost
from medgen_core.secrets import redact, scrub
from medgen_core.tasks.index import GroupSelection, Selection, TaskInstance
from medgen_core.tasks.spec import GroupSpec, SampleFilter, TaskSpec, content_hash


@dataclass
class JudgeChoice:
    """One judge of the run's panel: a registered name and its arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunSettings:
    selection: Selection
    model: str
    model_args: dict[str, Any] = field(default_factory=dict)
    judges: list[JudgeChoice] = field(default_factory=list)
    output_path: Path = Path("runs/default")
    data_root: Path = Path(".")
    limit: int | float | None = None  # N samples per task, or a fraction 0 < x < 1
    allow_empty: bool = False  # a task asked for by name with no samples is an error unless this is set
    strict: bool = False  # unavailable metrics fail the run (exit code 4)
    runtime_args: dict[str, Any] = field(default_factory=dict)  # --batch_size/--device: passed, not identity
    predict_only: bool = False
    seed: int = 1234
    retry_failed: bool = False
    tune_malloc: bool = False
    score_after: bool = False  # predict everything and release the model before scoring
    command: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # found before the run (e.g. by the CLI)


def plugin_identity(kind: str, name: str, args: dict[str, Any], host: PluginHost, plugin: str) -> dict[str, Any]:
    """Who answered: name, arguments with secrets removed, plugin and its version, and a hash of them.

    The plugin and version are in the hash, so resuming with another implementation under the same name is refused.
    """
    clean = redact(args)
    version = host.records[plugin].version if plugin in host.records else "?"
    return {
        "kind": kind,
        "name": name,
        "args": clean,
        "plugin": plugin,
        "version": version,
        "hash": content_hash({"name": name, "args": clean, "plugin": plugin, "version": version}),
    }


def run_config(
    settings: RunSettings, host: PluginHost, model: dict[str, Any], judges: list[dict[str, Any]], secrets: list[str]
) -> dict[str, Any]:
    """The run.json of a new run (``model`` and ``judges`` from :func:`plugin_identity`)."""
    from medgen_core import __version__

    s = settings
    return {
        "medgen_version": __version__,
        "python": platform.python_version(),
        "plugins": host.versions(),
        "created": now(),
        "command": scrub(" ".join(s.command), secrets),
        "model": model,
        "judges": judges,
        "seed": s.seed,
        "limit": s.limit,
        "predict_only": s.predict_only,
        "data_root": str(s.data_root),
        "tasks": {t.name: task_entry(t) for t in s.selection.tasks},
        "groups": {
            name: {"spec": g.spec.model_dump(mode="json"), "tasks": g.tasks, "filter": _dump(g.filter)}
            for name, g in s.selection.groups.items()
        },
    }


def task_entry(instance: TaskInstance) -> dict[str, Any]:
    spec = instance.spec.model_dump(mode="json")
    extra = _dump(instance.extra_filter)
    return {
        "hash": content_hash({"spec": spec, "filter": extra}),
        "label": instance.label,
        "path": str(instance.path.resolve()),  # a dataset task reads files relative to its YAML
        "version": instance.spec.metadata.version,
        "spec": spec,
        "extra_filter": extra,
        "overrides": instance.overrides,
        "requested": instance.requested,
    }


def selection_from_config(config: dict[str, Any]) -> Selection:
    """Rebuild what a run ran from its run.json (for ``medgen score``), without the YAML files."""
    selection = Selection()
    for task in config["tasks"].values():
        extra = SampleFilter(**task["extra_filter"]) if task.get("extra_filter") else None
        spec = TaskSpec(**task["spec"])
        overrides = task.get("overrides") or {}
        selection.tasks.append(TaskInstance(spec, Path(task["path"]), extra, task.get("requested", False), overrides))
    for name, group in config.get("groups", {}).items():
        flt = SampleFilter(**group["filter"]) if group.get("filter") else None
        selection.groups[name] = GroupSelection(GroupSpec(**group["spec"]), group["tasks"], flt)
    return selection


def _dump(flt: SampleFilter | None) -> dict[str, Any] | None:
    return None if flt is None else flt.model_dump(mode="json")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
