"""This plugin's tests run alone (``pytest plugins/medgen-api``) or inside the repository's suite.

Every API model here is the real litellm client talking to a scripted server on 127.0.0.1. Shared
constants and helpers live in ``api_testkit`` (tests never import ``conftest``: every plugin has one).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from medgen_litellm.testing import ScriptedServer

from medgen_core.testing import fresh_plugin_host, medgen_cli  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))  # helper modules next to the tests

from api_testkit import FAKE_KEY, KEY_ENV  # noqa: E402


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def private_env(tmp_path, monkeypatch) -> None:
    """No test touches the user's cache or weights folders; the key is a fake one tests can grep for."""
    monkeypatch.setenv("MEDGEN_CACHE_DIR", str(tmp_path / "medgen-cache"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))  # no AlexNet: LPIPS unavailable, offline
    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
