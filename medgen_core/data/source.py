"""Where a task's data is: the MedGEN-Bench layout, or any dataset ``datasets.load_dataset`` reads.

A task whose ``dataset_path`` is the official id reads the layout from the run's
data root (``--data_root``, default the bundled sample). Any other
``dataset_path`` is the task's own dataset, read as written in the YAML:

- a loader name (``json``, ``csv``, ``parquet``, ``imagefolder``, ...) with
  ``dataset_kwargs.data_files`` or ``data_dir``,
- a local folder,
- a Hugging Face hub id (``owner/name``, with ``dataset_name`` as its config).

Relative local paths are relative to the task's YAML file, like ``include``.
``--data_root`` never redirects such a task (see :func:`data_root_notes`).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medgen_core.tasks.index import TaskInstance
from medgen_core.types import MedgenError

LOCAL_KWARGS = ("data_files", "data_dir")


@dataclass(frozen=True)
class DatasetSource:
    """``datasets.load_dataset`` arguments for one task, and the local folders its images may come from."""

    path: str
    name: str | None
    split: str
    streaming: bool
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""  # names the data in every message: the data file(s), the folder or the hub id
    base: Path | None = None  # relative image paths resolve here; None for hub datasets
    image_roots: tuple[Path, ...] = ()  # every image file must lie inside one of these


def task_label(instance: TaskInstance) -> str:
    return f"task {instance.name!r} ({instance.path})"


def dataset_source(instance: TaskInstance) -> DatasetSource:
    """The task's own dataset (its ``dataset_path`` is not the MedGEN-Bench layout)."""
    spec = instance.spec
    here = instance.path.parent.resolve()
    kwargs = dict(spec.dataset_kwargs)
    streaming = bool(kwargs.pop("streaming", True))
    common = {"name": spec.dataset_name, "split": spec.test_split, "streaming": streaming}
    folder = _local_folder(spec.dataset_path, here)
    if folder is not None:
        if folder.is_file():
            raise MedgenError(
                f"{task_label(instance)}: key 'dataset_path': {folder} is a file; name its loader instead, "
                f"e.g. dataset_path: json with dataset_kwargs: {{data_files: {spec.dataset_path}}}"
            )
        if not folder.is_dir():
            raise MedgenError(f"{task_label(instance)}: key 'dataset_path': no such folder: {folder}")
        return DatasetSource(
            str(folder), kwargs=kwargs, label=str(folder), base=folder, image_roots=(folder,), **common
        )
    if "/" in spec.dataset_path:
        return _hub_source(spec.dataset_path, kwargs, common)
    return _loader_source(instance, kwargs, common)


def _local_folder(dataset_path: str, here: Path) -> Path | None:
    """The folder a path-like ``dataset_path`` names, relative to the YAML; None for loader names and hub ids."""
    if dataset_path.startswith((".", "/", "~")) or (here / dataset_path).is_dir():
        path = Path(dataset_path).expanduser()
        return (path if path.is_absolute() else here / path).resolve()
    return None


def _hub_source(repo: str, kwargs: dict[str, Any], common: dict[str, Any]) -> DatasetSource:
    """A hub dataset: images come embedded, or from the Hugging Face caches when not streamed."""
    label = f"hub:{repo}" + (f"[{common['name']}]" if common["name"] else "")
    return DatasetSource(repo, kwargs=kwargs, label=label, base=None, image_roots=hub_caches(), **common)


def _loader_source(instance: TaskInstance, kwargs: dict[str, Any], common: dict[str, Any]) -> DatasetSource:
    """A loader name with local ``data_files`` / ``data_dir``, made absolute (relative to the YAML)."""
    spec, here = instance.spec, instance.path.parent.resolve()
    if not any(kwargs.get(key) for key in LOCAL_KWARGS):
        raise MedgenError(
            f"{task_label(instance)}: key 'dataset_kwargs': loader {spec.dataset_path!r} needs data_files or data_dir "
            f"(or set dataset_path to a folder or a hub id)"
        )
    if kwargs.get("data_dir"):
        kwargs["data_dir"] = str(_absolute(kwargs["data_dir"], here))
    if kwargs.get("data_files"):
        kwargs["data_files"] = _map_files(kwargs["data_files"], here)
    patterns = _patterns(kwargs.get("data_files")) or [kwargs["data_dir"]]
    base = Path(kwargs["data_dir"]) if kwargs.get("data_dir") else _common_folder(patterns)
    _check_files_exist(instance, patterns)
    label = patterns[0] if len(patterns) == 1 else f"{base}/{{{', '.join(Path(p).name for p in patterns)}}}"
    return DatasetSource(spec.dataset_path, kwargs=kwargs, label=label, base=base, image_roots=(base,), **common)


def _absolute(path: str, here: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else here / p


def _map_files(files: Any, here: Path) -> Any:
    """``data_files`` as a string, a list or a split -> files mapping, each entry made absolute."""
    if isinstance(files, dict):
        return {split: _map_files(value, here) for split, value in files.items()}
    if isinstance(files, list):
        return [str(_absolute(str(f), here)) for f in files]
    return str(_absolute(str(files), here))


def _patterns(files: Any) -> list[str]:
    if files is None:
        return []
    if isinstance(files, dict):
        return [p for value in files.values() for p in _patterns(value)]
    return list(files) if isinstance(files, list) else [files]


def _common_folder(patterns: list[str]) -> Path:
    """The deepest folder holding every data file (glob parts cut off): image paths are relative to it."""
    folders = []
    for pattern in patterns:
        parts = Path(pattern).parts
        plain = parts[: next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))]
        folders.append(Path(*plain) if len(plain) < len(parts) else Path(pattern).parent)
    return Path(os.path.commonpath([str(f) for f in folders])).resolve()


def _check_files_exist(instance: TaskInstance, patterns: list[str]) -> None:
    for pattern in patterns:
        if not glob.glob(pattern, recursive=True):
            raise MedgenError(f"{task_label(instance)}: key 'dataset_kwargs': no data file matches {pattern}")


def data_root_notes(instances: list[TaskInstance], data_root: str | None) -> list[str]:
    """What ``--data_root`` means for this selection: it chooses the MedGEN-Bench layout only.

    Given while no selected task reads the layout, it would change nothing: an error.
    Otherwise one warning per task that reads its own dataset, recorded in the run.
    """
    if data_root is None:
        return []
    own = [i for i in instances if not i.spec.reads_layout]
    if own and len(own) == len(instances):
        names = ", ".join(repr(i.name) for i in own)
        raise MedgenError(
            f"--data_root {data_root}: no selected task reads the MedGEN-Bench layout; {names} read their own "
            f"dataset (the YAML's dataset_path / dataset_kwargs). Drop --data_root, or point the YAML at the data."
        )
    return [
        f"--data_root {data_root} applies to MedGEN-Bench layout tasks only; task {i.name!r} reads its own "
        f"dataset_path {i.spec.dataset_path!r}"
        for i in own
    ]


def hub_caches() -> tuple[Path, ...]:
    """Where ``datasets`` keeps downloaded hub files: the only folders a hub dataset's image paths may name."""
    datasets = imported_datasets()
    from huggingface_hub import constants

    return tuple(Path(p).resolve() for p in (constants.HF_HUB_CACHE, datasets.config.HF_DATASETS_CACHE))


def imported_datasets() -> Any:
    """The `datasets` package, or a clear message saying how to install it."""
    try:
        import datasets
    except ImportError:
        raise MedgenError("reading datasets needs the `datasets` package: pip install 'medgen[hub]'") from None
    return datasets
