"""Data-parallel runs: which share of the samples this process takes, and waiting for the others.

``accelerate launch -m medgen_core run ...`` or ``torchrun --nproc_per_node N
-m medgen_core run ...`` start N processes (on one node or several, with
accelerate's or torchrun's usual settings). Each takes every N-th sample of
every task (its rank's share, the same on every rerun), writes its own
journals in the shared run folder, and rank 0 merges them into results.json
once all are done. The launcher is found from the environment (``RANK``,
``WORLD_SIZE``) it sets; torch and accelerate are imported only then.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from medgen_core.errors import MedgenError


@dataclass(frozen=True)
class Ranks:
    rank: int = 0
    world: int = 1

    @property
    def distributed(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def owns(self, index: int) -> bool:
        """Whether the ``index``-th sample of a task is this rank's."""
        return index % self.world == self.rank

    def barrier(self) -> None:
        """Wait until every rank gets here (accelerate's ``wait_for_everyone``)."""
        if self.distributed:
            _state().wait_for_everyone()


def from_environment() -> Ranks:
    """This process's rank and the world size, as the launcher set them (a plain run is rank 0 of 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world <= 1:
        return Ranks()
    state = _state()
    if state.num_processes != world:
        raise MedgenError(f"WORLD_SIZE is {world} but accelerate sees {state.num_processes} processes")
    return Ranks(state.process_index, state.num_processes)


def _state():  # noqa: ANN202 (accelerate's PartialState, imported at first use)
    try:
        import torch
        from accelerate import PartialState
    except ImportError:
        raise MedgenError(
            "a data-parallel run (WORLD_SIZE > 1) needs accelerate and torch: pip install 'medgen[distributed]'"
        ) from None
    return PartialState(cpu=not torch.cuda.is_available())
