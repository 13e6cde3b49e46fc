"""Importing litellm once, quietly and offline-safe.

litellm fetches a price map from the internet at import unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set; medgen sets it (when the user has not)
so runs are reproducible and work offline: costs come from the price table of
the installed litellm. Set ``LITELLM_LOCAL_MODEL_COST_MAP=False`` to fetch the
newest prices instead.
"""

from __future__ import annotations

import os
from typing import Any

_litellm: Any = None


def litellm() -> Any:
    """The litellm module, imported at first use (it costs seconds)."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm as module

        module.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on stdout
        module.telemetry = False
        _litellm = module
    return _litellm
