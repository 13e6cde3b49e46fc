"""Test-wide settings: no network, plugins loaded fresh, and the miniature dataset."""

from __future__ import annotations

import os

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
}.items():
    os.environ[_name] = _value

import pytest  # noqa: E402
from minidata import make_dataset  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_plugin_host(monkeypatch):
    """Each test sees the plugins its environment asks for (MEDGEN_LOAD_PLUGINS may differ)."""
    from medgen_core.plugins import reset_host

    reset_host()
    yield
    reset_host()


@pytest.fixture(scope="session")
def minidata_root(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("minidata"))


TESTKIT = os.path.join(os.path.dirname(__file__), "testkit")
KIT_TASKS = os.path.join(TESTKIT, "tasks")


@pytest.fixture
def testkit(monkeypatch):
    """Put the test-only plugin (found through its entry point) on sys.path."""
    import importlib

    monkeypatch.syspath_prepend(TESTKIT)
    importlib.invalidate_caches()
    return KIT_TASKS


@pytest.fixture
def cli_run(testkit, monkeypatch):
    """Run the medgen CLI in-process; returns the click result (exit code, output)."""
    from click.testing import CliRunner

    from medgen_core.cli import cli

    monkeypatch.setenv("MEDGEN_LOAD_PLUGINS", "models,tasks,testkit")

    def invoke(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke
