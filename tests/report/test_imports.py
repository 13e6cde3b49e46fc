"""Reading results and loading every renderer stays light: scipy (for compare's tests) loads at first use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("scipy", "torch", "transformers", "jinja2", "PIL")


def test_results_and_renderers_import_nothing_heavy():
    code = (
        "import sys, medgen_core, medgen_core.results, medgen_core.report.compare, medgen_core.report.renderers\n"
        "from medgen_core.report.renderers import renderers\n"
        "assert {'html', 'md', 'console'} <= set(renderers())\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
