"""The machine a benchmark ran on, printed beside every figure.

Machines here differ by up to 3x in absolute speed and ratios move with the
CPU's vector units, so figures from different machines are never compared as
if equal: every benchmark prints this line first.
"""

from __future__ import annotations

import os
import platform
import sys

_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    return [f for f in _FLAGS if f in have]
    except OSError:
        pass
    return []


def machine_line(torch_threads: int | None = None) -> str:
    """One line: CPU model, vector flags, cores usable, torch threads (if torch is loaded or given), Python."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if torch_threads is None and "torch" in sys.modules:
        torch_threads = sys.modules["torch"].get_num_threads()
    threads = f", torch threads {torch_threads}" if torch_threads is not None else ""
    flags = " ".join(cpu_flags()) or "unknown flags"
    return f"machine: {cpu_model()} [{flags}], {cores} cores usable{threads}, Python {platform.python_version()}"
