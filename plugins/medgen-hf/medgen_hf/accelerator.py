"""Devices, dtypes and memory: the torch facts every local model needs.

Imported only by model code (it imports torch). Part of this package's
library API: medgen-diffusers uses it too.
"""

from __future__ import annotations

import gc
import os
from typing import Any

import torch

from medgen_core import MedgenError
from medgen_hf.batching import BatchRunner

DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
}
OOM_PHRASES = ("out of memory", "can't allocate memory", "cannot allocate memory", "not enough memory")


def resolve_device(device: str | None, model: str) -> str:
    """``auto`` (or nothing): this process's GPU, else Apple's MPS, else the CPU; a named device must exist.

    "This process's GPU" is ``cuda:LOCAL_RANK`` under a data-parallel launch (accelerate and torchrun set
    ``LOCAL_RANK``), so each rank loads its copy on its own GPU; ``cuda`` alone means the same.
    """
    if device in (None, "", "auto"):
        if torch.cuda.is_available():
            return local_gpu()
        if torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    name = str(device)
    kind = name.split(":", 1)[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise MedgenError(f"model {model!r}: device={name} but torch sees no CUDA GPU here; use device=cpu")
    if name == "cuda":
        return local_gpu()
    if kind == "mps" and not torch.backends.mps.is_available():
        raise MedgenError(f"model {model!r}: device={name} but this torch has no MPS backend; use device=cpu")
    try:
        torch.device(name)
    except RuntimeError:
        raise MedgenError(f"model {model!r}: unknown device {name!r}; use cpu, cuda, cuda:N, mps or auto") from None
    return name


def local_gpu() -> str:
    """``cuda:N`` for this process: its ``LOCAL_RANK`` (0 outside a data-parallel launch) among the visible GPUs."""
    rank = int(os.environ.get("LOCAL_RANK", "0") or 0)
    return f"cuda:{rank % torch.cuda.device_count()}"


def resolve_dtype(dtype: str | None, model: str, default: torch.dtype | str) -> torch.dtype | str:
    """A torch dtype from its name; ``auto`` (or nothing) gives ``default``."""
    if dtype in (None, "", "auto"):
        return default
    key = str(dtype).removeprefix("torch.")
    if key not in DTYPES:
        raise MedgenError(f"model {model!r}: unknown dtype {dtype!r}; use auto, {', '.join(DTYPES)}")
    return DTYPES[key]


def dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def is_out_of_memory(exc: BaseException) -> bool:
    """True for CUDA/MPS/CPU allocation failures (torch raises them under several types)."""
    if isinstance(exc, (torch.OutOfMemoryError, MemoryError)):
        return True
    return isinstance(exc, RuntimeError) and any(p in str(exc).lower() for p in OOM_PHRASES)


def release_memory() -> None:
    """Give freed tensors back to the device, so the next allocation (or the scorers) can use them."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    if torch.backends.mps.is_available():
        torch.mps.empty_cache()


def holds_accelerator(device: str) -> bool:
    return not str(device).startswith("cpu")


def device_summary(device: str) -> str:
    """``cuda:0 (NVIDIA H200, 139.8 GiB)`` or ``cpu``: which hardware answered, for results."""
    if str(device).startswith("cuda") and torch.cuda.is_available():
        index = torch.device(device).index or 0
        props = torch.cuda.get_device_properties(index)
        return f"cuda:{index} ({props.name}, {props.total_memory / 2**30:.1f} GiB)"
    return str(device)


def free_memory_note(device: str) -> str:
    """How much memory the device has left, when torch can tell."""
    if str(device).startswith("cuda") and torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info(torch.device(device).index or 0)
        return f" ({free / 2**30:.1f} of {total / 2**30:.1f} GiB free)"
    return ""


def too_big_error(model: str, source: str, device: str, exc: BaseException, hint: str) -> MedgenError:
    """One line for a model that does not fit: where, how much was free, what to try."""
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return MedgenError(
        f"model {model!r}: {source} does not fit in memory on {device}{free_memory_note(device)}: {first}. {hint}"
    )


def memory_safe_runner(model: str, source: str, device: str, hint: str) -> BatchRunner:
    """A :class:`BatchRunner` that splits batches on torch's memory errors; one item that cannot fit names the model."""
    return BatchRunner(
        is_out_of_memory=is_out_of_memory,
        release_memory=release_memory,
        memory_error=lambda exc: too_big_error(model, source, device, exc, hint),
    )


def seed_everything(seed: int) -> None:
    """Seed torch's generators on every device (sampling in ``generate`` draws from them)."""
    torch.manual_seed(seed)
