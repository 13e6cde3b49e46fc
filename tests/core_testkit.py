"""Where the core tests' test-only plugin lives (a unique module name: plugin test folders have conftests too)."""

from __future__ import annotations

import os

TESTKIT = os.path.join(os.path.dirname(__file__), "testkit")
KIT_TASKS = os.path.join(TESTKIT, "tasks")
