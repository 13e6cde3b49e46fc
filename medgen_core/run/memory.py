"""An opt-in memory setting for long scoring runs (``medgen run --tune_malloc``, ``MEDGEN_TUNE_MALLOC=1``).

Measured on 2 cores with the pixel tier: numpy temporaries of a 512x512 SSIM
spent ~75% of their time in page faults of freshly mmapped buffers, and
arrays decoded in worker threads made LPIPS 2-5x slower through extra malloc
arenas. Setting glibc's malloc to one arena with large blocks kept on the
heap removes both. It changes the whole process, so the runner does it only
when asked, never a plugin on import.
"""

from __future__ import annotations

import ctypes
import os

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_tuned = False

ENV = "MEDGEN_TUNE_MALLOC"


def wanted(flag: bool) -> bool:
    return flag or os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes")


def tune_malloc() -> bool:
    """Once per process on glibc: one arena, blocks up to 32 MB kept on the heap, trim above 256 MB.

    Returns whether it is in effect (False off glibc).
    """
    global _tuned
    if _tuned:
        return True
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt(_M_ARENA_MAX, 1)
    mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's maximum on 64-bit
    mallopt(_M_TRIM_THRESHOLD, 256 * 2**20)
    _tuned = True
    return True
