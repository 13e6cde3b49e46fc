"""Pytest fixtures: tiny checkpoints built once per test session (see :mod:`medgen_hf.testing.tiny`).

A plugin's ``tests/conftest.py`` imports the ones it needs::

    from medgen_hf.testing import one_torch_thread, tiny_janus, tiny_qwen2_vl  # noqa: F401

It also holds request builders and run-folder readers (:mod:`.helpers`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medgen_hf.testing.helpers import png, read_jsonl, request, run_folder
from medgen_hf.testing.tiny import JANUS_IMAGE_SIZE, build_janus, build_qwen2_vl

__all__ = [
    "JANUS_IMAGE_SIZE",
    "build_janus",
    "build_qwen2_vl",
    "one_torch_thread",
    "png",
    "read_jsonl",
    "request",
    "run_folder",
    "tiny_janus",
    "tiny_qwen2_5_vl",
    "tiny_qwen2_vl",
]


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    """torch on one thread per test module: several times faster than two on a shared 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


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
