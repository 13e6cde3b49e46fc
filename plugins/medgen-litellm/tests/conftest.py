"""This package's tests run alone (``pytest plugins/medgen-litellm``) or inside the repository's suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from medgen_litellm.testing import ScriptedServer

from medgen_core.testing import fresh_plugin_host  # noqa: F401


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1 for one test."""
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path, monkeypatch) -> None:
    """No test touches the user's real cache folder."""
    monkeypatch.setenv("MEDGEN_CACHE_DIR", str(tmp_path / "cache"))
