"""Finding tasks and groups by name: built-in, from plugins, from --include_path, or a YAML path.

Names are matched after folding case and separators, and through each
spec's ``aliases``, so official spellings (``organic-removal``) work wherever
a task name is read. Two files defining one name is an error naming both,
unless the user allows overriding explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from medgen_core.errors import MedgenError, NameClash, UnknownName
from medgen_core.names import normalise_task_name
from medgen_core.plugins import override_allowed, unknown_name
from medgen_core.tasks.loader import TaskFileError, UnresolvedInclude, load_spec
from medgen_core.tasks.spec import GroupSpec, SampleFilter, TaskSpec


@dataclass(frozen=True)
class TaskInstance:
    """A task to run: its spec, the file it came from, and any filter a group added.

    ``requested``: asked for by name or YAML path (not only as a member of a group).
    ``overrides``: what the command line changed in the spec (``--metric_args``, ``--gen_kwargs``),
    kept apart so a changed override is reported as such.
    """

    spec: TaskSpec
    path: Path
    extra_filter: SampleFilter | None = None
    requested: bool = False
    overrides: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def name(self) -> str:
        return self.spec.task

    @property
    def label(self) -> str:
        """How results name it: the task, or ``task[modality=mri]`` when a group's filter narrowed it."""
        if self.extra_filter is None:
            return self.name
        return f"{self.name}[{self.extra_filter.describe()}]"

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
        if not any(e.metric == metric for t in self.tasks for e in t.spec.metric_list):
            used = sorted({e.metric for t in self.tasks for e in t.spec.metric_list})
            raise UnknownName(f"--metric_args: {unknown_name('metric', metric, used)} (the selected tasks use these)")
        tasks = []
        for instance in self.tasks:
            entries = [
                e.model_copy(update={"args": {**e.args, **args}}) if e.metric == metric else e
                for e in instance.spec.metric_list
            ]
            spec = instance.spec.model_copy(update={"metric_list": entries})
            overrides = _merged(instance.overrides, "metric_args", {metric: args})
            tasks.append(replace(instance, spec=spec, overrides=overrides))
        return Selection(tasks, dict(self.groups))

    def with_gen_kwargs(self, kwargs: dict[str, Any]) -> Selection:
        """The same selection with ``kwargs`` over every task's ``generation_kwargs`` (``--gen_kwargs``)."""
        if not kwargs:
            return self
        tasks = [
            replace(
                t,
                spec=t.spec.model_copy(update={"generation_kwargs": {**t.spec.generation_kwargs, **kwargs}}),
                overrides=_merged(t.overrides, "gen_kwargs", kwargs),
            )
            for t in self.tasks
        ]
        return Selection(tasks, dict(self.groups))


def _merged(overrides: dict[str, Any], key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {**overrides, key: {**overrides.get(key, {}), **value}}


class TaskIndex:
    """Every task and group found in task folders, by name and alias, with where each came from.

    Folders are read in order (built-in, then plugins', then ``--include_path``
    ones). A name or alias defined by two files is a clash naming both, unless
    overriding is allowed (``medgen --allow_override``): then the later file wins.
    """

    def __init__(self, folders: list[tuple[Path, str] | Path]) -> None:
        self.tasks: dict[str, tuple[TaskSpec, Path]] = {}
        self.groups: dict[str, tuple[GroupSpec, Path]] = {}
        self.aliases: dict[str, str] = {}  # folded name or alias -> canonical name
        self.origins: dict[str, str] = {}  # canonical name -> "origin (file)"
        self.clashes: dict[str, str] = {}  # folded name -> message
        self.overridden: list[str] = []
        self.errors: list[str] = []
        pending: list[tuple[Path, str]] = []
        for entry in folders:
            folder, origin = entry if isinstance(entry, tuple) else (entry, f"folder {entry}")
            pending += self.add_folder(Path(folder), origin)
        for path, origin in pending:  # ``include: task:NAME`` of a task read in a later folder
            try:
                self.add_file(path, origin)
            except TaskFileError as exc:
                self._error(str(exc))

    def add_folder(self, folder: Path, origin: str) -> list[tuple[Path, str]]:
        """Read every YAML under ``folder``; returns those whose ``include: task:`` is not known yet."""
        if not folder.is_dir():
            raise MedgenError(f"task folder not found: {folder} ({origin})")
        pending = []
        for path in sorted(folder.rglob("*.yaml")):
            try:
                self.add_file(path, origin)
            except UnresolvedInclude:
                pending.append((path, origin))
            except TaskFileError as exc:
                self._error(str(exc))
        return pending

    def _error(self, message: str) -> None:
        """Record a problem once: a broken fragment included by many tasks is one problem, not many."""
        if message not in self.errors:
            self.errors.append(message)

    def find_task(self, name: str) -> Path | None:
        canonical = self.aliases.get(normalise_task_name(name))
        return self.tasks[canonical][1] if canonical in self.tasks else None

    def add_file(self, path: Path, origin: str = "--tasks") -> str | None:
        spec = load_spec(path, self.find_task)
        if spec is None:
            return None
        name = spec.task if isinstance(spec, TaskSpec) else spec.group
        where = f"{origin} ({path})"
        for alias in (name, *spec.aliases):
            folded = normalise_task_name(alias)
            before = self.aliases.get(folded)
            if before is None or self._file_of(before) == path.resolve():
                continue
            message = (
                f"task or group name {alias!r} is defined twice: by {self.origins[before]} and by {where}; rename "
                f"one, or let the later one win with `medgen --allow_override`"
            )
            if override_allowed():
                self.overridden.append(message.split("; rename")[0] + " (the later one wins)")
            else:
                self.clashes[folded] = message
        if isinstance(spec, TaskSpec):
            self.tasks[name] = (spec, path)
            self.groups.pop(name, None)
        else:
            self.groups[name] = (spec, path)
            self.tasks.pop(name, None)
        self.origins[name] = where
        for alias in (name, *spec.aliases):
            self.aliases[normalise_task_name(alias)] = name
        return name

    def _file_of(self, name: str) -> Path | None:
        found = self.tasks.get(name) or self.groups.get(name)
        return found[1].resolve() if found else None

    def canonical(self, name: str) -> str:
        folded = normalise_task_name(name)
        if folded in self.clashes:
            raise NameClash(self.clashes[folded])
        found = self.aliases.get(folded)
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
        if not any(raw.strip() for raw in names):
            raise MedgenError(f"--tasks: no task names given ({','.join(names)!r}); see `medgen ls tasks`")
        for raw in names:
            entry = raw.strip()
            if not entry:
                continue
            if entry.endswith((".yaml", ".yml")) or Path(entry).is_file():
                path = Path(entry)
                if not path.is_file():
                    raise MedgenError(f"--tasks: task file not found: {entry}")
                name = self.add_file(path, "--tasks")
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
            instance = TaskInstance(spec, path, group_filter, requested=not chain)
            key = (name, instance.filter.model_dump_json() if instance.filter else "")
            if key not in seen or instance.requested:
                seen[key] = instance
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
            requested = any(i.requested for i in group)
            chosen.append(TaskInstance(group[0].spec, group[0].path, None, requested=requested))
    return chosen
