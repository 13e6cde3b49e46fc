"""Finding tasks and groups by name: built-in, from plugins, from --include_path, or a YAML path.

Names are matched after folding case and separators, and through each
spec's ``aliases``, so official spellings (``organic-removal``) work wherever
a task name is read. Folders given later override earlier ones (a user's
``--include_path`` wins over built-in tasks of the same name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medgen_core.names import normalise_task_name
from medgen_core.plugins import unknown_name
from medgen_core.tasks.loader import TaskFileError, load_spec
from medgen_core.tasks.spec import GroupSpec, SampleFilter, TaskSpec
from medgen_core.types import MedgenError


@dataclass(frozen=True)
class TaskInstance:
    """A task to run: its spec, the file it came from, and any filter a group added."""

    spec: TaskSpec
    path: Path
    extra_filter: SampleFilter | None = None

    @property
    def name(self) -> str:
        return self.spec.task

    @property
    def filter(self) -> SampleFilter | None:
        if self.spec.filter is None:
            return self.extra_filter
        return self.spec.filter.merged(self.extra_filter)


@dataclass(frozen=True)
class GroupSelection:
    """A group to aggregate: its member tasks and the filter its samples must pass."""

    spec: GroupSpec
    tasks: list[str]
    filter: SampleFilter | None


@dataclass
class Selection:
    """What ``--tasks`` resolved to: task instances to run and groups to aggregate."""

    tasks: list[TaskInstance] = field(default_factory=list)
    groups: dict[str, GroupSelection] = field(default_factory=dict)

    def with_metric_args(self, metric: str, args: dict[str, Any]) -> Selection:
        """The same selection with ``args`` merged into every use of ``metric`` (part of each task's hash)."""
        tasks = []
        for instance in self.tasks:
            entries = [
                e.model_copy(update={"args": {**e.args, **args}}) if e.metric == metric else e
                for e in instance.spec.metric_list
            ]
            spec = instance.spec.model_copy(update={"metric_list": entries})
            tasks.append(TaskInstance(spec, instance.path, instance.extra_filter))
        return Selection(tasks, dict(self.groups))


class TaskIndex:
    def __init__(self, folders: list[Path]) -> None:
        self.tasks: dict[str, tuple[TaskSpec, Path]] = {}
        self.groups: dict[str, tuple[GroupSpec, Path]] = {}
        self.aliases: dict[str, str] = {}
        self.errors: list[str] = []
        for folder in folders:
            self.add_folder(folder)

    def add_folder(self, folder: Path) -> None:
        if not folder.is_dir():
            raise MedgenError(f"task folder not found: {folder}")
        for path in sorted(folder.rglob("*.yaml")):
            try:
                self.add_file(path)
            except TaskFileError as exc:
                self.errors.append(str(exc))

    def add_file(self, path: Path) -> str | None:
        spec = load_spec(path)
        if spec is None:
            return None
        if isinstance(spec, TaskSpec):
            name = spec.task
            self.tasks[name] = (spec, path)
        else:
            name = spec.group
            self.groups[name] = (spec, path)
        for alias in (name, *spec.aliases):
            self.aliases[normalise_task_name(alias)] = name
        return name

    def canonical(self, name: str) -> str:
        found = self.aliases.get(normalise_task_name(name))
        if found is None:
            raise unknown_name("task", name, sorted({*self.tasks, *self.groups}))
        return found

    def tag_groups(self) -> dict[str, list[str]]:
        """Groups defined implicitly by tasks' ``tag`` lists."""
        tags: dict[str, list[str]] = {}
        for name, (spec, _) in self.tasks.items():
            for tag in spec.tag:
                tags.setdefault(tag, []).append(name)
        return tags

    def select(self, names: list[str]) -> Selection:
        """Resolve ``--tasks`` entries (names, aliases, groups, tags or YAML paths)."""
        selection = Selection()
        seen: dict[tuple[str, str], TaskInstance] = {}
        for raw in names:
            entry = raw.strip()
            if not entry:
                continue
            if entry.endswith((".yaml", ".yml")) or Path(entry).is_file():
                path = Path(entry)
                if not path.is_file():
                    raise MedgenError(f"--tasks: task file not found: {entry}")
                name = self.add_file(path)
                if name is None:
                    raise MedgenError(f"{path}: defines neither 'task' nor 'group'")
                entry = name
            self._expand(self.canonical_or_tag(entry), None, selection, seen, ())
        selection.tasks = _drop_covered(list(seen.values()))
        return selection

    def canonical_or_tag(self, name: str) -> str:
        if name in self.tag_groups() and name not in self.groups:
            return name
        return self.canonical(name)

    def _expand(
        self,
        name: str,
        group_filter: SampleFilter | None,
        selection: Selection,
        seen: dict[tuple[str, str], TaskInstance],
        chain: tuple[str, ...],
    ) -> list[str]:
        """Add the tasks under ``name``; returns the task names it stands for."""
        if name in chain:
            raise MedgenError(f"group cycle: {' -> '.join((*chain, name))}")
        if name in self.tasks:
            spec, path = self.tasks[name]
            instance = TaskInstance(spec, path, group_filter)
            seen.setdefault((name, instance.filter.model_dump_json() if instance.filter else ""), instance)
            return [name]
        if name in self.groups:
            group, _ = self.groups[name]
            members, inner_filter = group.task, _merge(group_filter, group.filter)
        else:
            members, inner_filter = self.tag_groups()[name], group_filter
            group = GroupSpec(group=name, task=members)
        covered: list[str] = []
        for member in members:
            covered += self._expand(self.canonical_or_tag(member), inner_filter, selection, seen, (*chain, name))
        if group_filter is None:  # a sub-group inside a filtered group is covered by that group's aggregate
            selection.groups[name] = GroupSelection(group, sorted(set(covered)), inner_filter)
        return covered


def _merge(outer: SampleFilter | None, inner: SampleFilter | None) -> SampleFilter | None:
    if outer is None:
        return inner
    return outer.merged(inner)


def _drop_covered(instances: list[TaskInstance]) -> list[TaskInstance]:
    """Run each task once: unfiltered when asked for unfiltered or under several group filters.

    Groups apply their own filter when they aggregate, so a superset run is never wrong.
    """
    by_name: dict[str, list[TaskInstance]] = {}
    for instance in instances:
        by_name.setdefault(instance.name, []).append(instance)
    chosen = []
    for group in by_name.values():
        if len(group) == 1:
            chosen.append(group[0])
        else:
            chosen.append(TaskInstance(group[0].spec, group[0].path, None))
    return chosen
