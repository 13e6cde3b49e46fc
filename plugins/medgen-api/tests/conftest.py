"""This plugin's tests run alone (``pytest plugins/medgen-api``) or inside the repository's suite.

Every API model here is the real litellm client talking to a scripted server on 127.0.0.1; the key
is a fake one the tests grep for in every file a run writes and in its output.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from medgen_litellm.testing import ScriptedServer

from medgen_core.testing import fresh_plugin_host, medgen_cli  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))  # helper modules next to the tests

FAKE_KEY = "sk-api-FAKE-0123456789abcdef"
KEY_ENV = "MEDGEN_TEST_API_KEY"


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


def connection(server: ScriptedServer, model: str = "openai/test-vlm", **extra: object) -> dict[str, object]:
    """Model arguments pointing at ``server`` with the fake key's variable."""
    return {"model": model, "api_base": server.url, "api_key_env": KEY_ENV, "max_retries": 2, **extra}
