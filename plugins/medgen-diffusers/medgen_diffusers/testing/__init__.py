"""Pytest fixtures: tiny diffusers checkpoints built once per test session (see :mod:`.tiny`).

A plugin's ``tests/conftest.py`` imports the ones it needs::

    from medgen_diffusers.testing import tiny_instruct_pix2pix, tiny_stable_diffusion  # noqa: F401
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medgen_diffusers.testing.tiny import build_instruct_pix2pix, build_stable_diffusion

__all__ = ["build_instruct_pix2pix", "build_stable_diffusion", "tiny_instruct_pix2pix", "tiny_stable_diffusion"]


@pytest.fixture(scope="session")
def tiny_stable_diffusion(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Stable Diffusion text-to-image checkpoint folder."""
    return build_stable_diffusion(tmp_path_factory.mktemp("tiny-sd") / "checkpoint")


@pytest.fixture(scope="session")
def tiny_instruct_pix2pix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny InstructPix2Pix checkpoint folder."""
    return build_instruct_pix2pix(tmp_path_factory.mktemp("tiny-ip2p") / "checkpoint")
