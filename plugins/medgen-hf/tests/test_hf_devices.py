"""Which device a local model lands on: one GPU per rank under a data-parallel launch."""

from __future__ import annotations

import pytest
import torch
from medgen_hf.accelerator import resolve_device

from medgen_core import MedgenError


@pytest.fixture
def four_gpus(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)


def test_each_rank_gets_its_own_gpu(four_gpus, monkeypatch) -> None:
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    assert resolve_device(None, "hf") == "cuda:0"
    monkeypatch.setenv("LOCAL_RANK", "3")  # what accelerate launch and torchrun set
    assert resolve_device("auto", "hf") == "cuda:3"
    assert resolve_device("cuda", "hf") == "cuda:3"
    assert resolve_device("cuda:1", "hf") == "cuda:1"  # a named GPU is kept
    assert resolve_device("cpu", "hf") == "cpu"


def test_unknown_devices_are_named(monkeypatch) -> None:
    with pytest.raises(MedgenError, match="unknown device 'gpu0'"):
        resolve_device("gpu0", "hf")
