"""Pytest fixtures: tiny checkpoints built once per test session (see :mod:`medgen_hf.testing.tiny`).

A plugin's ``tests/conftest.py`` imports the ones it needs::

    from medgen_hf.testing import tiny_janus, tiny_qwen2_vl  # noqa: F401
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medgen_hf.testing.tiny import JANUS_IMAGE_SIZE, build_janus, build_qwen2_vl

__all__ = ["JANUS_IMAGE_SIZE", "build_janus", "build_qwen2_vl", "tiny_janus", "tiny_qwen2_5_vl", "tiny_qwen2_vl"]


@pytest.fixture(scope="session")
def tiny_qwen2_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Qwen2-VL checkpoint folder."""
    return build_qwen2_vl(tmp_path_factory.mktemp("tiny-qwen2-vl"), version="2")


@pytest.fixture(scope="session")
def tiny_qwen2_5_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Qwen2.5-VL checkpoint folder."""
    return build_qwen2_vl(tmp_path_factory.mktemp("tiny-qwen2.5-vl"), version="2.5")


@pytest.fixture(scope="session")
def tiny_janus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Janus-Pro checkpoint folder."""
    return build_janus(tmp_path_factory.mktemp("tiny-janus"))
