"""This plugin's tests run alone (``pytest plugins/medgen-judge``) or inside the repository's suite."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from medgen_litellm.testing import ScriptedServer

from medgen_core.testing import fresh_plugin_host, medgen_cli, minidata_root  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))  # helper modules next to the tests

from judge_replies import FAKE_KEY, grading_responder  # noqa: E402


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A judge model on 127.0.0.1 that grades every request 8/10 on whatever dimensions it is asked for."""
    with ScriptedServer(default=grading_responder(8)) as srv:
        yield srv


@pytest.fixture(autouse=True)
def private_env(tmp_path, monkeypatch) -> None:
    """No test touches the user's real cache; the judge key is a fake one tests can grep for."""
    monkeypatch.setenv("MEDGEN_CACHE_DIR", str(tmp_path / "medgen-cache"))
    monkeypatch.setenv("MEDGEN_TEST_JUDGE_KEY", FAKE_KEY)
