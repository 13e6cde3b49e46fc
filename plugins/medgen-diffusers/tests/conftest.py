"""This plugin's tests run alone (``pytest plugins/medgen-diffusers``) or inside the repository's suite.

The tiny checkpoints are built once per session: importing diffusers costs seconds per process.
"""

from __future__ import annotations

from medgen_diffusers.testing import tiny_instruct_pix2pix, tiny_stable_diffusion  # noqa: F401
from medgen_hf.testing import one_torch_thread  # noqa: F401

from medgen_core.testing import fresh_plugin_host, medgen_cli  # noqa: F401
