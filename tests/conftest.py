"""Core test settings: the shared medgen fixtures, plus the test-only plugin found through its entry point."""

from __future__ import annotations

import pytest
from core_testkit import KIT_TASKS, TESTKIT

from medgen_core.testing import fresh_plugin_host, medgen_cli, minidata_root  # noqa: F401


@pytest.fixture
def testkit(monkeypatch):
    """Put the test-only plugin (found through its entry point) on sys.path."""
    import importlib

    monkeypatch.syspath_prepend(TESTKIT)
    importlib.invalidate_caches()
    return KIT_TASKS


@pytest.fixture
def cli_run(testkit, monkeypatch, medgen_cli):  # noqa: F811 (the fixture, not the import)
    """The medgen CLI in-process with the built-in plugins and the test kit only."""
    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,renderers,testkit")
    return medgen_cli
