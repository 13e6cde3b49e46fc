"""This plugin's tests run alone (``pytest plugins/NAME``) or inside the repository's suite."""

from __future__ import annotations

import sys
from pathlib import Path

from medgen_core.testing import fresh_plugin_host  # noqa: F401

sys.path.insert(0, str(Path(__file__).parent))  # helper modules next to the tests
