"""This plugin's tests run alone (``pytest plugins/medgen-hf``) or inside the repository's suite.

The tiny checkpoints are built once per session: importing transformers costs seconds per process.
"""

from __future__ import annotations

from medgen_hf.testing import one_torch_thread, tiny_janus, tiny_qwen2_5_vl, tiny_qwen2_vl  # noqa: F401

from medgen_core.testing import fresh_plugin_host, medgen_cli  # noqa: F401
