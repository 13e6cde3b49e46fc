"""This plugin's tests run alone (``pytest plugins/medgen-hf``) or inside the repository's suite.

The tiny checkpoints are built once per session (importing transformers costs
seconds per process); each test module runs torch on one thread, which is
several times faster than two on our shared 2-core machines.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from medgen_core.testing import fresh_plugin_host, medgen_cli  # noqa: F401
from medgen_hf.testing import tiny_janus, tiny_qwen2_5_vl, tiny_qwen2_vl  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))  # helper modules next to the tests


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
