"""Pytest fixtures for medgen and its plugins: offline settings, a fresh plugin host, data to run on.

A plugin's ``tests/conftest.py`` imports what it needs, so its tests run the
same alone or inside the repository's suite::

    from medgen_core.testing import fresh_plugin_host, minidata_root  # noqa: F401

Importing this module turns the network off for hub libraries (the
environment variables below), as every medgen test must run offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from medgen_core.testing.minidata import make_dataset

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
}
os.environ.update(OFFLINE_ENV)

__all__ = ["OFFLINE_ENV", "fresh_plugin_host", "make_dataset", "medgen_cli", "minidata_root"]


@pytest.fixture(autouse=True)
def fresh_plugin_host() -> Iterator[None]:
    """Each test sees the plugins its environment asks for (``MEDGEN_LOAD_PLUGINS`` may differ)."""
    from medgen_core.plugins import reset_host

    reset_host()
    yield
    reset_host()


@pytest.fixture(scope="session")
def minidata_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A miniature official layout: every format and task, 3 records each (see :mod:`.minidata`)."""
    return make_dataset(tmp_path_factory.mktemp("minidata"))


@pytest.fixture
def medgen_cli() -> Callable[..., Any]:
    """Run the ``medgen`` command line in-process; returns click's result (exit code, output)."""
    from click.testing import CliRunner

    from medgen_core.cli import cli

    def invoke(*args: Any) -> Any:
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke
