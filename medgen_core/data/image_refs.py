"""A record's image values turned into :class:`ImageRef` s, under the same path rules for every dataset.

A value is embedded bytes, an ``{bytes, path}`` struct (how ``datasets``
stores an ``Image`` feature) or a path. A path written in a record must be
relative and stay inside the dataset folder: absolute paths, ``..`` and
symlinks that lead out are refused. A struct's path (``datasets`` writes
absolute ones for ``imagefolder``) must also resolve inside the dataset's
folders. Pixels are not decoded here; the runner checks them before use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from medgen_core.data.errors import RecordError
from medgen_core.types import ImageRef

ImageResolver = Callable[[Any, str, str], ImageRef]  # (value, where, name) -> ImageRef; see dataset_resolver


def resolve_image(ref: Any, base: Path, root: Path, where: str) -> ImageRef:
    """An image path from a record, refused unless it stays inside ``base`` (the task or dataset folder)."""
    if not isinstance(ref, str) or not ref.strip():
        raise RecordError(f"{where}: expected a relative image path, got {ref!r}")
    posix = PurePosixPath(ref)
    if posix.is_absolute() or Path(ref).is_absolute() or ref.startswith("\\"):
        raise RecordError(f"{where}: absolute image path {ref!r} is not allowed (paths are relative to the data file)")
    if ".." in posix.parts:
        raise RecordError(f"{where}: image path {ref!r} leaves the task folder ('..' is not allowed)")
    path = base / Path(*posix.parts)
    resolved = _real_dir(str(path.parent)) / path.name if not path.is_symlink() else path.resolve()
    if not resolved.is_relative_to(_real_dir(str(base))):
        raise RecordError(f"{where}: image path {ref!r} resolves outside the task folder (symlink to {resolved})")
    if not resolved.is_file():
        raise RecordError(f"{where}: image file not found: {ref!r} (looked for {path})")
    return ImageRef(ref=str(path.relative_to(root)), path=resolved)


@lru_cache(maxsize=1024)
def _real_dir(folder: str) -> Path:
    """A folder with every symlink resolved (cached: thousands of images share a few folders)."""
    return Path(os.path.realpath(folder))


def image_list(value: Any, where: str) -> list[Any]:
    """One image or several: a list stays a list, nothing is an empty list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, (str, dict, bytes, bytearray)):
        return [value]
    raise RecordError(f"{where}: expected an image or a list of images, got {type(value).__name__}")


def folder_resolver(task_dir: Path, root: Path) -> ImageResolver:
    """Image paths relative to a task's data.jsonl, kept inside that folder (the official layout)."""
    return lambda value, where, name: resolve_image(value, task_dir, root, where)


def dataset_resolver(base: Path | None, roots: tuple[Path, ...]) -> ImageResolver:
    """Any image value of a dataset: bytes, an ``{bytes, path}`` struct, or a path relative to ``base``.

    ``where`` starts every message; ``name`` (``source:column[i]``) names embedded bytes in logs.
    """
    real_roots = tuple(Path(os.path.realpath(r)) for r in roots)

    def resolve(value: Any, where: str, name: str) -> ImageRef:
        if isinstance(value, (bytes, bytearray)) and value:
            return ImageRef(ref=name, data=bytes(value))
        if isinstance(value, dict):
            if value.get("bytes"):
                return ImageRef(ref=name, data=bytes(value["bytes"]))
            if isinstance(value.get("path"), str) and value["path"]:
                return _stored_path(value["path"], base, real_roots, where)
            raise RecordError(f"{where}: image has neither bytes nor a path")
        if isinstance(value, str):
            if base is None:
                raise RecordError(
                    f"{where}: image path {value!r} needs a local dataset folder (this one is on the hub)"
                )
            return resolve_image(value, base, base, where)
        raise RecordError(
            f"{where}: expected image bytes, an image struct or a relative path, got {type(value).__name__}"
        )

    return resolve


def _stored_path(path: str, base: Path | None, roots: tuple[Path, ...], where: str) -> ImageRef:
    """The path of an image struct: absolute (as ``datasets`` writes them) or relative to ``base``;
    either way it must resolve inside the dataset's folders."""
    if "://" in path:
        raise RecordError(
            f"{where}: image {path!r} is a remote file; medgen reads only local files "
            f"(set dataset_kwargs.streaming: false so `datasets` downloads it, or embed the image bytes)"
        )
    candidate = Path(path)
    if not candidate.is_absolute():
        if base is None:
            raise RecordError(f"{where}: relative image path {path!r} needs a local dataset folder")
        candidate = base / candidate
    resolved = Path(os.path.realpath(candidate))
    inside = next((root for root in roots if resolved.is_relative_to(root)), None)
    if inside is None:
        raise RecordError(f"{where}: image path {path!r} resolves outside the dataset folder ({resolved})")
    if not resolved.is_file():
        raise RecordError(f"{where}: image file not found: {path!r} (looked for {candidate})")
    return ImageRef(ref=str(resolved.relative_to(inside)), path=resolved)
