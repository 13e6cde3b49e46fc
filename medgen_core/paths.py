"""Where packaged folders live on disk: the built-in task YAMLs, the bundled sample, a plugin's task folder.

Everything that reads them wants a real folder (``rglob``, images opened by
path, ``medgen build`` copying sources), but ``importlib.resources`` answers
with a Traversable: a real folder for a wheel or sdist install, a member of an
archive for a zipped install, and nothing inside the package for an editable
checkout (``task_yaml/`` and ``sample_benchmark/`` are top-level folders there,
mapped into ``medgen_core`` only when a wheel is built). This module is the one
place that turns those into folders: in place when they are on disk,
otherwise extracted once into a cache folder (``MEDGEN_CACHE``, default
``~/.cache/medgen``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from medgen_core.errors import MedgenError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_CHECKOUT = Path(__file__).resolve().parent.parent
_extracted_once: dict[str, Path] = {}


def builtin_task_dir() -> Path:
    """The 16 MedGEN-Bench task YAMLs, ``ct_lesion_edit`` and the groups."""
    return _core_folder("task_yaml")


def sample_benchmark_dir() -> Path:
    """The sample benchmark folder itself (sources, built data, checksums), for ``medgen build``."""
    return _core_folder("sample_benchmark")


def bundled_sample_root() -> Path:
    """The bundled sample benchmark (official layout); ``MEDGEN_DATA_ROOT`` overrides it."""
    override = os.environ.get("MEDGEN_DATA_ROOT")
    if override:
        return Path(override)
    return sample_benchmark_dir() / "medgen-sample"


def as_folder(resource: str | os.PathLike | Traversable) -> Path:
    """A real folder for a path or a packaged Traversable; a folder inside an archive is extracted once."""
    if isinstance(resource, (str, os.PathLike)):
        return Path(resource)
    if not resource.is_dir():
        raise MedgenError(f"packaged folder not found: {resource}")
    return _extracted(resource)


def _core_folder(name: str) -> Path:
    """Inside the installed package (wheel, sdist, zip), else the top-level folder of a source checkout."""
    packaged = resources.files("medgen_core") / name
    if packaged.is_dir():
        return as_folder(packaged)
    in_checkout = _CHECKOUT / name
    if in_checkout.is_dir():
        return in_checkout
    raise MedgenError(f"medgen is installed without its {name}/ folder (looked in {packaged} and {in_checkout})")


def _extracted(resource: Traversable) -> Path:
    """Copy a packaged folder out of its archive into the cache, once per content (a rebuilt archive is new)."""
    if str(resource) in _extracted_once:
        return _extracted_once[str(resource)]
    files = sorted(_walk(resource, ""))
    digest = hashlib.sha256(str(resource).encode())
    for relative, member in files:
        digest.update(f"\0{relative}\0".encode())
        digest.update(hashlib.sha256(member.read_bytes()).digest())
    target = _cache_root() / f"{resource.name or 'resource'}-{digest.hexdigest()[:16]}"
    if not target.is_dir():
        try:
            _extract(files, target)
        except OSError as exc:
            raise MedgenError(f"cannot extract {resource} into {target.parent} ({exc}); set MEDGEN_CACHE") from None
    _extracted_once[str(resource)] = target
    return target


def _extract(files: list[tuple[str, Traversable]], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extracting-", dir=target.parent))
    for relative, member in files:
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(member.read_bytes())
    try:
        staging.rename(target)  # atomic: a concurrent process sees no folder or a complete one
    except OSError:  # another process finished first; its copy is identical
        shutil.rmtree(staging, ignore_errors=True)


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for child in folder.iterdir():
        relative = f"{prefix}{child.name}"
        if child.is_dir():
            yield from _walk(child, relative + "/")
        else:
            yield relative, child


def _cache_root() -> Path:
    override = os.environ.get("MEDGEN_CACHE")
    if override:
        return Path(override) / "packaged"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "medgen" / "packaged"
