"""Turning whatever ``from_pretrained`` raises into one line a user can act on.

Part of this package's library API: medgen-diffusers uses it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from medgen_core import MedgenError
from medgen_hf.accelerator import is_out_of_memory, too_big_error
from medgen_hf.checkpoint import Checkpoint, download_advice


def first_line(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:limit]


def load_failure(model: str, checkpoint: Checkpoint, device: str, exc: BaseException, hint: str) -> MedgenError:
    """The error for a checkpoint that would not load: too big, not fetchable, or not this kind of model."""
    if is_out_of_memory(exc) or "offload" in str(exc).lower():
        return too_big_error(model, checkpoint.source, device, exc, hint)
    if checkpoint.hub_id is not None and checkpoint.location == checkpoint.hub_id and isinstance(exc, OSError):
        return MedgenError(
            f"model {model!r}: could not fetch {checkpoint.hub_id} from the Hugging Face hub ({first_line(exc)}); "
            f"check the id, run `hf auth login` for a gated model, or {download_advice(checkpoint.hub_id)}"
        )
    return MedgenError(f"model {model!r}: cannot load {checkpoint.source}: {type(exc).__name__}: {first_line(exc)}")


@contextmanager
def without_progress_bars(*library_loggings: Any) -> Iterator[None]:
    """Hide the libraries' own loading bars (medgen shows its progress); restore them after."""
    enabled = [lg.is_progress_bar_enabled() for lg in library_loggings]
    for lg in library_loggings:
        lg.disable_progress_bar()
    try:
        yield
    finally:
        for lg, was_on in zip(library_loggings, enabled, strict=True):
            if was_on:
                lg.enable_progress_bar()
