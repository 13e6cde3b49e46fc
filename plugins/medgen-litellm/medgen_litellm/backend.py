"""Importing litellm once, quietly and offline-safe.

litellm fetches a price map from the internet at import unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set; medgen sets it (when the user has not)
so runs are reproducible and work offline: costs come from the price table of
the installed litellm. Set ``LITELLM_LOCAL_MODEL_COST_MAP=False`` to fetch the
newest prices instead.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

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


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def run_on_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the process's one background event loop and wait for its result.

    litellm keeps its async HTTP clients and logging worker per event loop, so
    every client shares one long-lived loop (never a fresh ``asyncio.run`` per
    batch, which leaves litellm's tasks on closed loops). Callers stay plain
    synchronous code, even inside another running loop (a notebook).
    """
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="medgen-litellm-loop", daemon=True).start()
        loop = _loop
    return asyncio.run_coroutine_threadsafe(coro, loop).result()
