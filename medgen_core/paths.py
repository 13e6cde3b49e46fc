"""Where the built-in task YAMLs and the bundled sample benchmark live.

Both are top-level folders of the source tree (``task_yaml/``,
``sample_benchmark/``); a wheel maps them into ``medgen_core`` as package data,
and an editable checkout reads them in place.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def _package_folder(name: str) -> Path:
    """The folder in a source checkout (editable install), else inside the installed wheel."""
    in_checkout = Path(__file__).resolve().parent.parent / name
    if in_checkout.is_dir():
        return in_checkout
    return Path(str(resources.files(f"medgen_core.{name}")))


def builtin_task_dir() -> Path:
    return _package_folder("task_yaml")


def sample_benchmark_dir() -> Path:
    """The sample benchmark folder itself (sources, built data, checksums), for ``medgen build``."""
    return _package_folder("sample_benchmark")


def bundled_sample_root() -> Path:
    """The bundled sample benchmark (official layout); ``MEDGEN_DATA_ROOT`` overrides it."""
    override = os.environ.get("MEDGEN_DATA_ROOT")
    if override:
        return Path(override)
    return sample_benchmark_dir() / "medgen-sample"
