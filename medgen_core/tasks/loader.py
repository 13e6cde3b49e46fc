"""Reading task and group YAML files: ``include`` resolution and validation.

``include`` names another YAML, relative to the including file, or a task by
name (``include: task:instruction_editing``), which works whatever folder or
package that task was installed in; the including file's keys override the
included ones (``aliases`` are never inherited, since
a name belongs to one task). A YAML with ``group`` is a group (its ``task``
key lists the members), one with only ``task`` is a task, one with neither is
a fragment only meant to be included.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from medgen_core.tasks.spec import GroupSpec, TaskSpec
from medgen_core.types import MedgenError

NOT_INHERITED = ("aliases",)


class TaskFileError(MedgenError):
    """A task or group YAML that cannot be used; the message names file and key."""


class UnresolvedInclude(TaskFileError):
    """``include: task:NAME`` names a task not (yet) known: resolvable once every folder is read."""


TASK_REF = "task:"
FindTask = Callable[[str], "Path | None"]  # a task name -> the YAML file that defines it


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: int, second: int) -> None:
        super().__init__(f"key {key!r} appears twice (lines {first} and {second}); the second would silently win")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error, not a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(key, seen[key], line)
            seen[key] = line
        return super().construct_mapping(node, deep)


def read_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaskFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as exc:
        raise TaskFileError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise TaskFileError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TaskFileError(f"{path}: the top level must be a mapping of keys, not {type(data).__name__}")
    return data


def resolve_includes(path: Path, find_task: FindTask | None = None, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's keys merged over everything it includes, recursively."""
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, path))
        raise TaskFileError(f"{_chain[-1]}: key 'include': include cycle: {cycle}")
    data = read_mapping(path)
    include = data.pop("include", None)
    if include is None:
        return data
    if not isinstance(include, str):
        raise TaskFileError(f"{path}: key 'include': expected a file name, got {type(include).__name__}")
    if include.startswith(TASK_REF):
        name = include[len(TASK_REF) :].strip()
        found = find_task(name) if find_task else None
        if found is None:
            raise UnresolvedInclude(f"{path}: key 'include': no task named {name!r} is installed")
        target = found.resolve()
    else:
        target = (path.parent / include).resolve()
        if not target.is_file():
            raise TaskFileError(f"{path}: key 'include': file not found: {include} (looked for {target})")
    base = resolve_includes(target, find_task, (*_chain, path))
    for key in NOT_INHERITED:
        base.pop(key, None)
    return {**base, **data}


def load_spec(path: Path, find_task: FindTask | None = None) -> TaskSpec | GroupSpec | None:
    """Validate one YAML file; ``None`` for an include-only fragment."""
    data = resolve_includes(path, find_task)
    if "group" in data:  # as in lm-eval, a group's ``task`` key lists its members
        return _validate(GroupSpec, data, path)
    if "task" in data:
        _read_rubric_file(data, path)
        spec = _validate(TaskSpec, data, path)
        _check_template(spec, path)
        return spec
    return None


def _read_rubric_file(data: dict[str, Any], path: Path) -> None:
    """Fill the judge block from ``judge.rubric_file`` (relative to the YAML); the block's own keys win."""
    from medgen_core.tasks.rubric import load_rubric

    judge = data.get("judge")
    if not isinstance(judge, dict) or not judge.get("rubric_file"):
        return
    target = (path.parent / str(judge["rubric_file"])).resolve()
    if not target.is_file():
        raise TaskFileError(
            f"{path}: key 'judge.rubric_file': file not found: {judge['rubric_file']} (looked for {target})"
        )
    try:
        rubric = load_rubric(target)
    except MedgenError as exc:
        raise TaskFileError(f"{path}: key 'judge.rubric_file': {exc}") from None
    filled = {
        "rubric": rubric.preamble,
        "dimensions": list(rubric.dimensions),
        "descriptions": dict(rubric.descriptions),
        "checklist": list(rubric.checklist),
    }
    data["judge"] = {**filled, **judge}


def _validate(cls: type[TaskSpec] | type[GroupSpec], data: dict[str, Any], path: Path) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                problems.append(f"{path}: key '{key}': unknown key")
            else:
                got = f" (got {err['input']!r})" if err["type"] != "missing" else ""
                problems.append(f"{path}: key '{key}': {err['msg']}{got}")
        raise TaskFileError("\n".join(problems)) from None


def _check_template(spec: TaskSpec, path: Path) -> None:
    from medgen_core.tasks.prompt import compile_template

    try:
        compile_template(spec.doc_to_text)
    except MedgenError as exc:
        raise TaskFileError(f"{path}: key 'doc_to_text': {exc}") from None
